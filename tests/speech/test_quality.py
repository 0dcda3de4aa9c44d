"""Quality measures on real engine output: WADA-SNR, DNSMOS (speechmos's ONNX model, our own windowing),
pitch statistics, and the 0-100 mappings the noise and naturalness validators use."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from app.speech import audio as A
from app.speech.quality import dnsmos, prosody, scoring, snr
from app.speech.tts import Audio
from app.workflows.nodes import get_spec

STATEMENT = "The meeting starts at nine tomorrow morning."
NOISE_DEFAULT = get_spec("validator_noise").default_config()["threshold"]
NATURAL_DEFAULT = get_spec("validator_naturalness").default_config()["threshold"]


def take(audio: Audio) -> Audio:
    """What the generator stores: loudness-normalised 16-bit WAV."""
    return A.decode(A.to_wav_bytes(A.loudness_normalize(audio).audio))


def noisy(audio: Audio, db: float, seed: int = 11) -> Audio:
    return take(Audio(scoring.mix_white_noise(audio.samples, db, np.random.default_rng(seed)), audio.sample_rate))


def reversed_(audio: Audio) -> Audio:
    return Audio(audio.samples[::-1].copy(), audio.sample_rate)


@pytest.fixture(scope="module")
def clips(espeak):
    from app.speech.tts.piper import get_engine
    piper = get_engine()
    esp = take(espeak.synthesize(STATEMENT, "en-us"))
    pip = take(piper.synthesize(STATEMENT, "en_US-joe-medium"))
    return {"espeak": esp, "piper": pip, "whisper": take(espeak.synthesize(STATEMENT, "en-us+whisper")),
            **{f"espeak{db}": noisy(esp, db) for db in (30, 20, 10, 5)}, "piper5": noisy(pip, 5),
            "espeak_rev": reversed_(esp), "piper_rev": reversed_(pip)}


@pytest.fixture(scope="module")
def mos(clips):
    """DNSMOS per clip, computed once for the module (it is the slow part)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = dnsmos.score(clips[name])
        return cache[name]
    return get


def test_wada_snr_tracks_added_white_noise(clips):
    clean = snr.wada_snr(clips["espeak"].samples)
    levels = {db: snr.wada_snr(clips[f"espeak{db}"].samples) for db in (30, 20, 10, 5)}
    assert clean >= 60                                  # digital silence: "no noise found"
    assert clean > levels[30] > levels[20] > levels[10] > levels[5]
    for db, got in levels.items():                      # within a few dB of the noise actually added
        assert abs(got - db) < (10 if db == 30 else 4), (db, got)
    # only the shape of the amplitude distribution matters, not the level
    assert snr.wada_snr(clips["espeak10"].samples * 0.1) == pytest.approx(levels[10], abs=0.05)
    assert snr.wada_snr(np.zeros(1000)) is None


