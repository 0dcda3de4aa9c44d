"""espeak-ng's voices as catalog entries.

espeak-ng has *voices* (a language, sometimes a regional accent: "en-gb-scotland") and *variants*
(a timbre applied to any voice: "+f3", "+whisper"). The catalog takes, for every deployment locale,
the voice espeak itself picks for that locale, alone and with every variant ("espeak:en-gb+f3"), and
every regional voice of a deployment locale on its own ("espeak:en-gb-scotland"). Regional voices are
not multiplied by the variants: their timbres are the locale voice's (same variant, nearly the same
sound), so the catalog would fill with near-twins that no listener or voiceprint tells apart.

Metadata comes from the engine: the variant file's declared gender and age, its pitch range (calm
or lively), its breath/echo/klatt settings; the accent from the locale. Test variants are skipped.
"""
from __future__ import annotations

import re
from pathlib import Path

from .words import (CATEGORY_USES, GENDER_NOUNS, LOCALE_ACCENTS, LOCALE_LABELS, LOCALE_WORDS, REGIONAL_ACCENTS,
                    REGIONAL_TAGS)

MODEL = "espeak-ng"
SKIP_VARIANTS = {"fast"}            # "fast_test": a speed test, not a voice
ROBOTIC = re.compile(r"^(robosoft\d*|klatt\d*|unirobot|anikarobot|demonic|tweaky|ricishaymax\d*)$", re.I)
WHISPER = {"whisper", "whisperf"}
ELDER = {"grandma", "grandpa"}
TITLE_OVERRIDES = {"announcer": "Announcer", "whisperf": "Female Whisper", "unirobot": "Universal Robot",
                   "aunty": "Auntie", "mr serious": "Mr Serious", "anikarobot": "Anika Robot",
                   "anxiousandy": "Anxious Andy"}
# Only what the variant files do not say: the grandparents are old, Zac is a child's voice.
AGE_OVERRIDES = {"grandpa": "old", "grandma": "old", "zac": "young", "aunty": "middle_aged"}
GENDER_OVERRIDES = {"zac": "neutral"}


def _title(variant_id: str, declared_name: str | None) -> str:
    key = variant_id.lower()
    if key in TITLE_OVERRIDES:
        return TITLE_OVERRIDES[key]
    m = re.fullmatch(r"([mf])(\d)", key)
    if m:
        return f"{'Male' if m.group(1) == 'm' else 'Female'} {m.group(2)}"
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)", " ", variant_id.replace("_", " ")).split()
    return " ".join(w[:1].upper() + w[1:] for w in words)


def read_variant(path: Path) -> dict:
    """What a variant file declares: name, gender, age, pitch (low, high Hz), breath, echo, klatt, voicing."""
    info: dict = {"breath": False, "echo": False, "klatt": False, "voicing": None}
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return info
    for raw in lines:
        parts = raw.split("//")[0].split("#")[0].split()
        if not parts:
            continue
        key, args = parts[0].lower(), parts[1:]
        if key == "name" and args:
            info["name"] = " ".join(args)
        elif key == "gender" and args:
            info["gender"] = {"female": "female", "male": "male"}.get(args[0].lower())
            if len(args) > 1 and args[1].isdigit():
                info["age_years"] = int(args[1])
        elif key == "pitch" and len(args) >= 2:
            try:
                info["pitch"] = (float(args[0]), float(args[1]))
            except ValueError:
                pass
        elif key in ("breath", "breathw"):
            info["breath"] = any(a.isdigit() and int(a) > 0 for a in args)
        elif key == "echo":
            info["echo"] = len(args) >= 2 and args[1].isdigit() and int(args[1]) > 0
        elif key == "klatt":
            info["klatt"] = True
        elif key == "voicing" and args and args[0].isdigit():
            info["voicing"] = int(args[0])
    return info


def _age(years: int | None) -> str | None:
    if years is None:
        return None
    return "young" if years < 30 else "middle_aged" if years < 60 else "old"


def _gender(info: dict) -> str:
    if info.get("gender"):
        return info["gender"]
    low = (info.get("pitch") or (82.0, 118.0))[0]        # espeak's default pitch when the file sets none
    return "female" if low >= 140 else "male" if low <= 115 else "neutral"


def _character(variant: str | None, info: dict) -> tuple[str, list[str], str]:
    """(category, character tags, one sentence about the sound)."""
    key = (variant or "").lower()
    tags: list[str] = []
    low, high = info.get("pitch") or (82.0, 118.0)
    spread = high / low if low > 0 else 1.4
    if info.get("breath"):
        tags.append("breathy")
    if info.get("echo"):
        tags.append("echo")
    if key in WHISPER:
        return "story", ["whisper", "soft", "hushed", *tags], "Breathy and hushed: it whispers every line."
    if key == "announcer":
        return "news", ["announcer", "deep", "public address", *tags], \
            "Deep and echoing, like a station's public-address system."
    if ROBOTIC.match(key):
        return "social_media", ["robotic", "effect", *tags], "A deliberately mechanical, effects-style sound."
    if key in ELDER:
        return "story", ["elderly", "grandparent", *tags], "An older-sounding voice with a softer, wavering delivery."
    if key == "croak":
        return "story", ["croaky", "rough", *tags], "Rough and croaky, with a gravelly edge."
    if low >= 230:
        tags.append("high-pitched")
    elif high <= 100:
        tags.append("deep")
    if spread <= 1.15:
        return "narration", ["monotone", "flat", "calm", *tags], \
            "Almost monotone: very even, with little rise and fall."
    if spread <= 1.45:
        return "narration", ["calm", "steady", "even", *tags], "Calm and even, with a steady, unhurried pitch."
    if spread >= 1.9:
        return "conversational", ["lively", "expressive", *tags], "Lively, with a wide and expressive pitch range."
    return "narration", ["clear", *tags], "Clear, with a moderate pitch range."


