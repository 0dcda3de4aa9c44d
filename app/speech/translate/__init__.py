"""Machine translation adapters (no Flask, no database): LibreTranslate, DeepL and any
OpenAI-compatible chat-completions endpoint, each behind `Translator.translate(texts, source, target)`.

`get_translator(provider, secret, base_url, options)` builds one for a workspace credential. Adapters
hold no connection state, so building one per launch is cheap.
"""
from __future__ import annotations

from app.speech.translate.base import TRANSIENT, HttpPolicy, MTError, Translator
from app.speech.translate.deepl import DeepL
from app.speech.translate.libretranslate import LibreTranslate
from app.speech.translate.openai_compatible import OpenAICompatible

ADAPTERS: dict[str, type[Translator]] = {"libretranslate": LibreTranslate, "deepl": DeepL,
                                         "openai_compatible": OpenAICompatible}
PROVIDERS = tuple(ADAPTERS)


def get_translator(provider: str, secret: str | None = None, base_url: str | None = None,
                   options: dict | None = None, policy: HttpPolicy | None = None) -> Translator:
    cls = ADAPTERS.get(provider)
    if cls is None:
        raise ValueError(f"unknown MT provider {provider!r} (known: {', '.join(PROVIDERS)})")
    return cls(secret=secret, base_url=base_url, options=options, policy=policy)


__all__ = ["ADAPTERS", "PROVIDERS", "TRANSIENT", "HttpPolicy", "MTError", "Translator", "get_translator"]
