"""Vendor voice metadata in our vocabulary: the adapters' ``list_voices()`` answer items of this shape
(the shape ``voice_catalog.import_provider_voices`` takes, before locales are resolved)::

    {"provider_voice_id": str, "name": str, "description": str | None,
     "gender": "male" | "female" | "neutral" | None, "age": "young" | "middle_aged" | "old" | None,
     "accent": VoiceAccent | None, "category": VoiceCategory | None, "tags": [str],
     "supported_languages": [vendor language codes as given, e.g. "en", "en-US"],
     "models": [model ids] | None,            # None: every model of the provider
     "model_languages": {model: [codes]}}     # only where the vendor says per model

Honest metadata: a value the vendor does not give stays None; a label we cannot map to the contract's
enums is kept as a tag (an accent label the enum lacks becomes accent "other" plus the label as a tag).
"""
from __future__ import annotations

import re

GENDERS = {"male": "male", "man": "male", "masculine": "male", "female": "female", "woman": "female",
           "feminine": "female", "neutral": "neutral", "gender_neutral": "neutral", "non-binary": "neutral",
           "nonbinary": "neutral", "androgynous": "neutral"}
AGES = {"young": "young", "middle aged": "middle_aged", "middle-aged": "middle_aged", "middle_aged": "middle_aged",
        "old": "old", "elderly": "old", "senior": "old"}
# First word of a vendor accent label → VoiceAccent.
ACCENTS = {
    "american": "american", "us": "american", "british": "british", "english": "british", "uk": "british",
    "scottish": "british", "welsh": "british", "australian": "australian", "indian": "indian",
    "canadian": "canadian", "irish": "irish", "african": "african", "nigerian": "african", "kenyan": "african",
    "ghanaian": "african", "european": "european", "swedish": "european", "dutch": "european",
    "spanish": "spanish", "french": "french", "german": "german", "italian": "italian",
    "portuguese": "portuguese", "brazilian": "portuguese", "japanese": "japanese", "korean": "korean",
    "chinese": "chinese", "mandarin": "chinese", "thai": "thai", "vietnamese": "vietnamese",
    "latin": "latin_american", "mexican": "latin_american", "argentine": "latin_american",
    "colombian": "latin_american", "arabic": "middle_eastern", "russian": "slavic",
    "polish": "slavic", "ukrainian": "slavic", "filipino": "southeast_asian", "indonesian": "southeast_asian",
}
TWO_WORD_ACCENTS = {"south african": "african", "middle eastern": "middle_eastern", "east asian": "east_asian",
                    "southeast asian": "southeast_asian", "latin american": "latin_american"}
# A vendor's use case → VoiceCategory.
CATEGORIES = {"narration": "narration", "audiobook": "narration", "narrative_story": "story", "story": "story",
              "news": "news", "conversational": "conversational", "social media": "social_media",
              "social_media": "social_media", "educational": "educational",
              "informative_educational": "educational", "podcast": "podcast", "business": "business"}


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.strip().split())
    return value or None


def gender(value) -> str | None:
    v = _clean(value)
    return GENDERS.get(v.lower()) if v else None


def age(value) -> str | None:
    v = _clean(value)
    return AGES.get(v.lower()) if v else None


def accent(value) -> tuple[str | None, str | None]:
    """(VoiceAccent, tag to keep): 'british-essex' → ('british', 'british-essex'), 'transatlantic' →
    ('other', 'transatlantic'), None → (None, None)."""
    v = _clean(value)
    if not v:
        return None, None
    label = v.lower()
    words = re.split(r"[\s_\-/]+", label)
    mapped = TWO_WORD_ACCENTS.get(" ".join(words[:2])) or ACCENTS.get(words[0]) or "other"
    return mapped, (None if label == mapped else label)


def category(value) -> tuple[str | None, str | None]:
    """(VoiceCategory, tag to keep) from a use-case label."""
    v = _clean(value)
    if not v:
        return None, None
    label = v.lower()
    mapped = CATEGORIES.get(label)
    return mapped, (None if mapped else label.replace("_", " "))


def tags(*values) -> list[str]:
    out: list[str] = []
    for value in values:
        v = _clean(value)
        if v and v.lower() not in out:
            out.append(v.lower())
    return out


def item(provider_voice_id, name, *, description=None, gender_=None, age_=None, accent_=None, category_=None,
         tags_=(), languages=(), models=None, model_languages=None) -> dict | None:
    """One list_voices item; None when the vendor's entry has no id or no name (it cannot be used)."""
    pvid, label = _clean(provider_voice_id), _clean(name)
    if not pvid or not label:
        return None
    out = {"provider_voice_id": pvid, "name": label, "description": _clean(description), "gender": gender_,
           "age": age_, "accent": accent_, "category": category_, "tags": tags(*tags_),
           "supported_languages": [c for c in dict.fromkeys(_clean(x) for x in languages) if c],
           "models": list(models) if models else None}
    if model_languages:
        out["model_languages"] = {m: list(v) for m, v in model_languages.items()}
    return out
