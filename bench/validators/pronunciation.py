"""Pronunciation (validator_pronunciation) on dictionary words said right and said wrong.

Each case is a word with a dictionary entry (its correct IPA) and a wrong pronunciation. Both takes
are spoken by espeak-ng through its phoneme input, rendered from IPA exactly as a run renders
pronunciation markup for espeak (``⟦word|ipa⟧`` → ``[[mnemonics]]``): the good take with the
entry's IPA, the bad take with the wrong IPA, each in three sentence frames. The validator gets the
script with the plain word and the dictionary entry, as in a run. The same takes are also made with
Piper (``[[ ipa ]]`` phoneme input), reported beside espeak; the target is read on espeak.

Measured: the share of bad takes in which the mispronounced word is flagged (target ≥ 80%), and how
often the correctly said word is flagged anyway (false alarms; reported, no target). The words and
frames are not the ones the similarity bound was chosen on (the development names in docs/speech.md).
"""
from __future__ import annotations

import time

import numpy as np

from .common import Target, matrix, share, stored

# word, correct IPA (the dictionary entry), a wrong pronunciation (IPA)
CASES = [
    ("Nguyen", "ˈwɪn", "ˈnuːɡjɛn"),
    ("Worcester", "ˈwʊstər", "ˈwɔːrtʃɛstər"),
    ("Saoirse", "ˈsɜːrʃə", "seɪˈɔːrsi"),
    ("Aoife", "ˈiːfə", "eɪˈoʊfi"),
    ("Dvorak", "ˈdvɔːrʒɑːk", "dəˈvɔːræk"),
    ("Goethe", "ˈɡɜːtə", "ˈɡoʊθ"),
    ("Beaulieu", "ˈbjuːli", "boʊˈljuː"),
    ("chipotle", "tʃɪˈpoʊtleɪ", "tʃɪˈpɑːtəl"),
    ("gnocchi", "ˈnjɒki", "ɡəˈnɒtʃi"),
    ("Xochitl", "ˈsoʊtʃiːl", "zəˈkɪtəl"),
    ("Nietzsche", "ˈniːtʃə", "ˈnaɪtskiː"),
    ("Thames", "ˈtɛmz", "ˈθeɪmz"),
]
FRAMES = ["We are meeting {w} at the station tomorrow.",
          "The guide spoke about {w} for nearly an hour.",
          "Did you hear that {w} won the award?"]


ENGINES = {"espeak": "en-us", "piper": "en_US-joe-medium"}
TARGET_ENGINE = "espeak"


def corpus(engines=tuple(ENGINES)) -> list[dict]:
    from app.speech.asr.pronunciation import DictionaryWord
    from app.speech.text import markup
    from app.speech.tts import get_engine
    takes = []
    for name in engines:
        engine = get_engine(name)
        for word, right, wrong in CASES:
            entry = DictionaryWord(word, ipa=right)
            for f, frame in enumerate(FRAMES):
                script = frame.format(w=word)
                for kind, ipa in (("good", right), ("bad", wrong)):
                    said = markup.render(frame.format(w=markup.make(word, ipa)), name, ENGINES[name])
                    audio = stored(engine.synthesize(said, ENGINES[name], phonemes=True))
                    takes.append({"engine": name, "kind": kind, "word": word, "frame": f, "script": script,
                                  "entry": entry, "engine_input": said, "audio": audio})
    return takes


def judge(audio, script: str, entries, locale: str = "en-us") -> dict:
    from app.speech.asr.pronunciation import check_pronunciation
    from app.workflows.nodes import get_spec
    threshold = float(get_spec("validator_pronunciation").default_config()["threshold"])
    r = check_pronunciation(audio, script, locale, entries, threshold=threshold)
    return {"passed": r.passed, "score": r.score, "threshold": threshold, "transcript": r.transcript.text,
            "flagged": [(c.target.word, c.reason, c.heard, c.similarity) for c in r.flagged],
            "checks": {c.target.word: (c.ok, c.reason, c.heard, c.similarity) for c in r.checks}}


def run(lines: int = 0, progress=None) -> dict:
    from app.speech import asr
    started = time.perf_counter()
    asr.load("en-us")
    takes = corpus()
    built = time.perf_counter() - started
    for k, t in enumerate(takes, 1):
        t.update(judge(t.pop("audio"), t["script"], [t.pop("entry")]))
        t["word_flagged"] = any(w == t["word"] for w, *_ in t["flagged"])
        if progress:
            progress(k, len(takes))
    return {"takes": takes, "seconds": time.perf_counter() - started, "corpus_seconds": built,
            "threshold": takes[0]["threshold"]}


def targets(result: dict) -> list[Target]:
    bad = [t for t in result["takes"] if t["kind"] == "bad" and t["engine"] == TARGET_ENGINE]
    hit = sum(t["word_flagged"] for t in bad)
    return [Target(f"pronunciation: mispronounced word flagged ({TARGET_ENGINE})", share(hit, len(bad)), 0.80,
                   f"{hit}/{len(bad)}")]


def _heard(t: dict) -> str:
    ok, why, heard, sim = t["checks"].get(t["word"], (True, None, None, None))
    if heard is None:
        return "(nothing)" if why == "missing" else "(as written)"
    return heard + (f" {sim:.2f}" if sim is not None else "")


def report(result: dict) -> str:
    takes, thr = result["takes"], result["threshold"]
    out = [f"Pronunciation (validator_pronunciation), default threshold {thr:g}: {len(CASES)} dictionary words x "
           f"{len(FRAMES)} sentences, said right and said wrong (phoneme input rendered from IPA)", ""]
    engines = [e for e in ENGINES if any(t["engine"] == e for t in takes)]
    for engine in engines:
        good = [t for t in takes if t["kind"] == "good" and t["engine"] == engine]
        bad = [t for t in takes if t["kind"] == "bad" and t["engine"] == engine]
        out += matrix(f"confusion matrix, {engine}, line verdicts", sum(t["passed"] for t in good), len(good),
                      sum(t["passed"] for t in bad), len(bad))
        out += ["", f"{engine}: {'word':12}{'right: flagged':>15}{'wrong: flagged':>16}   heard when said wrong "
                    "(similarity)"]
        for word, _, _ in CASES:
            g = [t for t in good if t["word"] == word]
            b = [t for t in bad if t["word"] == word]
            out.append(f"{'':{len(engine) + 2}}{word:12}{sum(t['word_flagged'] for t in g):>11}/{len(g):<3}"
                       f"{sum(t['word_flagged'] for t in b):>12}/{len(b):<3}   {'; '.join(_heard(t) for t in b)[:70]}")
        reasons: dict[str, int] = {}
        for t in bad:
            why = t["checks"].get(t["word"], (True, None))[1]
            if why:
                reasons[why] = reasons.get(why, 0) + 1
        false_alarm = sum(t["word_flagged"] for t in good)
        hit = sum(t["word_flagged"] for t in bad)
        out += ["", f"{engine}: mispronounced word flagged {hit}/{len(bad)} ({share(hit, len(bad)):.0%}; "
                    + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) + "); "
                    f"correctly said word flagged anyway (false alarm) {false_alarm}/{len(good)} "
                    f"({share(false_alarm, len(good)):.0%}); mean line score right "
                    f"{np.mean([t['score'] for t in good]):.0f}, wrong {np.mean([t['score'] for t in bad]):.0f}", ""]
    out += [*[t.line() for t in targets(result)],
            "", f"{len(takes)} takes judged in {result['seconds']:.0f} s (corpus built in {result['corpus_seconds']:.0f} s)"]
    return "\n".join(out)
