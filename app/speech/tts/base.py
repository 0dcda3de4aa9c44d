"""The TTS interface shared by every engine: Audio, VoiceInfo, TTSEngine, EngineError.

Canonical ``controls`` (every key optional; engines ignore keys they do not support):

- ``speed``: multiplier, 1.0 = the engine's default rate (2.0 = twice as fast).
- ``pitch``: -1.0 .. 1.0, 0.0 = the voice's default pitch.
- ``volume``: multiplier, 1.0 = default loudness.
- ``variant``: espeak only: a voice variant such as ``"f3"``, ``"m2"``, ``"klatt"``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

CONTROL_KEYS = ("speed", "pitch", "volume", "variant")


class EngineError(Exception):
    """A TTS request that the engine cannot fulfil (bad text, unknown voice, engine failure)."""


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono float32 samples in [-1, 1] at ``sample_rate`` Hz."""

    samples: np.ndarray
    sample_rate: int

    def __post_init__(self) -> None:
        s = np.asarray(self.samples, dtype=np.float32)
        if s.ndim != 1:
            raise ValueError(f"Audio must be mono (1-D), got shape {s.shape}")
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {self.sample_rate}")
        object.__setattr__(self, "samples", s)

    @property
    def num_samples(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_ms(self) -> int:
        """Whole milliseconds (stored in integer columns; SQLite would keep a float as it is)."""
        return int(round(1000.0 * self.num_samples / self.sample_rate))

    @property
    def duration_s(self) -> float:
        return self.num_samples / self.sample_rate


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers. ``id`` is what ``synthesize(voice=...)`` takes."""

    id: str
    name: str
    languages: list[str] = field(default_factory=list)
    gender: str | None = None  # "male" | "female" | None
    variant: bool = False      # True for espeak voice variants (combine as "<voice>+<id>")


@runtime_checkable
class TTSEngine(Protocol):
    name: str
    version: str  # engine version string; part of cache keys

    def synthesize(self, text: str, voice: str, controls: dict | None = None, *,
                   phonemes: bool = False, ssml: bool = False) -> Audio: ...

    def voices(self) -> list[VoiceInfo]: ...

    def text_to_ipa(self, text: str, voice: str) -> str: ...


def check_controls(controls: dict | None) -> dict:
    """Validate the canonical controls and fill in defaults. Unknown keys are ignored."""
    c = dict(controls or {})
    out: dict = {"speed": 1.0, "pitch": 0.0, "volume": 1.0, "variant": None}
    for key in ("speed", "pitch", "volume"):
        if c.get(key) is None:
            continue
        try:
            value = float(c[key])
        except (TypeError, ValueError):
            raise EngineError(f"control {key!r} must be a number, got {c[key]!r}") from None
        if not np.isfinite(value):
            raise EngineError(f"control {key!r} must be finite, got {value!r}")
        out[key] = value
    if out["speed"] <= 0:
        raise EngineError(f"control 'speed' must be > 0, got {out['speed']}")
    if not -1.0 <= out["pitch"] <= 1.0:
        raise EngineError(f"control 'pitch' must be between -1 and 1, got {out['pitch']}")
    if out["volume"] < 0:
        raise EngineError(f"control 'volume' must be >= 0, got {out['volume']}")
    variant = c.get("variant")
    if variant not in (None, ""):
        if not isinstance(variant, str):
            raise EngineError(f"control 'variant' must be a string, got {variant!r}")
        out["variant"] = variant
    return out


def require_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise EngineError("text is empty: nothing to synthesize")
    return text
