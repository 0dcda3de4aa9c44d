"""The native audio kernels (app/speech/native): loaded where scripts/install.sh ran, and bit for bit the
numpy reference code in every check, loudness measure and WAV a take goes through."""
from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest

from app.speech import audio as A
from app.speech import audio_checks, native
from app.speech.tts import Audio

TEXT = "Hello there, this is a line of speech for the native audio kernels to measure."
RATES = (16000, 22050, 24000, 44100, 48000, 11025, 22051)   # 11025 and 22051: a hop of 1102.5 / 2205.1 samples


@contextlib.contextmanager
def reference():
    """The numpy code, as it runs where the library is missing."""
    lib, native.LIB = native.LIB, None
    try:
        yield
    finally:
        native.LIB = lib


def test_the_native_kernels_are_built_and_loaded():
    assert native.LIB is not None, f"{native.LIBRARY} is missing or stale: scripts/install.sh compiles it"


@pytest.fixture(scope="module")
def corpus(espeak) -> list[tuple[str, Audio, str]]:
    rng = np.random.default_rng(7)
    lines = [TEXT, "Hi.", "Line 42: the quick brown fox jumps over the lazy dog near the quiet river bank, "
             "twice, and then it runs all the way home across the fields before the sun goes down."]
    speech = [espeak.synthesize(text, "en-us") for text in lines]
    clips: list[tuple[str, Audio, str]] = []
    for text, clip in zip(lines, speech):
        clips.append((f"espeak {text[:12]!r}", clip, text))
        for rate in RATES:
            if rate != clip.sample_rate:
                clips.append((f"espeak {text[:12]!r} at {rate}", A.resample(clip, rate), text))
    base = speech[0]
    for rate in RATES:
        t = np.arange(int(2.3 * rate)) / rate
        burst = (0.6 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 1.5 * t) > 0)).astype(np.float32)
        clips += [
            (f"white noise {rate}", Audio(rng.normal(0, 0.2, int(3.7 * rate) + 3).astype(np.float32), rate), TEXT),
            (f"sine bursts {rate}", Audio(burst, rate), TEXT),
            (f"digital silence {rate}", Audio(np.zeros(rate, np.float32), rate), TEXT),
            (f"short {rate}", Audio(rng.normal(0, 0.3, int(0.37 * rate)).astype(np.float32), rate), "Hi."),
            (f"loud square {rate}", Audio(np.sign(np.sin(2 * np.pi * 200 * t)).astype(np.float32) * 0.995, rate),
             TEXT),
        ]
    for n in (1, 7, 8, 9, 127, 128, 129, 440, 441, 442, 8819, 8820, 8821, 22049):
        clips.append((f"{n} samples", Audio(rng.uniform(-1, 1, n).astype(np.float32), 22050), "Hi."))
    clips += [
        ("empty", Audio(np.zeros(0, np.float32), 22050), TEXT),
        ("clipping espeak", Audio(np.clip(base.samples * 4, -1, 1), 22050), TEXT),
        ("over full scale", Audio(base.samples * 6, 22050), TEXT),
        ("quiet espeak", Audio(base.samples * 0.01, 22050), TEXT),
        ("near silent", Audio(base.samples * 1e-4, 22050), TEXT),
        ("odd length espeak", Audio(base.samples[:-3], 22050), TEXT),
        ("strided espeak", Audio(base.samples[::2], 11025), TEXT),
        ("tiny values", Audio(rng.normal(0, 1e-30, 22050).astype(np.float32), 22050), TEXT),
    ]
    for k, clip in enumerate(speech[::2]):        # peaks far above the speech: peak-limited after the gain
        for scale in (0.05, 0.3):
            x = clip.samples * np.float32(scale)
            x[rng.integers(0, len(x), 12)] = np.float32(0.9)
            x[1000:1003] = np.float32(-0.95)
            clips.append((f"spiky espeak {k} x{scale}", Audio(x, 22050), TEXT))
    clicks = rng.normal(0, 0.01, 3 * 48000).astype(np.float32)
    clicks[::4000] = 0.8
    clips.append(("clicks", Audio(clicks, 48000), TEXT))
    for bad in (np.nan, np.inf, -np.inf):
        for where in (0, 5000, base.num_samples - 1):
            x = base.samples.copy()
            x[where] = bad
            clips.append((f"{bad} at {where}", Audio(x, 22050), TEXT))
    return clips


