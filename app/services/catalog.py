"""What this deployment can synthesize, shaped for the providers.* endpoints.

The provider registry is app.workflows.catalog (espeak-ng and Piper today); the speech engines
(app/speech) and the voice catalog will fill in controls and voice counts from the real engines.
"""
from __future__ import annotations

from app.errors import NotFound
from app.workflows.catalog import ProviderCatalog, default_catalog

# Canonical, provider-agnostic controls and how each provider maps them.
CONTROLS = {
    "espeak": {"speed": {"type": "number", "minimum": 0.5, "maximum": 2.0, "default": 1.0,
                         "description": "Speaking rate multiplier (espeak words per minute, 175 = 1.0)"},
               "pitch": {"type": "number", "minimum": -1.0, "maximum": 1.0, "default": 0.0,
                         "description": "Pitch offset (espeak pitch 0-99, 50 = 0.0)"},
               "volume": {"type": "number", "minimum": 0.0, "maximum": 2.0, "default": 1.0,
                          "description": "Amplitude multiplier"},
               "variant": {"type": "string", "default": None,
                           "description": "espeak voice variant, e.g. f3, m2, klatt"}},
    "piper": {"speed": {"type": "number", "minimum": 0.5, "maximum": 2.0, "default": 1.0,
                        "description": "Speaking rate multiplier (Piper length_scale = 1 / speed)"},
              "volume": {"type": "number", "minimum": 0.0, "maximum": 2.0, "default": 1.0,
                         "description": "Amplitude multiplier"},
              "noise_scale": {"type": "number", "minimum": 0.0, "maximum": 1.0, "default": 0.667,
                              "description": "Piper variability of the voice"}},
}
CONTENT_TYPE = {"espeak": "audio/wav", "piper": "audio/wav"}


def catalog() -> ProviderCatalog:
    return default_catalog()


def voice_count(provider: str, model: str | None = None) -> int:
    """Platform voices declaring this provider (and model); the voice catalog arrives with Part 5."""
    try:
        from app.services.voices import count_platform_voices
    except ImportError:
        return 0
    return count_platform_voices(provider, model)


def provider_out(provider: str, cat: ProviderCatalog | None = None) -> dict:
    cat = cat or catalog()
    if not cat.has_provider(provider):
        raise NotFound(f"Unknown provider {provider!r}.")
    return {"provider": provider, "display_name": cat.provider_display_name(provider), "kind": "tts",
            "model_count": len(cat.models(provider)), "beta": False,
            "links": {"models": {"href": f"/api/v1/providers/{provider}/models", "method": "GET"}}}


def model_out(provider: str, model: str, cat: ProviderCatalog | None = None) -> dict:
    cat = cat or catalog()
    if not cat.has_provider(provider) or not cat.has_model(provider, model):
        raise NotFound(f"Unknown model {provider}/{model}.")
    controls = CONTROLS.get(provider, {})
    return {"model": model, "display_name": cat.model_display_name(provider, model),
            "content_type": CONTENT_TYPE.get(provider, "audio/wav"),
            "config_schema": {"type": "object", "properties": {k: {kk: vv for kk, vv in v.items() if kk != "default"}
                                                              for k, v in controls.items()}},
            "controls": controls, "voice_count": voice_count(provider, model), "beta": False,
            "supported_languages": cat.model_locales(provider, model),
            "links": {"voices": {"href": f"/api/v1/providers/{provider}/models/{model}/voices", "method": "GET"}}}


def providers_out() -> list[dict]:
    cat = catalog()
    return [provider_out(p, cat) for p in cat.providers()]


def models_out(provider: str) -> list[dict]:
    cat = catalog()
    provider_out(provider, cat)
    return [model_out(provider, m, cat) for m in cat.models(provider)]
