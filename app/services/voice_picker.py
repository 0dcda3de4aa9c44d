"""The editor's voice picker: voices that can speak a generator's locale (filtered by language,
gender and provider), their preview samples, and the voice_map assignment a choice writes.

The assignment is the one the CLI's `onepin workflows set-voice` writes:
    {"voice_id": <provider's own voice id>, "catalog_voice_id": <catalog id>, "provider", "model",
     "voice_name"}
and a choice replaces the locale's list with that one assignment, like set-voice does.

Where the voices come from is `_catalog_rows`, the only function that knows it. Until the voice
catalog (app/services/voice_catalog.py) is available, it lists the installed engines' voices through
app/speech/registry.py; their previews are spoken on demand by `sample_audio` and cached per process.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from app.errors import NotFound, ValidationFailed
from app.workflows.locales import FAMILY_DEFAULTS, LOCALE_DISPLAY_NAMES, SUPPORTED_LOCALES, canonical_locale

GENDERS = ("female", "male", "neutral")
MODELS = {"espeak": "espeak-ng", "piper": "piper-vits"}
ESPEAK_VARIANTS = ("f1", "f2", "f3", "f4", "m1", "m2", "m3")
SAMPLE_TEXTS = {
    "en": "Hello! This is how I sound when I read your script.",
    "de": "Hallo! So klinge ich, wenn ich Ihr Skript vorlese.",
    "es": "¡Hola! Así sueno cuando leo tu guion.",
    "fr": "Bonjour ! Voici ma voix quand je lis votre texte.",
    "pt": "Olá! É assim que eu soo quando leio o seu roteiro.",
    "ja": "こんにちは。これが私の声です。",
    "ko": "안녕하세요. 제 목소리는 이렇습니다.",
    "zh": "你好，这是我朗读脚本时的声音。",
}


def speaks(declared: list[str], locale: str) -> bool:
    """Family-aware, like the CLI: `ko` covers `ko-kr`, and `ko-kr` covers a bare `ko`."""
    wanted = locale.casefold()
    family = wanted.split("-", 1)[0]
    for entry in declared or []:
        d = str(entry).casefold()
        if d in (wanted, family) or d.split("-", 1)[0] == wanted:
            return True
    return False


# ---- where the voices come from -----------------------------------------------------------------

_engine_rows: list[dict] | None = None
_lock = threading.Lock()


def _engine_voices() -> list[dict]:
    """Voices of the local engines (espeak-ng locale voices with a few variants, Piper voices)."""
    global _engine_rows
    with _lock:
        if _engine_rows is not None:
            return _engine_rows
        from app.speech import registry
        from app.speech.tts import get_engine
        installed = registry.providers(tuple(SUPPORTED_LOCALES))
        rows: list[dict] = []
        if "espeak" in installed:
            engine = get_engine("espeak")
            variants = {v.id: v for v in engine.voices() if v.variant}
            for v in engine.voices():
                locales = _espeak_locales(v)
                if v.variant or not locales:
                    continue
                rows.append(_row("espeak", v.id, f"eSpeak {v.name}", v.gender, locales))
                if v.id.count("-") > 1:
                    continue            # regional accents: the plain voice only
                for key in ESPEAK_VARIANTS:
                    var = variants.get(key)
                    if var is not None:
                        rows.append(_row("espeak", f"{v.id}+{key}", f"eSpeak {v.name} · {var.name}",
                                         var.gender, locales))
        if "piper" in installed:
            for v in get_engine("piper").voices():
                locales = [loc for loc in SUPPORTED_LOCALES if speaks(v.languages, loc)]
                if locales:
                    rows.append(_row("piper", v.id, f"{v.name} (Piper)", v.gender, locales))
        _engine_rows = rows
        return rows


def _espeak_locales(v) -> list[str]:
    """The deployment locales an espeak voice speaks: those it declares, else (for a bare family
    voice such as "de") the family's default region."""
    locales = [loc for loc in SUPPORTED_LOCALES if loc in v.languages]
    if not locales and "-" not in v.id:
        locales = [FAMILY_DEFAULTS[lang] for lang in v.languages if lang in FAMILY_DEFAULTS][:1]
    return locales


