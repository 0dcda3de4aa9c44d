"""Cloud text-to-speech over HTTP with the workspace's own keys: ElevenLabs, OpenAI and Cartesia.

No Flask, no database: the caller passes the key (and an optional base URL, e.g. a self-hosted proxy
or a test fake). ``adapter(provider, api_key, base_url, options)`` builds one; its
``synthesize(text, voice, model, controls, locale=...)`` returns normalised ``Audio`` or raises one of
the typed errors in ``errors`` (each names the run pause reason it leads to).
"""
from __future__ import annotations

from .base import CloudTTS
from .cartesia import Cartesia
from .elevenlabs import ElevenLabs
from .errors import (PAUSE_REASONS, ProviderAuthError, ProviderBilling, ProviderError, ProviderOutage,
                     ProviderRateLimited, ProviderRequestError)
from .http import HttpPolicy
from .openai_tts import OpenAITTS

ADAPTERS: dict[str, type[CloudTTS]] = {"elevenlabs": ElevenLabs, "openai": OpenAITTS, "cartesia": Cartesia}
PROVIDERS = tuple(ADAPTERS)


def display_name(provider: str) -> str:
    cls = ADAPTERS.get(provider)
    return cls.display_name if cls else provider


def adapter(provider: str, api_key: str | None, base_url: str | None = None, options: dict | None = None,
            **kwargs) -> CloudTTS:
    try:
        cls = ADAPTERS[provider]
    except KeyError:
        raise ValueError(f"unknown cloud TTS provider {provider!r} (known: {', '.join(PROVIDERS)})") from None
    return cls(api_key, base_url, options=options, **kwargs)


__all__ = ["ADAPTERS", "PAUSE_REASONS", "PROVIDERS", "CloudTTS", "HttpPolicy", "ProviderAuthError",
           "ProviderBilling", "ProviderError", "ProviderOutage", "ProviderRateLimited", "ProviderRequestError",
           "adapter", "display_name"]
