"""Sanity checks on a freshly generated take, in one place for every TTS provider.

``inspect(result, text)`` takes what an engine returned (``Audio``, or encoded bytes from an adapter
that hands over a file) and the text it was asked to speak, and returns the decoded audio plus the
problems found, worst first. A take with any problem must not ship: the generator fails it with
``problems[0].message`` as the card's reason.

Problems (``code``):
- ``undecodable``: bytes libsndfile cannot read, or samples that are not finite numbers;
- ``empty``: no samples at all;
- ``silent``: no 20 ms frame louder than -55 dBFS;
- ``clipping``: at least 0.1 % of the samples sit at full scale (|x| >= 0.99), i.e. the waveform's
  peaks were cut off before it reached us. Checked on the engine's own output, before our loudness
  normalisation and peak limiter (which would hide it). Audio that a provider already limited is
  not clipped by this measure, even if it was distorted upstream;
- ``too_short`` / ``too_long``: the duration is far from what the words need at 175 words per
  minute (accepted: 0.4x - 0.5 s .. 2.5x + 0.5 s; Han/kana characters count 0.6 word each, and
  every digit counts as a word, since a number that was not normalised is still read out in full).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.speech import audio as audio_ops
from app.speech.tts.base import Audio

CLIP_LEVEL = 0.99          # |sample| at or above this is at the rail
CLIP_MAX_RATIO = 0.001     # more than one sample in a thousand at the rail: clipped
SILENCE_DBFS = -55.0
_DIGIT = re.compile(r"\d")
CODES = ("undecodable", "empty", "silent", "clipping", "too_short", "too_long")


@dataclass(frozen=True)
class Problem:
    code: str       # one of CODES
    message: str    # shown on the take's card

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Inspection:
    audio: Audio | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str | None:
        return self.problems[0].message if self.problems else None

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def decode(data: bytes) -> tuple[Audio | None, Problem | None]:
    if not data:
        return None, Problem("empty", "The engine returned no audio.")
    try:
        return audio_ops.decode(bytes(data)), None
    except Exception as exc:  # noqa: BLE001 - any decoder error means the file is unusable
        return None, Problem("undecodable", f"The audio cannot be decoded: {exc}")


def inspect(result: Audio | bytes | bytearray | None, text: str) -> Inspection:
    """Decodes ``result`` if it is encoded and runs every check against ``text`` (plain text, without
    pronunciation markup). Problems come in the order of CODES; checks that need samples stop at the
    first structural problem (undecodable, empty, silent)."""
    return _inspect(result, text, loudness=False)[0]


def inspect_to_wav(result: Audio | bytes | bytearray | None, text: str) -> tuple[Inspection, bytes | None]:
    """``inspect(result, text)`` and, for a take without problems, the WAV a take ships: loudness-normalised
    16-bit PCM (``audio.normalized_wav_bytes``). The checks and the loudness meter read the samples in one
    pass."""
    checked, levels = _inspect(result, text, loudness=True)
    if not checked.ok:
        return checked, None
    return checked, audio_ops.normalized_wav_bytes(checked.audio, lufs=levels.lufs)


def _inspect(result, text: str, loudness: bool) -> tuple[Inspection, audio_ops.Levels | None]:
    if result is None:
        return Inspection(None, (Problem("empty", "The engine returned no audio."),)), None
    if isinstance(result, (bytes, bytearray, memoryview)):
        audio, problem = decode(bytes(result))
        if problem is not None:
            return Inspection(None, (problem,)), None
    else:
        audio = result
    levels = audio_ops.levels(audio, CLIP_LEVEL, loudness)   # one pass: finite?, loudest frame, clipped samples
    if not levels.finite:
        return Inspection(None, (Problem("undecodable", "The audio cannot be decoded: it contains samples "
                                                        "that are not numbers (NaN or infinite)."),)), levels
    if audio.num_samples == 0:
        return Inspection(audio, (Problem("empty", "The engine returned no audio."),)), levels
    if levels.silent(SILENCE_DBFS):                  # audio_ops.is_silent(audio, SILENCE_DBFS)
        return Inspection(audio, (Problem("silent", "The engine returned silent audio."),)), levels
    problems = []
    ratio = levels.clipping_ratio                    # audio_ops.clipping_ratio(audio, CLIP_LEVEL)
    if ratio >= CLIP_MAX_RATIO:
        problems.append(Problem("clipping", f"The audio clips: {ratio * 100:.2f}% of the samples are at full "
                                            "scale."))
    ok, detail = audio_ops.duration_plausible(audio, _DIGIT.sub(r" \g<0> ", text or ""))
    if not ok:
        code = "too_short" if detail.startswith("too short") else "too_long"
        problems.append(Problem(code, f"Implausible duration: {detail}"))
    return Inspection(audio, tuple(problems)), levels