def _same(a, b) -> bool:
    return (a is None and b is None) or a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def test_the_corpus_covers_both_loudness_branches_and_the_peak_limiter(corpus):
    hops = {A._loudness_blocks(clip).hop == 0 for _, clip, _ in corpus if clip.duration_s >= A.MIN_LOUDNESS_S}
    assert hops == {True, False}          # cumulative-sum and whole-hop blocks
    limited = [name for name, clip, _ in corpus if np.all(np.isfinite(clip.samples))
               and (r := A.loudness_normalize(clip)).normalized
               and not np.array_equal(r.audio.samples, clip.samples * np.float32(A.db_to_gain(r.gain_db)))]
    assert len(limited) >= 5, limited
    assert any(A.measure_lufs(clip) == float("-inf") for _, clip, _ in corpus)


def test_levels_and_checks_match_the_reference(corpus):
    for name, clip, text in corpus:
        got = (A.levels(clip), A.levels(clip, 0.99, loudness=True), A.is_silent(clip), A.is_silent(clip, -80.0),
               A.clipping_ratio(clip), A.clipping_ratio(clip, 0.5), A._frame_rms_dbfs(clip, 10.0).tolist())
        checked = audio_checks.inspect(clip, text)
        with reference():
            want = (A.levels(clip), A.levels(clip, 0.99, loudness=True), A.is_silent(clip), A.is_silent(clip, -80.0),
                    A.clipping_ratio(clip), A.clipping_ratio(clip, 0.5), A._frame_rms_dbfs(clip, 10.0).tolist())
            want_checked = audio_checks.inspect(clip, text)
        for g, w in zip(got[:2], want[:2]):
            assert all(_same(getattr(g, f), getattr(w, f)) for f in ("finite", "loudest_frame_dbfs",
                                                                      "clipping_ratio", "lufs")), (name, g, w)
        assert got[2:6] == want[2:6], name
        assert np.array_equal(got[6], want[6], equal_nan=True), name
        assert checked.problems == want_checked.problems and checked.codes == want_checked.codes, name


def test_the_silence_shortcut_agrees_with_is_silent_at_every_threshold(corpus):
    """Levels.silent decides on frame powers away from the threshold and on dB values next to it."""
    for name, clip, _ in corpus:
        lv = A.levels(clip)
        if not lv.finite or not clip.num_samples:
            continue
        loudest = lv.loudest_frame_dbfs
        for threshold in (-55.0, -80.0, -250.0, loudest, np.nextafter(loudest, np.inf), np.nextafter(loudest, -np.inf),
                          loudest + 2e-6, loudest - 2e-6, loudest + 1e-5, loudest - 1e-5):
            assert lv.silent(float(threshold)) == A.is_silent(clip, float(threshold)), (name, threshold)


def test_loudness_matches_the_reference(corpus):
    measured = 0
    for name, clip, _ in corpus:
        got = A.measure_lufs(clip)
        with reference():
            want = A.measure_lufs(clip)
        if want is None or not math.isfinite(want):
            assert _same(got, want), (name, got, want)
        else:
            assert abs(got - want) <= 1e-9 and got == want, (name, got, want)
            measured += 1
    assert measured > 50


def test_the_wav_a_take_ships_is_byte_identical(corpus):
    for name, clip, text in corpus:
        got = A.normalized_wav_bytes(clip)
        checked, wav = audio_checks.inspect_to_wav(clip, text)
        with reference():
            want = A.to_wav_bytes(A.loudness_normalize(clip).audio) if np.all(np.isfinite(clip.samples)) else None
            want_checked = audio_checks.inspect(clip, text)
        if want is not None:
            assert got == want, name
        assert checked.problems == want_checked.problems, name
        assert wav == (want if want_checked.ok else None), name


def test_plain_wav_encoding_is_byte_identical(corpus):
    for name, clip, _ in corpus:
        for audio in (clip, Audio(clip.samples * np.float32(1.7), clip.sample_rate)):
            got = A.to_wav_bytes(audio)
            with reference():
                want = A.to_wav_bytes(audio)
            assert got == want, name
