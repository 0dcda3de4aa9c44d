"""Raw in-process espeak-ng synthesis speed: the baseline for the engine benchmark.

    .venv/bin/python bench/espeak_raw.py [-n 200] [--voice en-us] [--json]

Synthesises N lines through app.speech.tts.espeak (ctypes, one process, no database, no queue)
and prints ms per line and the real-time factor (processing time / audio time; lower is better).
``run()`` is importable so other benchmarks can print their overhead next to this figure.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SENTENCES = [
    "Welcome to the quarterly product update.",
    "Please hold while we connect your call.",
    "The meeting starts at half past three in the main conference room.",
    "Press one for sales, two for support, or stay on the line.",
    "Our new release improves battery life by twenty percent.",
    "Thank you for your patience; an agent will be with you shortly.",
    "The train to Boston departs from platform four.",
    "Remember to save your work before closing the application.",
    "Today's forecast calls for light rain in the afternoon.",
    "Your order has shipped and should arrive within three days.",
]


def lines(n: int) -> list[str]:
    return [f"{SENTENCES[i % len(SENTENCES)]} Line {i + 1}." for i in range(n)]


def run(n: int = 200, voice: str = "en-us") -> dict:
    from app.speech.tts.espeak import get_engine

    t0 = time.perf_counter()
    engine = get_engine()
    init_s = time.perf_counter() - t0
    engine.synthesize("warm up", voice)
    texts = lines(n)
    audio_s = 0.0
    c0, t0 = time.process_time(), time.perf_counter()
    for text in texts:
        audio_s += engine.synthesize(text, voice).duration_s
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "engine": engine.version, "voice": voice, "lines": n, "init_ms": round(init_s * 1000, 1),
        "ms_per_line": round(wall * 1000 / n, 2), "cpu_ms_per_line": round(cpu * 1000 / n, 2),
        "audio_s": round(audio_s, 1), "rtf": round(wall / audio_s, 5),
        "x_realtime": round(audio_s / wall, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--lines", type=int, default=200)
    ap.add_argument("--voice", default="en-us")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    r = run(args.lines, args.voice)
    if args.json:
        print(json.dumps(r))
        return
    print(f"{r['engine']} voice={r['voice']} lines={r['lines']} (init {r['init_ms']} ms)")
    print(f"  {r['ms_per_line']} ms/line wall, {r['cpu_ms_per_line']} ms/line CPU")
    print(f"  {r['audio_s']} s of audio, RTF {r['rtf']} ({r['x_realtime']}x real time)")


if __name__ == "__main__":
    main()
