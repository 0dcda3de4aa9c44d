"""What this deployment can synthesize: providers -> models -> locales (and known voices).

The validator only needs a handful of questions answered, so the interface is small. The real
registry in `app/speech` will implement `ProviderCatalog`; until then `default_catalog()`
describes the engines installed by pip alone (espeak-ng and Piper, DESIGN §5).
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from app.workflows.locales import SUPPORTED_LOCALES


@runtime_checkable
class ProviderCatalog(Protocol):
    def providers(self) -> list[str]: ...
    def has_provider(self, provider: str) -> bool: ...
    def provider_display_name(self, provider: str) -> str: ...
    def models(self, provider: str) -> list[str]: ...
    def has_model(self, provider: str, model: str) -> bool: ...
    def model_display_name(self, provider: str, model: str) -> str: ...
    def model_locales(self, provider: str, model: str) -> list[str]: ...
    def voice_known(self, provider: str, model: str, voice_id: str) -> bool | None: ...


class StaticCatalog:
    """A catalog from a plain dict, for tests and for the default engines.

        StaticCatalog({"espeak": {"display_name": "eSpeak NG", "models": {
            "espeak-ng": {"display_name": "eSpeak NG", "locales": ["en-us"], "voices": ["en-us"]}}}})

    `voices` is optional: without it `voice_known` answers None ("can't tell").
    """

    def __init__(self, providers: dict):
        self._p = providers

    def providers(self) -> list[str]:
        return list(self._p)

    def has_provider(self, provider: str) -> bool:
        return isinstance(provider, str) and provider in self._p

    def provider_display_name(self, provider: str) -> str:
        return self._p.get(provider, {}).get("display_name", provider)

    def _model(self, provider: str, model: str) -> dict | None:
        return self._p.get(provider, {}).get("models", {}).get(model)

    def models(self, provider: str) -> list[str]:
        return list(self._p.get(provider, {}).get("models", {}))

    def has_model(self, provider: str, model: str) -> bool:
        return isinstance(model, str) and self._model(provider, model) is not None

    def model_display_name(self, provider: str, model: str) -> str:
        return (self._model(provider, model) or {}).get("display_name", model)

    def model_locales(self, provider: str, model: str) -> list[str]:
        return list((self._model(provider, model) or {}).get("locales", []))

    def voice_known(self, provider: str, model: str, voice_id: str) -> bool | None:
        m = self._model(provider, model)
        if m is None:
            return False
        voices = m.get("voices")
        if voices is None:
            return None
        return voice_id in voices


class EngineCatalog(StaticCatalog):
    """The catalog of this deployment, read from the speech provider registry (app/speech/registry.py):
    the installed engines, their models, the supported locales they can speak, and their voices."""

    def __init__(self):
        from app.speech import registry
        self._registry = registry
        super().__init__({p.provider: {"display_name": p.display_name, "models": {
            m.model: {"display_name": m.display_name, "locales": list(m.locales), "controls": m.controls,
                      "content_type": m.content_type, "voice_count": len(m.voices)}
            for m in p.models.values()}} for p in registry.providers(tuple(SUPPORTED_LOCALES)).values()})

    def voice_known(self, provider: str, model: str, voice_id: str) -> bool | None:
        if self._model(provider, model) is None:
            return False
        return self._registry.voice_known(provider, model, voice_id)

    def model_info(self, provider: str, model: str) -> dict:
        return dict(self._model(provider, model) or {})


_default = None


def default_catalog() -> StaticCatalog:
    """What this deployment can synthesize (built once per process from the installed engines)."""
    global _default
    if _default is None:
        _default = EngineCatalog()
    return _default
