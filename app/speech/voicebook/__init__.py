"""The voices the installed engines offer, described for people: one catalog entry per voice with a
stable key, the provider's own voice id, honest metadata and the locales it speaks.

No Flask, no database. ``platform_voices(locales)`` lists the entries; ``render(entry, locale)``
speaks the entry's preview line and ``render_enrollment`` a second line (for voiceprints).

An entry is a dict: key ("espeak:en-gb+f3"), provider, model, provider_voice_id, name, gender, age,
accent, category, description, tags, locales, meta.
"""
from __future__ import annotations

import logging

from app.speech.tts import get_engine
from app.speech.tts.base import Audio

from .words import ENROLL_TEXTS, SAMPLE_TEXTS

log = logging.getLogger("onepin.speech.voicebook")


def platform_voices(locales: tuple[str, ...], *, variants: tuple[str, ...] | None = None,
                    providers: tuple[str, ...] = ("espeak", "piper")) -> list[dict]:
    """Every local engine voice that speaks one of ``locales`` (an engine that fails to load is
    logged and left out). ``variants`` limits the espeak variants (None: all)."""
    out: list[dict] = []
    if "espeak" in providers:
        try:
            from . import espeak
            out += espeak.catalog_entries(get_engine("espeak"), tuple(locales), variants)
        except Exception as exc:  # noqa: BLE001 - an engine that cannot load offers no voices
            log.warning("espeak-ng voices unavailable: %s", exc)
    if "piper" in providers:
        try:
            from . import piper
            engine = get_engine("piper")
            rescan = getattr(engine, "rescan", None)
            if rescan is not None:
                rescan()
            out += piper.catalog_entries(engine, tuple(locales))
        except Exception as exc:  # noqa: BLE001
            log.warning("Piper voices unavailable: %s", exc)
    return out


def sample_text(locale: str) -> str | None:
    return SAMPLE_TEXTS.get(locale)


def enrollment_text(locale: str) -> str | None:
    return ENROLL_TEXTS.get(locale)


def engine_version(provider: str) -> str:
    return get_engine(provider).version


def render(entry: dict, text: str) -> Audio:
    """The entry's voice speaking ``text`` (raises EngineError)."""
    return get_engine(entry["provider"]).synthesize(text, entry["provider_voice_id"])


__all__ = ["platform_voices", "render", "sample_text", "enrollment_text", "engine_version",
           "SAMPLE_TEXTS", "ENROLL_TEXTS"]
