"""Text-to-speech engines behind one interface (``TTSEngine`` in ``base``).

``get_engine(name)`` returns the process-wide instance of an engine, creating it on first use:
``"espeak"`` (espeak-ng 1.52 via espeakng-loader; all languages) or ``"piper"`` (neural English).
"""
from __future__ import annotations

from .base import CONTROL_KEYS, Audio, EngineError, TTSEngine, VoiceInfo

ENGINES = ("espeak", "piper")


def get_engine(name: str = "espeak") -> TTSEngine:
    if name == "espeak":
        from .espeak import get_engine as get
    elif name == "piper":
        from .piper import get_engine as get
    else:
        raise EngineError(f"unknown TTS engine {name!r} (known: {', '.join(ENGINES)})")
    return get()


__all__ = ["Audio", "CONTROL_KEYS", "ENGINES", "EngineError", "TTSEngine", "VoiceInfo", "get_engine"]
