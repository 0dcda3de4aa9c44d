"""The editor's voice picker: voices of the catalog (app/services/voices.py) that can speak a
generator's locale, filtered by language, gender and provider, with their rendered previews; and
the voice_map assignment a choice writes.

The assignment is the one the CLI's `onepin workflows set-voice` writes, built the same way from the
catalog row (onepin/_cli/commands/composites.py `_voice_assignment`):
    {"voice_id": <provider's own voice id>, "catalog_voice_id": <catalog id>, "provider", "model",
     "voice_name"}
with the first model whose languages cover the locale; a choice replaces the locale's list with that
one assignment, like set-voice does.
"""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.errors import ValidationFailed
from app.services import voices as voice_svc
from app.workflows.locales import LOCALE_DISPLAY_NAMES, canonical_locale

GENDERS = ("female", "male", "neutral")


def speaks(declared: list[str], locale: str) -> bool:
    """Family-aware, like the CLI: `ko` covers `ko-kr`, and `ko-kr` covers a bare `ko`."""
    wanted = locale.casefold()
    family = wanted.split("-", 1)[0]
    for entry in declared or []:
        d = str(entry).casefold()
        if d in (wanted, family) or d.split("-", 1)[0] == wanted:
            return True
    return False


def default_model(voice: dict, locale: str) -> str | None:
    """The first model that covers the locale; a model with unknown coverage is a last resort."""
    caps = voice.get("model_capabilities") or []
    for cap in caps:
        if speaks(cap.get("supported_languages") or [], locale):
            return cap["model"]
    for cap in caps:
        if not cap.get("languages_known"):
            return cap["model"]
    return (voice.get("supported_models") or [None])[0]


def language_options(locale: str) -> list[tuple[str, str]]:
    """The language filter's choices for a locale slot: the locale, its family, every locale."""
    family = locale.split("-", 1)[0]
    opts = [(locale, LOCALE_DISPLAY_NAMES.get(locale, locale))]
    opts.append((family, "Any " + LOCALE_DISPLAY_NAMES.get(locale, locale).split(" (")[0]))
    opts += [(loc, name) for loc, name in LOCALE_DISPLAY_NAMES.items() if loc != locale]
    return opts


def providers(ws) -> list[tuple[str, str]]:
    return [(p["value"], p["label"]) for p in voice_svc.facets(ws, MultiDict())["providers"]]


def _row(v: dict, language: str) -> dict:
    return {"id": v["id"], "provider": v["provider"], "provider_voice_id": v["provider_voice_id"],
            "model": default_model(v, language), "name": v["name"], "gender": v.get("gender"),
            "description": v.get("description"), "languages": list(v.get("supported_languages") or []),
            "sample_url": v.get("language_sample_url") or v.get("sample_url")}


def voices(ws, *, language: str, gender: str | None = None, provider: str | None = None,
           search: str | None = None, limit: int = 60) -> tuple[list[dict], int]:
    """(voices, how many matched) for the filters; `language` is a locale or a bare family."""
    args = MultiDict([("language", language)])
    for key, value in (("gender", gender), ("provider", provider), ("search", (search or "").strip())):
        if value:
            args.add(key, value)
    items, total = voice_svc.list_voices(ws, args, 0, limit)
    return [_row(v, language) for v in items], total


def assignment(ws, voice_id: str, locale: str) -> dict:
    """The voice_map entry for choosing `voice_id` for `locale` (refused when it cannot speak it)."""
    loc = canonical_locale(locale)
    if loc is None:
        raise ValidationFailed([{"field": "locale", "message": f"{locale!r} is not a supported language"}])
    v = voice_svc.get(ws, voice_id)
    name = v["name"]
    if not v["is_active"]:
        raise ValidationFailed([{"field": "voice", "message": f"{name} is not active and cannot be chosen"}])
    supported = v.get("supported_languages") or []
    if supported and not speaks(supported, loc):
        raise ValidationFailed([{"field": "voice", "message": f"{name} does not speak "
                                 f"{LOCALE_DISPLAY_NAMES.get(loc, loc)}"}])
    model = default_model(v, loc)
    if model is None:
        raise ValidationFailed([{"field": "voice", "message": f"{name} lists no model for {loc}"}])
    return {"voice_id": v["provider_voice_id"], "catalog_voice_id": v["id"], "provider": v["provider"],
            "model": model, "voice_name": name}
