"""Locales a workflow can speak (the contract's language enums) and bare-family resolution."""
from __future__ import annotations

SUPPORTED_LOCALES: tuple[str, ...] = (
    "de-de", "en-gb", "en-us", "es-es", "es-mx", "fr-fr",
    "ja-jp", "ko-kr", "pt-br", "pt-pt", "zh-cn",
)

LOCALE_DISPLAY_NAMES: dict[str, str] = {
    "de-de": "German (Germany)",
    "en-gb": "English (United Kingdom)",
    "en-us": "English (United States)",
    "es-es": "Spanish (Spain)",
    "es-mx": "Spanish (Mexico)",
    "fr-fr": "French (France)",
    "ja-jp": "Japanese (Japan)",
    "ko-kr": "Korean (South Korea)",
    "pt-br": "Portuguese (Brazil)",
    "pt-pt": "Portuguese (Portugal)",
    "zh-cn": "Chinese (Mandarin, Simplified)",
}

# A bare family turns into this region (contract §13: "a bare family turns into a region").
FAMILY_DEFAULTS: dict[str, str] = {
    "de": "de-de", "en": "en-us", "es": "es-es", "fr": "fr-fr",
    "ja": "ja-jp", "ko": "ko-kr", "pt": "pt-br", "zh": "zh-cn",
}


def canonical_locale(value: object) -> str | None:
    """'EN_us' -> 'en-us', 'en' -> 'en-us'; None when the value is not a supported locale."""
    if not isinstance(value, str):
        return None
    v = value.strip().lower().replace("_", "-")
    if v in SUPPORTED_LOCALES:
        return v
    return FAMILY_DEFAULTS.get(v)


def locale_options(locales=SUPPORTED_LOCALES) -> list[dict]:
    """EnumOption list ({value, display_name}) for the given locales."""
    return [{"value": loc, "display_name": LOCALE_DISPLAY_NAMES.get(loc, loc)} for loc in locales]
