"""audio_checks.inspect: one reason per problem, on real engine output where an engine can produce it."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from app.speech import audio as A
from app.speech.audio_checks import CODES, inspect
from app.speech.tts import Audio

TEXT = "Hello there, this is a fast line of text with quite a few words in it to say."


def test_clean_speech_passes_as_audio_and_as_encoded_bytes(espeak):
    clip = espeak.synthesize(TEXT, "en-us")
    for given in (clip, A.to_wav_bytes(clip), A.to_mp3_bytes(clip)):
        result = inspect(given, TEXT)
        assert result.ok and result.reason is None and result.audio.duration_ms > 3000


def test_each_problem_has_its_own_reason(espeak):
    nan = np.full(22050, np.nan, np.float32)
    float_wav = io.BytesIO()
    sf.write(float_wav, nan, 22050, format="WAV", subtype="FLOAT")
    hello = espeak.synthesize("Hello there.", "en-us")
    cases = [
        ("undecodable", b"RIFF\x24\x00\x00\x00WAVEfmt garbage", TEXT),
        ("undecodable", b"\x00\x01\x02" * 100, TEXT),
        ("undecodable", float_wav.getvalue(), TEXT),          # a float WAV full of NaN
        ("undecodable", Audio(nan, 22050), TEXT),
        ("empty", None, TEXT),
        ("empty", b"", TEXT),
        ("empty", Audio(np.zeros(0, np.float32), 22050), TEXT),
        ("silent", espeak.synthesize(TEXT, "en-us", {"volume": 0}), TEXT),
        ("silent", Audio(np.zeros(44100, np.float32), 22050), TEXT),
        ("too_short", espeak.synthesize(TEXT, "en-us", {"speed": 5}), TEXT),
        ("too_long", Audio(np.tile(hello.samples, 12), 22050), "Hello there."),   # an engine stuck in a loop
        ("clipping", Audio(np.clip(espeak.synthesize(TEXT, "en-us").samples * 4, -1, 1), 22050), TEXT),
    ]
    for code, given, text in cases:
        result = inspect(given, text)
        assert not result.ok and result.codes[0] == code, (code, result.problems)
        assert result.reason == result.problems[0].message
    assert {c for c, _, _ in cases} == set(CODES)


def test_messages_say_what_is_wrong(espeak):
    short = inspect(espeak.synthesize(TEXT, "en-us", {"speed": 5}), TEXT)
    assert short.reason.startswith("Implausible duration: too short: duration 1.") and "expected about 6.17 s" in short.reason
    clipped = inspect(Audio(np.clip(espeak.synthesize(TEXT, "en-us").samples * 4, -1, 1), 22050), TEXT)
    assert clipped.reason.startswith("The audio clips: ") and "% of the samples are at full scale" in clipped.reason
    assert inspect(b"not audio", TEXT).reason.startswith("The audio cannot be decoded")
    assert inspect(Audio(np.zeros(22050, np.float32), 22050), TEXT).reason == "The engine returned silent audio."


def test_numbers_that_are_read_out_are_not_too_long(espeak):
    text = "Your code is 9 4 7 2 8 1 5 3 3 0 and 1234567891234567."
    assert inspect(espeak.synthesize(text, "en-us"), text).ok


def test_a_mild_overshoot_is_not_clipping(espeak):
    quiet_peaks = Audio(np.clip(espeak.synthesize(TEXT, "en-us").samples * 1.5, -1, 1), 22050)
    assert inspect(quiet_peaks, TEXT).ok            # a few samples at the rail, below one in a thousand
