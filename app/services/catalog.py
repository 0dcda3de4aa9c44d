"""What this deployment can synthesize, shaped for the providers.* endpoints.

The providers, models, locales, controls and engine voices come from the speech provider registry
(app/speech/registry.py) through app.workflows.catalog.default_catalog(); voice_count counts the stored
catalog's platform voices (app/services/voices.py).
A workspace sees a cloud provider (ElevenLabs, OpenAI, Cartesia) only when it has its own key for it:
the others are left out of its lists, and asking for one by name is a 404 that says so.
"""
from __future__ import annotations

from app.errors import NotFound
from app.workflows.catalog import ProviderCatalog, default_catalog


class WorkspaceCatalog:
    """The deployment's catalog as one workspace sees it: a cloud provider only once the workspace
    has its own key for it (Settings → Provider keys). Everything else is the deployment's catalog."""

    def __init__(self, base, hidden: set[str]):
        self._base, self.hidden = base, set(hidden)

    def providers(self) -> list[str]:
        return [p for p in self._base.providers() if p not in self.hidden]

    def has_provider(self, provider: str) -> bool:
        return provider not in self.hidden and self._base.has_provider(provider)

    def __getattr__(self, name):
        return getattr(self._base, name)


def unconfigured_cloud_providers(workspace_id: str) -> set[str]:
    """Cloud TTS providers this workspace has no usable key for."""
    from app.services import provider_credentials
    from app.speech.tts.cloud import PROVIDERS
    return {p for p in PROVIDERS if provider_credentials.resolve(workspace_id, "tts", p) is None}


def catalog(workspace_id: str | None = None) -> ProviderCatalog:
    """The deployment's catalog; with a workspace, without the cloud providers it has no key for."""
    base = default_catalog()
    if workspace_id is None:
        return base
    return WorkspaceCatalog(base, unconfigured_cloud_providers(workspace_id))


def voice_count(provider: str, model: str, cat=None) -> int:
    """Live count of the platform voices (the stored catalog) declaring this provider and model."""
    from app.services.voices import count_platform_voices
    return count_platform_voices(provider, model)


def provider_out(provider: str, cat: ProviderCatalog | None = None) -> dict:
    cat = cat or catalog()
    if not cat.has_provider(provider):
        if provider in getattr(cat, "hidden", ()):
            from app.speech.tts.cloud import display_name
            raise NotFound(f"{display_name(provider)} is not configured for this workspace: an admin can add "
                           f"its API key under Settings → Provider keys.")
        raise NotFound(f"Unknown provider {provider!r}.")
    return {"provider": provider, "display_name": cat.provider_display_name(provider), "kind": "tts",
            "model_count": len(cat.models(provider)), "beta": False,
            "links": {"models": {"href": f"/api/v1/providers/{provider}/models", "method": "GET"}}}


def model_out(provider: str, model: str, cat: ProviderCatalog | None = None) -> dict:
    cat = cat or catalog()
    provider_out(provider, cat)
    if not cat.has_model(provider, model):
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


def providers_out(workspace_id: str | None = None) -> list[dict]:
    cat = catalog(workspace_id)
    return [provider_out(p, cat) for p in cat.providers()]


def models_out(provider: str, workspace_id: str | None = None) -> list[dict]:
    cat = catalog(workspace_id)
    provider_out(provider, cat)
    return [model_out(provider, m, cat) for m in cat.models(provider)]
