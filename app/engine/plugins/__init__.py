"""Node implementations, registered by node type. Source and sink are handled inline by the scheduler;
every other type needs a plugin here, or a run containing it is refused at launch."""
from __future__ import annotations

import importlib
import os

from app.engine.plugins.base import NodePlugin, TakeFailed, TakeOutput

_REGISTRY: dict[str, NodePlugin] = {}
_LOADED = False

BUILTIN = ("app.engine.plugins.generator", "app.engine.plugins.normalizer", "app.engine.plugins.translator",
           "app.engine.plugins.phoneme_injector", "app.engine.plugins.validators_quality",
           "app.engine.plugins.validators_asr", "app.engine.plugins.corrector")


def register(plugin: NodePlugin) -> NodePlugin:
    _REGISTRY[plugin.node_type] = plugin
    return plugin


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    extra = [m for m in os.environ.get("ONEPIN_ENGINE_PLUGINS", "").split(",") if m.strip()]
    for module in (*BUILTIN, *extra):
        importlib.import_module(module.strip())


def get(node_type: str) -> NodePlugin | None:
    _load()
    return _REGISTRY.get(node_type)


INLINE = {"source_script", "sink_preview"}


def available(node_type: str) -> bool:
    return node_type in INLINE or get(node_type) is not None


__all__ = ["NodePlugin", "TakeFailed", "TakeOutput", "register", "get", "available", "INLINE"]
