"""Validator quality benchmark, noise and naturalness section (runnable on its own; the whole-bench
runner can call ``run()`` and ``report()``).

    .venv/bin/python bench/validators_quality.py [--lines 12] [--seed 7] [--no-naturalness]

Also a section of ``bench/validator_bench.py`` ("quality"), which calls ``run``, ``report`` and
``targets``.

Corpus, generated here: good takes of ``--lines`` sentences from espeak-ng (en-us) and Piper (joe),
processed as the generator stores them (audio checks, loudness normalisation, 16-bit WAV), then the same
takes mixed with white noise at 30/20/10/5 dB (noise power = the clip's mean power / 10^(dB/10), fixed
seed). Every take is scored with the validators' own measures and mappings (app/speech/quality/scoring.py)
at the default thresholds of app/workflows/nodes.py.

Noise targets (issue 5): pass every clean take, fail every 5 dB take, and order the four levels (mean
score clean > 30 > 20 > 10 > 5 dB). Prints the confusion matrix (clean = good, 5 dB = bad), pass
counts and means per level and engine.
Naturalness (reported, no target in the issue): clean takes of both engines, espeak whispered, clean
takes played backwards, and the 5 dB takes, at the default threshold.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SENTENCES = [
    "The meeting starts at nine tomorrow morning.", "Please keep your ticket until the end of the journey.",
    "Our new library opens to the public next week.", "She walked along the river and watched the boats go by.",
    "The results will be published on our website.", "Press the green button to continue.",
    "The train to Boston leaves from platform four.", "Remember to water the plants before you leave.",
    "Your order has been shipped and will arrive on Friday.", "The museum is closed on Mondays and public holidays.",
    "Turn left at the next corner and walk two blocks.", "The weather will be cloudy with a chance of rain.",
    "Our team won the final match last night.", "Keep the receipt in case you need to return the item.",
    "Doors open at seven, and the show begins at eight.", "Every visitor must sign in at the front desk.",
    "Thank you for calling, how can I help you today?", "Why is the sky blue on a clear day?",
    "A gentle breeze moved through the tall grass.", "The old bridge was rebuilt after the flood.",
]
ENGINES = {"espeak": ("espeak", "en-us"), "piper": ("piper", "en_US-joe-medium")}
LEVELS = ("clean", "30", "20", "10", "5")


@dataclass
class Take:
    engine: str
    kind: str            # clean | 30 | 20 | 10 | 5 | whisper | reversed
    line: int
    text: str
    audio: object
    figures: dict = field(default_factory=dict)


def _stored(audio):
    """What the generator stores for a take: loudness-normalised 16-bit WAV."""
    from app.speech import audio as A
    return A.decode(A.to_wav_bytes(A.loudness_normalize(audio).audio))


def corpus(lines: int, seed: int, naturalness: bool) -> list[Take]:
    from app.speech.audio_checks import inspect
    from app.speech.quality.scoring import mix_white_noise
    from app.speech.tts import Audio, get_engine
    rng = np.random.default_rng(seed)
    takes: list[Take] = []
    for name, (engine_name, voice) in ENGINES.items():
        engine = get_engine(engine_name)
        for i, text in enumerate(SENTENCES[:lines]):
            raw = engine.synthesize(text, voice)
            checked = inspect(raw, text)
            if not checked.ok:
                raise SystemExit(f"{name} line {i} is not a good take: {checked.reason}")
            clean = _stored(raw)
            takes.append(Take(name, "clean", i, text, clean))
            for db in (30, 20, 10, 5):
                noisy = Audio(mix_white_noise(clean.samples, db, rng), clean.sample_rate)
                takes.append(Take(name, str(db), i, text, _stored(noisy)))
            if naturalness:
                takes.append(Take(name, "reversed", i, text, Audio(clean.samples[::-1].copy(), clean.sample_rate)))
                if engine_name == "espeak":
                    takes.append(Take(name, "whisper", i, text, _stored(engine.synthesize(text, voice + "+whisper"))))
    return takes


def run(lines: int = 12, seed: int = 7, naturalness: bool = True, progress=None) -> dict:
    """Scores the corpus; returns everything report() prints (and what a combined bench needs)."""
    from app.speech.quality import dnsmos, scoring
    from app.workflows.nodes import get_spec
    noise_t = float(get_spec("validator_noise").default_config()["threshold"])
    nat_t = float(get_spec("validator_naturalness").default_config()["threshold"])
    started = time.perf_counter()
    takes = corpus(lines, seed, naturalness)
    built = time.perf_counter() - started
    audio_s = 0.0
    for n, t in enumerate(takes, 1):
        mos = dnsmos.score(t.audio)
        audio_s += t.audio.duration_s
        if t.kind in LEVELS:
            f = scoring.noise(t.audio, mos)
            t.figures["noise"] = f.score
            t.figures["snr_db"], t.figures["bak"] = f.snr_db, f.bak
        if naturalness and t.kind in ("clean", "5", "reversed", "whisper"):
            t.figures["naturalness"] = scoring.naturalness(t.audio, t.text, "en-us", mos).score
        if progress:
            progress(n, len(takes))
    return {"takes": takes, "noise_threshold": noise_t, "naturalness_threshold": nat_t, "lines": lines,
            "seed": seed, "seconds": time.perf_counter() - started, "corpus_seconds": built, "audio_seconds": audio_s}


def _matrix(title: str, good: list[Take], bad: list[Take], key: str, threshold: float) -> list[str]:
    tp = sum(t.figures[key] >= threshold for t in good)
    fn = len(good) - tp
    fp = sum(t.figures[key] >= threshold for t in bad)
    tn = len(bad) - fp
    return [title,
            f"{'':22}{'passed':>8}{'failed':>8}",
            f"{'good (should pass)':22}{tp:>8}{fn:>8}",
            f"{'bad (should fail)':22}{fp:>8}{tn:>8}"]


def noise_checks(result: dict) -> dict:
    takes, thr = result["takes"], result["noise_threshold"]
    by = {lv: [t for t in takes if t.kind == lv] for lv in LEVELS}
    means = {lv: float(np.mean([t.figures["noise"] for t in by[lv]])) for lv in LEVELS}
    return {"clean_pass": sum(t.figures["noise"] >= thr for t in by["clean"]), "clean_n": len(by["clean"]),
            "5db_fail": sum(t.figures["noise"] < thr for t in by["5"]), "5db_n": len(by["5"]),
            "ordered": all(means[a] > means[b] for a, b in zip(LEVELS, LEVELS[1:])), "means": means}


def targets(result: dict) -> list:
    """The issue's noise targets as bench.validators.common.Target (for bench/validator_bench.py)."""
    from bench.validators.common import Target
    c = noise_checks(result)
    order = " > ".join(f"{c['means'][lv]:.1f}" for lv in LEVELS)
    return [Target("noise: clean takes passed", c["clean_pass"] / c["clean_n"], 1.0, f"{c['clean_pass']}/{c['clean_n']}"),
            Target("noise: 5 dB takes failed", c["5db_fail"] / c["5db_n"], 1.0, f"{c['5db_fail']}/{c['5db_n']}"),
            Target("noise: clean > 30 > 20 > 10 > 5 dB (mean score)", float(c["ordered"]), 1.0, order)]