def _describe(gender: str | None, accent_phrase: str, sound: str, category: str, variant: str | None) -> str:
    noun = GENDER_NOUNS.get(gender, "voice")
    timbre = f" ({variant} variant)" if variant else ""
    return (f"A synthetic {noun} with {accent_phrase}, from the eSpeak NG formant synthesizer{timbre}. "
            f"{sound} Robotic rather than natural, but crisp, and rendered almost instantly. "
            f"{CATEGORY_USES[category]}")


def catalog_entries(engine, locales: tuple[str, ...], variants: tuple[str, ...] | None = None) -> list[dict]:
    """Catalog entries (plain dicts, see voicebook.VoiceSpec) for espeak's voices in ``locales``.
    ``variants`` limits which variant ids are used (None: all; () : none)."""
    import espeakng_loader
    variant_dir = Path(espeakng_loader.get_data_path()) / "voices" / "!v"
    by_id = {info.id: (info, identifier, langs) for info, identifier, langs in engine._voices}
    primary: dict[str, str] = {}
    for loc in locales:
        for candidate in (loc, loc.split("-")[0]):
            try:
                primary[loc] = engine.resolve_voice(candidate).rsplit("/", 1)[-1].lower()
                break
            except Exception:  # noqa: BLE001 - EngineError: no voice for this code
                continue
    variant_infos = []
    for v in engine.variants():
        if v.id.lower() in SKIP_VARIANTS or (variants is not None and v.id.lower() not in {x.lower() for x in variants}):
            continue
        variant_infos.append((v.id, read_variant(variant_dir / v.id)))
    out: list[dict] = []
    base_info = {"pitch": (82.0, 118.0)}
    for loc, voice_id in primary.items():
        if voice_id not in by_id:
            continue
        label = LOCALE_LABELS.get(loc, loc)
        accent_phrase = f"a {label} accent" if loc.startswith("en-") else f"a standard {label} accent"
        for variant, info in [(None, base_info)] + variant_infos:
            out.append(_entry(loc, voice_id, variant, info, label, accent_phrase, []))
    primaries = set(primary.values())
    for voice_id, (info, _identifier, langs) in by_id.items():
        if voice_id in primaries or not langs:
            continue
        first = langs[0][1].lower()
        loc = next((L for L in locales if first.startswith(L + "-")), None)
        if loc is None:
            continue
        lowered = info.name.lower()
        marker = next((m for m in REGIONAL_TAGS if m in lowered), None)
        extra = REGIONAL_TAGS.get(marker, [])
        region = info.name.split("(", 1)[-1].rstrip(")").strip() if "(" in info.name else info.name
        label = f"{LOCALE_LABELS.get(loc, loc)}, {region}"
        accent = REGIONAL_ACCENTS.get(marker) or f"a regional accent ({region})"
        out.append(_entry(loc, voice_id, None, base_info, label, accent, extra, display=info.name,
                          regional=True))
    return out


def _entry(loc: str, voice_id: str, variant: str | None, info: dict, label: str, accent_phrase: str,
           extra_tags: list[str], display: str | None = None, regional: bool = False) -> dict:
    key = variant.lower() if variant else ""
    gender = GENDER_OVERRIDES.get(key) or _gender(info)
    age = AGE_OVERRIDES.get(key) or _age(info.get("age_years"))
    if variant is None:
        category, character, sound = "educational", ["clear", "neutral", "default"], \
            ("eSpeak NG's own regional voice, with a moderate pitch range." if regional else
             "The engine's standard voice for this language, with a moderate pitch range.")
        title = f"eSpeak {display or LOCALE_LABELS.get(loc, loc)}"
        name = title
    else:
        category, character, sound = _character(variant, info)
        title = _title(variant, info.get("name"))
        name = f"{title} ({label})"
    provider_voice_id = voice_id + (f"+{variant}" if variant else "")
    slug = provider_voice_id.lower().replace(" ", "-")
    tags = list(dict.fromkeys([*(t for t in [gender, *(["old"] if age == "old" else []),
                                              *(["young"] if age == "young" else [])] if t),
                               *LOCALE_WORDS.get(loc, []), *extra_tags, *character, "espeak", "synthetic", "fast"]))
    return {
        "key": f"espeak:{slug}", "provider": "espeak", "model": MODEL, "provider_voice_id": provider_voice_id,
        "name": name, "gender": gender, "age": age, "accent": LOCALE_ACCENTS.get(loc), "category": category,
        "description": _describe(gender, accent_phrase, sound, category, title if variant else None),
        "tags": tags, "locales": [loc],
        "meta": {"engine": "espeak", "voice": voice_id, "variant": variant, "pitch_hz": list(info.get("pitch") or ())},
    }
