"""The speech provider registry: what this deployment can synthesize, read from the installed engines.

providers → models → locales, canonical controls and voices. Local engines are discovered here (espeak-ng
through espeakng-loader; Piper with its bundled voice plus any `.onnx` + `.onnx.json` pair in
ONEPIN_PIPER_VOICES_DIR). No Flask, no database: callers pass the locales they care about.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

log = logging.getLogger("onepin.speech.registry")

# Canonical, provider-agnostic controls (the model's `controls`); each engine maps them itself.
CONTROL_SCHEMAS = {
    "speed": {"type": "number", "minimum": 0.5, "maximum": 2.0, "default": 1.0,
              "description": "Speaking rate multiplier (1.0 = the voice's own rate)"},
    "pitch": {"type": "number", "minimum": -1.0, "maximum": 1.0, "default": 0.0,
              "description": "Pitch offset (-1 lowest, 0 the voice's own, 1 highest)"},
    "volume": {"type": "number", "minimum": 0.0, "maximum": 2.0, "default": 1.0,
               "description": "Amplitude multiplier before loudness normalisation"},
    "variant": {"type": "string", "default": None,
                "description": "espeak voice variant, e.g. f3, m2, klatt"},
}


@dataclass(frozen=True)
class ModelInfo:
    model: str
    display_name: str
    locales: tuple[str, ...]
    controls: dict
    content_type: str = "audio/wav"
    voices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProviderInfo:
    provider: str
    display_name: str
    kind: str = "tts"
    models: dict[str, ModelInfo] = field(default_factory=dict)


_lock = threading.Lock()
_cache: dict[tuple, dict[str, ProviderInfo]] = {}


def _controls(names) -> dict:
    return {k: dict(CONTROL_SCHEMAS[k]) for k in CONTROL_SCHEMAS if k in names}


def _espeak_locale(engine, locale: str) -> bool:
    for candidate in (locale, locale.split("-")[0]):
        try:
            engine.resolve_voice(candidate)
            return True
        except Exception:  # noqa: BLE001 - EngineError: not this one
            continue
    return False


def _espeak(locales) -> ProviderInfo | None:
    try:
        from app.speech.tts import get_engine
        engine = get_engine("espeak")
    except Exception as exc:  # noqa: BLE001
        log.warning("espeak-ng is not available: %s", exc)
        return None
    model = ModelInfo("espeak-ng", "eSpeak NG",
                      tuple(loc for loc in locales if _espeak_locale(engine, loc)),
                      _controls(engine.supported_controls), "audio/wav", tuple(v.id for v in engine.voices()))
    return ProviderInfo("espeak", "eSpeak NG", models={model.model: model})


def _piper(locales) -> ProviderInfo | None:
    try:
        from app.speech.tts import get_engine
        engine = get_engine("piper")
        voices = engine.voices()
    except Exception as exc:  # noqa: BLE001
        log.warning("Piper is not available: %s", exc)
        return None
    spoken = {lang for v in voices for lang in v.languages}
    model = ModelInfo("piper-vits", "Piper VITS", tuple(loc for loc in locales if loc in spoken),
                      _controls(engine.supported_controls), "audio/wav", tuple(v.id for v in voices))
    return ProviderInfo("piper", "Piper", models={model.model: model})


def _cloud(locales) -> list[ProviderInfo]:
    """ElevenLabs, OpenAI and Cartesia: always listed here; a workspace needs its own key to use one
    (the services layer hides the ones a workspace has no key for)."""
    from app.speech.tts.cloud import catalog as cloud
    out = []
    for name, spec in cloud.PROVIDERS.items():
        models = {m: ModelInfo(m, title, tuple(loc for loc in locales if loc in spoken),
                               cloud.model_controls(name, m), "audio/wav", tuple(cloud.VOICES.get(name, ())))
                  for m, (title, spoken) in spec["models"].items()}
        out.append(ProviderInfo(name, spec["display_name"], models=models))
    return out


def providers(locales: tuple[str, ...]) -> dict[str, ProviderInfo]:
    """Every installed provider (cached per process; `refresh()` rediscovers)."""
    key = tuple(locales)
    with _lock:
        if key not in _cache:
            found = [p for p in (_espeak(locales), _piper(locales), *_cloud(locales)) if p is not None]
            _cache[key] = {p.provider: p for p in found}
        return _cache[key]


def refresh() -> None:
    with _lock:
        _cache.clear()


def voice_known(provider: str, model: str, voice_id: str) -> bool | None:
    """Does the engine have this voice? None when it cannot tell (not a local engine)."""
    from app.speech.tts.cloud import catalog as cloud
    if provider in cloud.PROVIDERS:
        return cloud.voice_known(provider, model, voice_id)
    try:
        from app.speech.tts import get_engine
        engine = get_engine(provider)
    except Exception:  # noqa: BLE001
        return None
    if provider == "espeak":
        try:
            engine.resolve_voice(voice_id)
            return True
        except Exception:  # noqa: BLE001
            return False
    return voice_id in {v.id for v in engine.voices()}
