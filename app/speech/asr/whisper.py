"""faster-whisper behind one function: ``transcribe(audio, locale) -> Transcript``.

Each model is loaded once per process (a lazy, lock-guarded cache keyed by model folder), after its
hash check, as int8 on the CPU with few threads (workers share a small machine). Decoding is greedy
and deterministic (beam 1, temperature 0, no temperature fallback) and guarded against Whisper's
hallucination loops: the previous window's text is not fed back (``condition_on_previous_text=False``),
the number of new tokens is capped from the audio's length, and a window whose text compresses
too well (a repeated phrase) is dropped by faster-whisper's compression-ratio check.
"""
from __future__ import annotations

import os
import threading
import zlib
from dataclasses import dataclass, field

import numpy as np

from app.speech.tts.base import Audio

from .models import AsrError, ModelSpec, spec_for, verify

SAMPLE_RATE = 16000
CPU_THREADS = int(os.environ.get("ONEPIN_ASR_THREADS", "2") or 2)
COMPRESSION_RATIO_LIMIT = 2.4       # faster-whisper's default; gzip ratio above this = looping text
TOKENS_PER_SECOND = 8               # generous: fast speech is about 4-5 Whisper tokens per second
MIN_NEW_TOKENS, MAX_NEW_TOKENS = 24, 224
PAD_S = 0.3   # silence added at both ends: Whisper often misses a first word that starts at sample 0


class UnsupportedLocale(AsrError):
    """No model is available for the locale (the caller reports the take as unsupported)."""


@dataclass(frozen=True)
class Word:
    text: str            # as Whisper wrote it, without the leading space
    start: float         # seconds from the start of the audio
    end: float
    probability: float
    offset: int = 0      # where ``text`` starts in ``Transcript.text``


@dataclass(frozen=True)
class Transcript:
    text: str
    words: list[Word] = field(default_factory=list)
    model: str = ""
    language: str = ""
    duration_s: float = 0.0
    looping: bool = False  # the decoded text repeats itself (compression ratio above the limit)
    context: bool = False  # decoded with a context text (see ``transcribe``)

    @property
    def mean_probability(self) -> float | None:
        return round(sum(w.probability for w in self.words) / len(self.words), 4) if self.words else None


_MODELS: dict[str, object] = {}
_LOCK = threading.Lock()


def _load(spec: ModelSpec):
    key = str(spec.path)
    model = _MODELS.get(key)
    if model is None:
        with _LOCK:
            model = _MODELS.get(key)
            if model is None:
                verify(spec)
                from faster_whisper import WhisperModel
                try:
                    model = WhisperModel(key, device="cpu", compute_type="int8", cpu_threads=CPU_THREADS,
                                         num_workers=1, local_files_only=True)
                except Exception as exc:  # noqa: BLE001 - CTranslate2 raises plain RuntimeErrors
                    raise AsrError(f"the speech recognition model {spec.name} could not be loaded: {exc}") from exc
                _MODELS[key] = model
    if not spec.english_only and not model.model.is_multilingual:
        raise UnsupportedLocale(f"the model in {spec.path} is English-only, so it cannot transcribe {spec.language!r}")
    return model


def model_for(locale: str) -> ModelSpec:
    """The model spec for ``locale`` (raises UnsupportedLocale with the reason when there is none)."""
    spec, why = spec_for(locale)
    if spec is None:
        raise UnsupportedLocale(why)
    return spec


def supports(locale: str) -> bool:
    return spec_for(locale)[0] is not None


def load(locale: str = "en"):
    """Load (once) and return the model for ``locale``: for warm-up and tests."""
    return _load(model_for(locale))


def to_input(audio: Audio, pad_s: float = 0.0) -> np.ndarray:
    """16 kHz mono float32, the only input Whisper takes (soxr high quality resampling), with
    ``pad_s`` seconds of silence added at both ends."""
    from app.speech.audio import resample
    if audio.sample_rate != SAMPLE_RATE:
        audio = resample(audio, SAMPLE_RATE)
    samples = np.asarray(audio.samples, dtype=np.float32)
    if pad_s > 0:
        pad = np.zeros(int(round(pad_s * SAMPLE_RATE)), np.float32)
        samples = np.concatenate([pad, samples, pad])
    return np.ascontiguousarray(samples)


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def max_new_tokens(duration_s: float) -> int:
    per_window = min(duration_s, 30.0)
    return int(min(MAX_NEW_TOKENS, max(MIN_NEW_TOKENS, 16 + TOKENS_PER_SECOND * per_window)))


def transcribe(audio: Audio, locale: str = "en-us", *, word_timestamps: bool = True,
               context: str | None = None) -> Transcript:
    """The words spoken in ``audio`` (raises UnsupportedLocale, ModelIntegrityError or AsrError).

    ``context`` is given to the decoder as the text that came before (Whisper's initial prompt). It
    biases the decoder toward those words and spellings: only for a second opinion, never alone.
    """
    spec = model_for(locale)
    model = _load(spec)
    samples = to_input(audio, PAD_S)
    duration = len(samples) / SAMPLE_RATE - 2 * PAD_S
    if duration < 0.05:
        return Transcript("", [], spec.name, spec.language, duration)
    try:
        segments, _info = model.transcribe(
            samples, language=spec.language, task="transcribe", beam_size=1, best_of=1, temperature=0.0,
            compression_ratio_threshold=COMPRESSION_RATIO_LIMIT, condition_on_previous_text=False,
            word_timestamps=word_timestamps, without_timestamps=False, vad_filter=False,
            max_new_tokens=max_new_tokens(duration), initial_prompt=context or None, log_progress=False)
        segments = list(segments)   # decoding is lazy: run it here, inside the try
    except Exception as exc:  # noqa: BLE001
        raise AsrError(f"transcription failed: {type(exc).__name__}: {exc}") from exc
    words: list[Word] = []
    texts: list[str] = []
    text = ""
    looping = False
    for seg in segments:
        texts.append(seg.text.strip())
        looping = looping or (seg.compression_ratio or 0.0) > COMPRESSION_RATIO_LIMIT
        for w in seg.words or ():
            token = w.word.strip()
            if not token:
                continue
            # Whisper marks a new word with a leading space; pieces without one (".50" after "12") join on
            if text and (w.word[:1].isspace() or not w.word.strip()):
                text += " "
            start = min(max(0.0, float(w.start) - PAD_S), duration)
            end = min(max(start, float(w.end) - PAD_S), duration)
            words.append(Word(token, round(start, 3), round(end, 3), round(float(w.probability), 4), len(text)))
            text += token
    if not word_timestamps:
        text = " ".join(t for t in texts if t)
    looping = looping or compression_ratio(text) > COMPRESSION_RATIO_LIMIT
    return Transcript(text, words, spec.name, spec.language, round(duration, 3), looping, bool(context))
