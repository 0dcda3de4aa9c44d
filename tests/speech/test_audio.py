"""Audio helpers: encode/decode, loudness, checks."""
from __future__ import annotations

import numpy as np
import pytest

from app.speech import audio as A
from app.speech.tts import Audio


def sine(freq=440.0, seconds=2.0, amp=0.5, rate=22050):
    t = np.arange(int(seconds * rate)) / rate
    return Audio((amp * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)


@pytest.fixture(scope="module")
def speech(espeak):
    return espeak.synthesize("This is a short test sentence for the audio helpers.", "en-us")


def test_audio_dataclass():
    a = Audio(np.zeros(22050), 22050)
    assert a.samples.dtype == np.float32 and a.duration_ms == 1000.0
    with pytest.raises(ValueError):
        Audio(np.zeros((10, 2)), 22050)


def test_wav_round_trip(speech):
    data = A.to_wav_bytes(speech)
    assert data[:4] == b"RIFF"
    back = A.decode(data)
    assert back.sample_rate == speech.sample_rate
    assert abs(back.duration_ms - speech.duration_ms) < 0.05 * speech.duration_ms
    assert np.max(np.abs(back.samples - speech.samples)) < 1e-3


def test_mp3_round_trip(speech):
    data = A.to_mp3_bytes(speech)
    assert len(data) < len(A.to_wav_bytes(speech))
    back = A.decode(data)
    assert abs(back.duration_ms - speech.duration_ms) < 0.05 * speech.duration_ms
    assert not A.is_silent(back)


def test_mp3_resamples_unsupported_rates():
    back = A.decode(A.to_mp3_bytes(sine(rate=20000)))
    assert back.sample_rate == 22050
    assert abs(back.duration_ms - 2000) < 100


def test_decode_stereo_and_garbage():
    import io

    import soundfile as sf
    buf = io.BytesIO()
    sf.write(buf, np.stack([np.full(1000, 0.5), np.full(1000, -0.5)], axis=1), 16000, format="FLAC")
    mono = A.decode(buf.getvalue())
    assert mono.sample_rate == 16000 and np.allclose(mono.samples, 0.0, atol=1e-3)
    with pytest.raises(ValueError):
        A.decode(b"not audio at all")


def test_resample(speech):
    r = A.resample(speech, 16000)
    assert r.sample_rate == 16000
    assert abs(r.duration_ms - speech.duration_ms) < 1


def test_loudness_normalize(speech):
    quiet = Audio(speech.samples * 0.05, speech.sample_rate)
    assert A.measure_lufs(quiet) < -35
    result = A.loudness_normalize(quiet, -20.0)
    assert result.normalized
    assert abs(A.measure_lufs(result.audio) - (-20.0)) <= 1.0
    assert A.peak_dbfs(result.audio) <= -1.0 + 1e-3


def test_loudness_normalize_skips_short_and_silent():
    short = sine(seconds=0.2)
    r = A.loudness_normalize(short)
    assert not r.normalized and r.audio is short and "0.4" in r.reason
    silent = Audio(np.zeros(22050), 22050)
    assert not A.loudness_normalize(silent).normalized


def test_peak_limit():
    loud = sine(amp=1.0)
    spike = loud.samples.copy()
    spike[1000] = 1.0
    limited = A.peak_limit(Audio(spike * 1.5, 22050), ceiling_dbfs=-1.0)
    assert A.peak_dbfs(limited) <= -1.0 + 1e-3
    quiet = sine(amp=0.1)
    assert A.peak_limit(quiet) is quiet


def test_is_silent(speech):
    assert A.is_silent(Audio(np.zeros(22050), 22050))
    assert A.is_silent(Audio(np.zeros(0), 22050))
    assert not A.is_silent(speech)


def test_clipping_ratio():
    clean = sine(amp=0.5)
    clipped = Audio(np.clip(sine(amp=2.0).samples, -1.0, 1.0), 22050)
    assert A.clipping_ratio(clean) == 0.0
    assert A.clipping_ratio(clipped) > 0.3


def test_expected_duration_and_plausibility(speech):
    assert A.expected_duration_ms("one two three", 180) == pytest.approx(1000)
    assert A.expected_duration_ms("你好世界") > 0
    ok, _ = A.duration_plausible(speech, "This is a short test sentence for the audio helpers.")
    assert ok
    ok, reason = A.duration_plausible(speech, " ".join(["word"] * 60))
    assert not ok and reason.startswith("too short")
    ok, reason = A.duration_plausible(speech, "Hi")
    assert not ok and reason.startswith("too long")


def test_trim_silence(speech):
    rate = speech.sample_rate
    padded = Audio(np.concatenate([np.zeros(rate), speech.samples, np.zeros(rate)]), rate)
    trimmed = A.trim_silence(padded)
    assert speech.duration_ms - 300 < trimmed.duration_ms < speech.duration_ms + 200
    assert A.trim_silence(Audio(np.zeros(rate), rate)).num_samples == 0


def test_fast_lufs_matches_pyloudnorm():
    """Our vectorised BS.1770 meter gives pyloudnorm's numbers (it is ~50x faster)."""
    import pyloudnorm

    from app.speech.tts import get_engine
    engine = get_engine("espeak")
    for text, gain in [("A short sentence to measure.", 1.0), ("A quieter and much longer sentence, measured "
                                                                  "again to compare the two meters.", 0.2)]:
        audio = engine.synthesize(text, "en-us")
        audio = type(audio)(audio.samples * gain, audio.sample_rate)
        ours = A.measure_lufs(audio)
        theirs = pyloudnorm.Meter(audio.sample_rate).integrated_loudness(audio.samples.astype("float64"))
        assert abs(ours - theirs) < 0.01, (ours, theirs)


def test_durations_are_whole_milliseconds():
    """Durations land in integer columns and in the SDK's int fields; SQLite would keep a float."""
    from app.speech.tts import get_engine
    clip = get_engine("espeak").synthesize("Whole milliseconds, please.", "en-us")
    assert isinstance(clip.duration_ms, int) and clip.duration_ms > 0


def test_wav_bytes_are_what_libsndfile_writes(speech):
    """to_wav_bytes writes the PCM itself (5x faster): byte for byte what libsndfile writes, edge values included."""
    import io

    import soundfile as sf
    edge = np.array([0.0, -0.0, 1.0, -1.0, 1.7, -3.0, 0.1, -0.1, 1 / 32768, -1e-10, 2.5 / 32768, 0.99999994], np.float32)
    rng = np.random.default_rng(7)
    for clip in (speech, Audio(edge, 16000), Audio(rng.uniform(-1.2, 1.2, 4000).astype(np.float32), 8000)):
        buf = io.BytesIO()
        sf.write(buf, np.clip(clip.samples, -1.0, 1.0), clip.sample_rate, format="WAV", subtype="PCM_16")
        assert A.to_wav_bytes(clip) == buf.getvalue()


def test_peak_limit_touches_only_the_peaks(speech):
    """Only the stretches around peaks are filtered; everything else is returned sample for sample."""
    loud = Audio(speech.samples * (0.8 / float(np.max(np.abs(speech.samples)))), speech.sample_rate)
    spiky = loud.samples.copy()
    spiky[[3000, 3010, 20000]] = [1.3, -1.2, 1.1]
    limited = A.peak_limit(Audio(spiky, loud.sample_rate), ceiling_dbfs=-1.0)
    assert A.peak_dbfs(limited) <= -1.0 + 1e-3
    changed = np.flatnonzero(limited.samples != spiky)
    assert changed.size and all(min(abs(i - p) for p in (3000, 3010, 20000)) <= 2 * 110 + 2 for i in changed)


def test_a_warm_worker_does_not_fault_its_audio_memory_in_again():
    """warm_up() keeps freed memory in the process: the audio work of a take (checks, loudness, PCM) then
    reuses the previous take's pages instead of faulting ~700 fresh ones in (2 ms of system time a line).
    Measured on the numpy code (what runs without the native kernels, which allocate far less)."""
    import subprocess
    import sys
    code = """
import resource
from app.speech import audio as A, audio_checks, native, warm_up
native.LIB = None
from app.speech.tts import get_engine
from app.speech.allocator import keep_freed_memory
import sys
if sys.argv[1] == "tuned":
    warm_up()
    assert keep_freed_memory()
engine = get_engine("espeak")
def take(i):
    text = f"Line {i}: the quick brown fox jumps over the lazy dog near the quiet river bank."
    clip = audio_checks.inspect(engine.synthesize(text, "en-us"), text).audio
    A.to_wav_bytes(A.loudness_normalize(clip).audio)
for i in range(5):
    take(i)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for i in range(20):
    take(i)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""
    faults = {mode: float(subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                                         check=True).stdout.split()[-1]) for mode in ("default", "tuned")}
    assert faults["tuned"] < 20 and faults["default"] > 5 * max(faults["tuned"], 1), faults