def _row(provider: str, voice_id: str, name: str, gender: str | None, locales: list[str]) -> dict:
    return {"id": f"{provider}:{voice_id}", "provider": provider, "provider_voice_id": voice_id,
            "model": MODELS[provider], "name": name, "gender": gender, "languages": list(locales),
            "sample_url": None}


def _catalog_rows(ws) -> list[dict]:
    """Every voice this workspace may choose from (see the module docstring)."""
    return _engine_voices()


# ---- the picker ---------------------------------------------------------------------------------

def language_options(locale: str) -> list[tuple[str, str]]:
    """The language filter's choices for a locale slot: the locale, its family, every locale."""
    family = locale.split("-", 1)[0]
    opts = [(locale, LOCALE_DISPLAY_NAMES.get(locale, locale))]
    family_name = LOCALE_DISPLAY_NAMES.get(locale, locale).split(" (")[0]
    opts.append((family, f"Any {family_name}"))
    opts += [(loc, name) for loc, name in LOCALE_DISPLAY_NAMES.items() if loc != locale]
    return opts


def providers(ws) -> list[tuple[str, str]]:
    from app.speech import registry
    installed = registry.providers(tuple(SUPPORTED_LOCALES))
    seen = []
    for row in _catalog_rows(ws):
        if row["provider"] not in seen:
            seen.append(row["provider"])
    return [(p, installed[p].display_name if p in installed else p) for p in seen]


def voices(ws, *, language: str, gender: str | None = None, provider: str | None = None,
           search: str | None = None, limit: int = 60) -> tuple[list[dict], int]:
    """(voices, how many matched) for the filters; `language` is a locale or a bare family."""
    term = (search or "").strip().casefold()
    out = [r for r in _catalog_rows(ws)
           if speaks(r["languages"], language)
           and (not gender or r["gender"] == gender)
           and (not provider or r["provider"] == provider)
           and (not term or term in r["name"].casefold() or term in r["provider_voice_id"].casefold())]
    return out[:limit], len(out)


def find(ws, voice_id: str) -> dict:
    for row in _catalog_rows(ws):
        if row["id"] == voice_id:
            return row
    raise NotFound("Voice not found.")


def assignment(ws, voice_id: str, locale: str) -> dict:
    """The voice_map entry for choosing `voice_id` for `locale` (refused when it cannot speak it)."""
    loc = canonical_locale(locale)
    if loc is None:
        raise ValidationFailed([{"field": "locale", "message": f"{locale!r} is not a supported language"}])
    row = find(ws, voice_id)
    if not speaks(row["languages"], loc):
        raise ValidationFailed([{"field": "voice", "message": f"{row['name']} does not speak "
                                 f"{LOCALE_DISPLAY_NAMES.get(loc, loc)}"}])
    return {"voice_id": row["provider_voice_id"], "catalog_voice_id": row["id"], "provider": row["provider"],
            "model": row["model"], "voice_name": row["name"]}


# ---- previews -----------------------------------------------------------------------------------

_samples: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_SAMPLE_CACHE = 64


def sample_text(locale: str) -> str:
    return SAMPLE_TEXTS.get(locale.split("-", 1)[0], SAMPLE_TEXTS["en"])


def sample_audio(ws, voice_id: str, locale: str) -> bytes:
    """WAV bytes of the voice reading a short line in `locale` (spoken once per process)."""
    row = find(ws, voice_id)
    loc = canonical_locale(locale) or (row["languages"][0] if row["languages"] else "en-us")
    key = (voice_id, loc)
    with _lock:
        if key in _samples:
            _samples.move_to_end(key)
            return _samples[key]
    from app.speech.audio import to_wav_bytes
    from app.speech.tts import get_engine
    audio = get_engine(row["provider"]).synthesize(sample_text(loc), row["provider_voice_id"])
    data = to_wav_bytes(audio)
    with _lock:
        _samples[key] = data
        while len(_samples) > _SAMPLE_CACHE:
            _samples.popitem(last=False)
    return data