def report(result: dict) -> str:
    takes, thr = result["takes"], result["noise_threshold"]
    out = [f"Noise validator (Clarity), default threshold {thr:g}: {result['lines']} lines x "
           f"{len(ENGINES)} engines, white noise at 30/20/10/5 dB (seed {result['seed']})", ""]
    for engine in (*ENGINES, "all"):
        sel = [t for t in takes if engine in ("all", t.engine)]
        out += _matrix(f"confusion matrix, {engine}: clean = good, 5 dB = bad",
                       [t for t in sel if t.kind == "clean"], [t for t in sel if t.kind == "5"], "noise", thr)
        out.append("")
    out.append(f"{'level':8}{'engine':8}{'passed':>10}{'mean score':>12}{'mean SNR dB':>13}{'mean BAK':>10}")
    for lv in LEVELS:
        for engine in ENGINES:
            sel = [t for t in takes if t.kind == lv and t.engine == engine]
            out.append(f"{lv if lv == 'clean' else lv + ' dB':8}{engine:8}"
                       f"{sum(t.figures['noise'] >= thr for t in sel):>5}/{len(sel):<4}"
                       f"{np.mean([t.figures['noise'] for t in sel]):>12.1f}"
                       f"{np.mean([t.figures['snr_db'] for t in sel]):>13.1f}{np.mean([t.figures['bak'] for t in sel]):>10.2f}")
    c = noise_checks(result)
    out += ["", "per-level mean score (both engines): " + " > ".join(
        f"{lv if lv == 'clean' else lv + ' dB'} {c['means'][lv]:.1f}" for lv in LEVELS),
            f"targets: clean passed {c['clean_pass']}/{c['clean_n']} (all), 5 dB failed {c['5db_fail']}/{c['5db_n']} "
            f"(all), levels ordered: {'yes' if c['ordered'] else 'NO'}  ->  "
            f"{'MET' if c['clean_pass'] == c['clean_n'] and c['5db_fail'] == c['5db_n'] and c['ordered'] else 'NOT MET'}"]
    if any("naturalness" in t.figures for t in takes):
        nt = result["naturalness_threshold"]
        out += ["", f"Naturalness validator, default threshold {nt:g} (reported; no target in the issue)",
                f"{'takes':24}{'passed':>10}{'min':>7}{'mean':>7}{'max':>7}"]
        for engine in ENGINES:
            for kind, label in (("clean", "clean"), ("reversed", "played backwards"), ("whisper", "whispered"),
                                ("5", "5 dB noise")):
                sel = [t.figures["naturalness"] for t in takes if t.engine == engine and t.kind == kind]
                if sel:
                    out.append(f"{engine + ' ' + label:24}{sum(s >= nt for s in sel):>6}/{len(sel):<3}"
                               f"{min(sel):>7.1f}{np.mean(sel):>7.1f}{max(sel):>7.1f}")
        good = [t for t in takes if t.kind == "clean" and "naturalness" in t.figures]
        bad = [t for t in takes if t.kind in ("reversed", "whisper", "5") and "naturalness" in t.figures]
        out += [""] + _matrix("confusion matrix, naturalness: clean = good; reversed, whispered, 5 dB = bad",
                              good, bad, "naturalness", nt)
    out += ["", f"{len(takes)} takes, {result['audio_seconds']:.0f} s of audio scored in {result['seconds']:.0f} s "
                f"(corpus built in {result['corpus_seconds']:.0f} s; DNSMOS dominates)"]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=12, help=f"sentences per engine (max {len(SENTENCES)})")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-naturalness", action="store_true")
    args = ap.parse_args(argv)
    tty = sys.stderr.isatty()
    result = run(min(args.lines, len(SENTENCES)), args.seed, not args.no_naturalness,
                 progress=lambda n, total: (tty or n == total) and print(
                     f"\rscored {n}/{total} takes", end="" if n < total else "\n", file=sys.stderr, flush=True))
    print(report(result))
    c = noise_checks(result)
    return 0 if c["clean_pass"] == c["clean_n"] and c["5db_fail"] == c["5db_n"] and c["ordered"] else 1


if __name__ == "__main__":
    sys.exit(main())
