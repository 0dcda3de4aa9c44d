"""Voice catalog benchmark: build the whole platform catalog, then ask, for every espeak-ng voice,
whether a held-out sample (a sentence the catalog never rendered) finds that same voice first.

Prints the catalog build time, and the held-out top-1 / top-3 rates with the language filter
(candidates that speak the voice's locale: how `voices similar <id> --language <locale>` is used) and
without it (every voice in the catalog), per locale and overall. Runs on a scratch SQLite database and
object store in a temporary folder unless DATABASE_URL / ONEPIN_DATA_DIR are set.

    .venv/bin/python bench/voice_similarity.py [--locales en-us,de-de] [--variants f3,m3]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HELD_OUT = {
    "en-us": "Good morning. Today we will talk about the weather, the markets and a new bridge downtown.",
    "en-gb": "Please remember to save your work before you close the window, and check the numbers twice.",
    "de-de": "Guten Morgen. Heute sprechen wir über das Wetter, die Märkte und eine neue Brücke.",
    "es-es": "Buenos días. Hoy hablaremos del tiempo, de los mercados y de un puente nuevo en el centro.",
    "es-mx": "Buenos días. Hoy hablaremos del clima, de los mercados y de un puente nuevo en el centro.",
    "fr-fr": "Bonjour à tous. Aujourd'hui, nous parlons de la météo, des marchés et d'un nouveau pont.",
    "ja-jp": "おはよう ございます。きょうは てんきと いちばと あたらしい はしの はなしを します。",
    "ko-kr": "좋은 아침입니다. 오늘은 날씨와 시장, 그리고 시내에 새로 생긴 다리에 대해 이야기합니다.",
    "pt-br": "Bom dia. Hoje vamos falar do tempo, dos mercados e de uma ponte nova no centro da cidade.",
    "pt-pt": "Bom dia. Hoje vamos falar do tempo, dos mercados e de uma ponte nova no centro da cidade.",
    "zh-cn": "早上好。今天我们来谈谈天气、市场，还有市中心新建的一座桥。",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locales", default=None)
    parser.add_argument("--variants", default=None)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="onepin-voice-bench-")
    os.environ.setdefault("ONEPIN_DATA_DIR", scratch)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.db")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    from flask_migrate import upgrade

    from app import create_app
    app = create_app()
    with app.app_context():
        upgrade()
        from sqlalchemy import select

        from app.extensions import db
        from app.models import Voice
        from app.services import voice_catalog
        from app.services.voices import rank_by_voiceprint
        from app.speech import voicebook, voiceprint
        locales = tuple(args.locales.split(",")) if args.locales else None
        variants = tuple(x for x in args.variants.split(",") if x) if args.variants is not None else None
        started = time.perf_counter()
        report = voice_catalog.refresh(locales=locales, variants=variants)
        build_s = time.perf_counter() - started
        voices = [v for v in db.session.scalars(select(Voice).where(Voice.is_active.is_(True)))
                  if v.provider == "espeak" and v.voiceprint is not None]
        per = defaultdict(lambda: {"n": 0, "top1": 0, "top3": 0, "top1_all": 0})
        misses = []
        t0 = time.perf_counter()
        for v in voices:
            loc = v.supported_languages[0]
            clip = voicebook.render({"provider": "espeak", "provider_voice_id": v.provider_voice_id}, HELD_OUT[loc])
            vec = voiceprint.embed(clip)
            filtered = [x.id for x, _s in rank_by_voiceprint(None, vec, languages=[loc], limit=3)]
            everything = [x.id for x, _s in rank_by_voiceprint(None, vec, limit=1)]
            row = per[loc]
            row["n"] += 1
            row["top1"] += filtered[0] == v.id
            row["top3"] += v.id in filtered
            row["top1_all"] += everything[0] == v.id
            if filtered[0] != v.id:
                misses.append(f"{v.id}->{filtered[0]}")
        query_s = time.perf_counter() - t0

    n = sum(r["n"] for r in per.values())
    total = {k: sum(r[k] for r in per.values()) for k in ("top1", "top3", "top1_all")}
    print(f"\nVoice catalog: {report.summary()}")
    print(f"build: {build_s:.1f} s for {report.active} voices ({1000 * build_s / max(report.active, 1):.0f} ms/voice,"
          f" {os.cpu_count()} CPUs)")
    print(f"held-out queries: {n} in {query_s:.1f} s ({1000 * query_s / max(n, 1):.0f} ms each)\n")
    print(f"{'locale':8} {'voices':>6} {'top-1 (lang)':>13} {'top-3 (lang)':>13} {'top-1 (all)':>12}")
    for loc in sorted(per):
        r = per[loc]
        print(f"{loc:8} {r['n']:6d} {r['top1'] / r['n']:13.1%} {r['top3'] / r['n']:13.1%} {r['top1_all'] / r['n']:12.1%}")
    print(f"{'all':8} {n:6d} {total['top1'] / n:13.1%} {total['top3'] / n:13.1%} {total['top1_all'] / n:12.1%}"
          f"   target top-1 (lang) >= 80%")
    print(f"\nmisses with the language filter ({len(misses)}): {', '.join(misses[:40])}{' ...' if len(misses) > 40 else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
