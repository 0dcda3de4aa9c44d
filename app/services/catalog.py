"""What this deployment can synthesize, shaped for the providers.* endpoints.

The providers, models, locales, controls and engine voices come from the speech provider registry
(app/speech/registry.py) through app.workflows.catalog.default_catalog(). Once the stored voice
catalog exists (Part 5), voice_count counts its platform voices; until then, the engine's own voices.
"""
from __future__ import annotations

from app.errors import NotFound
from app.workflows.catalog import ProviderCatalog, default_catalog

def catalog() -> ProviderCatalog:
    return default_catalog()


def voice_count(provider: str, model: str, cat=None) -> int:
    """Platform voices declaring this provider and model (the stored catalog, Part 5), else the
    voices the engine itself offers."""
    try:
        from app.services.voices import count_platform_voices
    except ImportError:
        return int(((cat or catalog()).model_info(provider, model) or {}).get("voice_count", 0))
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
    info = cat.model_info(provider, model)
    controls = info.get("controls") or {}
    return {"model": model, "display_name": cat.model_display_name(provider, model),
            "content_type": info.get("content_type", "audio/wav"),
            "config_schema": {"type": "object", "properties": {k: {kk: vv for kk, vv in v.items() if kk != "default"}
                                                              for k, v in controls.items()}},
            "controls": controls, "voice_count": voice_count(provider, model, cat), "beta": False,
            "supported_languages": cat.model_locales(provider, model),
            "links": {"voices": {"href": f"/api/v1/providers/{provider}/models/{model}/voices", "method": "GET"}}}


def providers_out() -> list[dict]:
    cat = catalog()
    return [provider_out(p, cat) for p in cat.providers()]


def models_out(provider: str) -> list[dict]:
    cat = catalog()
    provider_out(provider, cat)
    return [model_out(provider, m, cat) for m in cat.models(provider)]
