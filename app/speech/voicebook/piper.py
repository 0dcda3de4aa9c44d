"""Piper's voices (the bundled one and every voice in the voices folder) as catalog entries.

A Piper voice's ``.onnx.json`` says its language, dataset name and quality, not its gender: a voice
whose gender is not known here is left without one, and the catalog estimates it from the pitch of
its rendered sample (and says so in a tag).
"""
from __future__ import annotations

import json
from pathlib import Path

from .words import LOCALE_ACCENTS, LOCALE_LABELS, LOCALE_WORDS

MODEL = "piper-vits"
KNOWN = {  # what the packaging says about bundled voices
    "en_US-joe-medium": {"gender": "male", "name": "Joe"},
}


def _config(path: Path) -> dict:
    try:
        return json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def catalog_entries(engine, locales: tuple[str, ...]) -> list[dict]:
    out = []
    for info in engine.voices():
        path = engine._paths.get(info.id)
        config = _config(path) if path else {}
        lang = (info.languages or [""])[0]
        loc = lang if lang in locales else None
        if loc is None:
            continue
        known = KNOWN.get(info.id, {})
        quality = ((config.get("audio") or {}).get("quality") or "").replace("_", " ")
        dataset = (config.get("dataset") or info.id).replace("_", " ")
        name = known.get("name") or dataset.title()
        gender = known.get("gender")
        label = LOCALE_LABELS.get(loc, loc)
        noun = f"{gender} voice" if gender else "voice"
        quality_words = f"{quality} quality " if quality else ""
        description = (f"{name}: a natural-sounding neural {noun} speaking {label}, from the Piper text-to-speech "
                       f"engine ({quality_words}model '{info.id}'). Smooth and human-like at a steady reading pace; "
                       f"slower to render than eSpeak but far less robotic. Suits narration, e-learning and "
                       f"long-form reading where a human-sounding voice matters.")
        tags = list(dict.fromkeys([t for t in [gender] if t] + LOCALE_WORDS.get(loc, [])
                                  + ["natural", "neural", "human-like", "smooth", "piper"]
                                  + ([quality] if quality else [])))
        out.append({
            "key": f"piper:{info.id}", "provider": "piper", "model": MODEL, "provider_voice_id": info.id,
            "name": f"{name} ({label})", "gender": gender, "age": None, "accent": LOCALE_ACCENTS.get(loc),
            "category": "narration", "description": description, "tags": tags, "locales": [loc],
            "meta": {"engine": "piper", "model_file": path.name if path else None, "dataset": dataset,
                     "quality": quality or None, "gender_known": gender is not None},
        })
    return out