def test_dnsmos_windows_follow_speechmos():
    sr, need = dnsmos.SR, int(dnsmos.INPUT_LENGTH * dnsmos.SR)
    # a short clip is doubled until it fills a window: 3 s → 12 s → 3 windows with a 1 s hop
    ramp = np.linspace(-0.5, 0.5, 3 * sr, dtype=np.float32)
    w = dnsmos.windows(ramp)
    assert w.shape == (3, need)
    assert np.array_equal(w[0][:3 * sr], ramp) and np.array_equal(w[0][3 * sr:6 * sr], ramp)
    assert np.array_equal(w[1][:sr], ramp[sr:2 * sr])  # the second window starts one second later
    assert dnsmos.windows(np.ones(sr // 2, np.float32) * 0.1).shape[0] == 7     # 0.5 s → 16 s
    assert dnsmos.windows(np.ones(need, np.float32) * 0.1).shape[0] == 1
    assert dnsmos.windows(np.ones(20 * sr, np.float32) * 0.1).shape[0] == 11
    with pytest.raises(ValueError):
        dnsmos.windows(np.zeros(0, np.float32))


def test_dnsmos_model_is_pinned_and_its_session_is_created_once(clips, mos, tmp_path):
    path = dnsmos.model_path()
    assert path.parts[-3:] == ("speechmos", "dnsmos_models", "sig_bak_ovr.onnx")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == dnsmos.MODEL_SHA256
    tampered = tmp_path / "sig_bak_ovr.onnx"
    tampered.write_bytes(path.read_bytes()[:-1] + b"\0")
    with pytest.raises(dnsmos.DnsmosUnavailable, match="sha256"):
        dnsmos._verified_bytes(tampered)
    mos("espeak")
    first = dnsmos.session()
    again = dnsmos.score(clips["espeak"])                # a new call, same session, same figures
    assert dnsmos.session() is first and dnsmos.sessions_created == 1
    assert first.get_session_options().intra_op_num_threads == 1
    assert again == mos("espeak") and 1 <= again.ovrl <= 5 and again.windows == len(dnsmos.windows(
        A.resample(clips["espeak"], dnsmos.SR).samples))


def test_noise_score_passes_clean_takes_fails_5db_and_orders_levels(clips, mos):
    figures = {name: scoring.noise(clips[name], mos(name))
               for name in ("espeak", "piper", "espeak30", "espeak20", "espeak10", "espeak5", "piper5")}
    s = {k: f.score for k, f in figures.items()}
    assert s["espeak"] >= NOISE_DEFAULT and s["piper"] >= NOISE_DEFAULT, s
    assert s["espeak5"] < NOISE_DEFAULT and s["piper5"] < NOISE_DEFAULT, s
    assert s["espeak"] > s["espeak30"] > s["espeak20"] > s["espeak10"] > s["espeak5"], s
    assert mos("espeak").bak - mos("espeak5").bak > 1.0         # DNSMOS background tracks the noise too
    assert figures["espeak5"].as_dict().keys() >= {"score", "snr_db", "bak"}


def test_naturalness_scores_reversed_and_whispered_audio_lower(clips, mos):
    def nat(name, text=STATEMENT, locale="en-us"):
        return scoring.naturalness(clips[name], text, locale, mos(name))
    esp, pip, whisper = nat("espeak"), nat("piper"), nat("whisper")
    esp_rev, pip_rev, noisy5 = nat("espeak_rev"), nat("piper_rev"), nat("espeak5")
    assert esp.score >= NATURAL_DEFAULT and pip.score >= NATURAL_DEFAULT, (esp, pip)
    assert pip.score >= esp.score                          # the neural voice sounds more natural than espeak
    for bad in (whisper, esp_rev, pip_rev, noisy5):
        assert bad.score < NATURAL_DEFAULT, bad
    assert whisper.score < esp.score and esp_rev.score < esp.score and pip_rev.score < pip.score
    assert whisper.voiced_fraction < 0.1 and whisper.q_pitch < 0.5      # (almost) no voiced frames in a whisper
    assert esp.f0_fall_semitones > 0 > esp_rev.f0_fall_semitones       # statements fall, backwards they rise
    assert esp_rev.g_tone < 1 and esp.g_tone == 1
    # a question may rise, and Mandarin statements need not fall: no intonation penalty there
    assert not nat("espeak_rev", STATEMENT[:-1] + "?").intonation_checked
    assert not nat("espeak_rev", locale="cmn").intonation_checked
    assert set(esp.as_dict()) >= {"score", "ovrl", "sig", "f0_std_semitones"}


def test_pitch_variability_separates_monotone_from_lively_speech(clips):
    assert prosody.f0_variability(clips["piper"]) > prosody.f0_variability(clips["espeak"]) > 0.5
    sine = Audio((0.3 * np.sin(2 * np.pi * 150 * np.arange(22050) / 22050)).astype(np.float32), 22050)
    stats = prosody.pitch_stats(sine)
    assert stats.f0_std_semitones < 0.1 and abs(stats.f0_median_hz - 150) < 2 and stats.voiced_fraction > 0.8
    assert prosody.pitch_stats(Audio(np.zeros(100, np.float32), 22050)).f0_std_semitones is None
