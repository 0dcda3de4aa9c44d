"""What the cloud providers offer, as data: models, the contract locales each model speaks, and the
controls it honours. Static (no network): a workspace needs its own key to use any of it."""
from __future__ import annotations

from .openai_tts import BUILTIN_VOICES

ALL = ("de-de", "en-gb", "en-us", "es-es", "es-mx", "fr-fr", "ja-jp", "ko-kr", "pt-br", "pt-pt", "zh-cn")
ENGLISH = ("en-gb", "en-us")

SPEED = {"type": "number", "minimum": 0.5, "maximum": 2.0, "default": 1.0,
         "description": "Speaking rate multiplier (clamped to what the provider accepts)"}
UNIT = {"type": "number", "minimum": 0.0, "maximum": 1.0}

CONTROLS = {
    "elevenlabs": {
        "speed": {**SPEED, "minimum": 0.7, "maximum": 1.2, "description": "Speaking rate (ElevenLabs: 0.7–1.2)"},
        "stability": {**UNIT, "default": 0.5, "description": "ElevenLabs voice stability"},
        "similarity_boost": {**UNIT, "default": 0.75, "description": "ElevenLabs similarity boost"},
        "style": {**UNIT, "default": 0.0, "description": "ElevenLabs style exaggeration"},
    },
    "openai": {
        "speed": {**SPEED, "minimum": 0.25, "maximum": 4.0, "description": "Speaking rate (OpenAI: 0.25–4.0)"},
    },
    "cartesia": {
        "speed": {**SPEED, "minimum": 0.6, "maximum": 1.5, "description": "Speaking rate (Cartesia: 0.6–1.5)"},
    },
}
EXTRA_CONTROLS = {
    ("openai", "gpt-4o-mini-tts"): {"instructions": {"type": "string", "default": None,
                                                     "description": "How to speak (tone, accent, pace)"}},
    ("cartesia", "sonic-3"): {"volume": {"type": "number", "minimum": 0.5, "maximum": 2.0, "default": 1.0,
                                         "description": "Cartesia volume (sonic-3)"},
                              "emotion": {"type": "string", "default": None,
                                          "description": "Cartesia emotion guidance (sonic-3), e.g. calm"}},
}

PROVIDERS: dict[str, dict] = {
    "elevenlabs": {"display_name": "ElevenLabs", "models": {
        "eleven_multilingual_v2": ("Eleven Multilingual v2", ALL),
        "eleven_v3": ("Eleven v3", ALL),
        "eleven_flash_v2_5": ("Eleven Flash v2.5", ALL),
        "eleven_turbo_v2_5": ("Eleven Turbo v2.5", ALL),
        "eleven_flash_v2": ("Eleven Flash v2 (English)", ENGLISH),
        "eleven_turbo_v2": ("Eleven Turbo v2 (English)", ENGLISH),
    }},
    "openai": {"display_name": "OpenAI", "models": {
        "tts-1": ("TTS-1", ALL),
        "tts-1-hd": ("TTS-1 HD", ALL),
        "gpt-4o-mini-tts": ("GPT-4o mini TTS", ALL),
    }},
    "cartesia": {"display_name": "Cartesia", "models": {
        "sonic-2": ("Sonic 2", ALL),
        "sonic-turbo": ("Sonic Turbo", ALL),
        "sonic-3": ("Sonic 3", ALL),
    }},
}

VOICES = {"openai": BUILTIN_VOICES}


def model_controls(provider: str, model: str) -> dict:
    return {**{k: dict(v) for k, v in CONTROLS.get(provider, {}).items()},
            **{k: dict(v) for k, v in EXTRA_CONTROLS.get((provider, model), {}).items()}}


def voice_known(provider: str, model: str, voice_id: str) -> bool | None:
    """True for a provider's built-in voice; None otherwise (account voices cannot be listed offline)."""
    if model not in PROVIDERS.get(provider, {}).get("models", {}):
        return False
    return True if voice_id in VOICES.get(provider, ()) else None
