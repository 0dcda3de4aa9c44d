"""ElevenLabs, OpenAI and Cartesia adapters against local fakes that follow each vendor's documented API:
the request each sends, the normalised audio it returns, and every failure mapped to the typed error
that names what happens to the take and the run (docs/speech.md, "Cloud providers")."""
from __future__ import annotations

import time
from email.utils import formatdate

import numpy as np
import pytest

from app.engine.cloud_tts import CloudEngine
from app.engine.plugins.base import PauseRun, TakeFailed
from app.speech import audio as audio_ops
from app.speech.tts.cloud import (HttpPolicy, ProviderAuthError, ProviderBilling, ProviderOutage,
                                  ProviderRateLimited, ProviderRequestError, adapter)
from app.speech.tts.cloud.http import retry_after
from tests.speech.cloud.conftest import KEY

FAST = HttpPolicy(connect_timeout=2.0, read_timeout=1.0, max_retries=2, backoff=0.05, max_backoff=0.2,
                  max_retry_after=5.0)
CASES = {  # provider: (voice, model, sample rate we deliver)
    "elevenlabs": ("JBFqnCBsd6RMkjVDRZzb", "eleven_multilingual_v2", 22050),
    "openai": ("alloy", "tts-1", 24000),
    "cartesia": ("694f9389-aac1-45b6-b726-9d9369183238", "sonic-2", 24000),
}
PROVIDERS = list(CASES)
TEXT = "The quick brown fox jumps over the lazy dog."


def make(fakes, provider, key=KEY, policy=FAST, **kw):
    return adapter(provider, key, fakes[provider].url, policy=policy, **kw)


def say(a, provider, text=TEXT, controls=None, locale="en-us"):
    voice, model, _ = CASES[provider]
    return a.synthesize(text, voice, model, controls, locale=locale)


def engine(a, provider):
    return CloudEngine(a, CASES[provider][1], "en-us")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_success_is_normalised_speech(fakes, provider):
    audio = say(make(fakes, provider), provider)
    assert audio.sample_rate == CASES[provider][2] and audio.samples.ndim == 1
    assert 1500 < audio.duration_ms < 6000 and not audio_ops.is_silent(audio)
    assert abs(audio_ops.measure_lufs(audio) - (-20.0)) < 1.0                # loudness-normalised
    assert audio_ops.peak_dbfs(audio) <= -0.9
    assert len(fakes[provider].requests) == 1


def test_elevenlabs_request_follows_the_api(fakes):
    say(make(fakes, "elevenlabs"), "elevenlabs", controls={"speed": 1.5, "stability": 0.3})
    [r] = fakes["elevenlabs"].requests
    assert r["path"] == "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb" and r["query"] == {"output_format": "pcm_22050"}
    assert r["headers"]["xi-api-key"] == KEY and "authorization" not in r["headers"]
    assert r["json"] == {"text": TEXT, "model_id": "eleven_multilingual_v2", "voice_settings": {
        "stability": 0.3, "similarity_boost": 0.75, "style": 0.0, "speed": 1.2}}     # speed clamped to 0.7-1.2


def test_openai_request_follows_the_api(fakes):
    a = make(fakes, "openai")
    say(a, "openai", controls={"speed": 1.25, "instructions": "cheerful"})
    a.synthesize(TEXT, "coral", "gpt-4o-mini-tts", {"instructions": "Speak like a news anchor."})
    first, second = fakes["openai"].requests
    assert first["path"] == "/v1/audio/speech" and first["headers"]["authorization"] == f"Bearer {KEY}"
    assert first["json"] == {"model": "tts-1", "voice": "alloy", "input": TEXT, "response_format": "pcm",
                             "speed": 1.25}                                     # tts-1 takes no instructions
    assert second["json"]["instructions"] == "Speak like a news anchor."
    with pytest.raises(ProviderRequestError):                                 # 4096 characters at most
        a.synthesize("word " * 1000, "alloy", "tts-1")


def test_cartesia_request_follows_the_api(fakes):
    a = make(fakes, "cartesia")
    say(a, "cartesia", controls={"speed": 2.0}, locale="de-de")
    a.synthesize(TEXT, "v", "sonic-3", {"speed": 0.5, "volume": 1.5}, locale="en-gb")
    first, second = fakes["cartesia"].requests
    assert first["path"] == "/tts/bytes" and first["headers"]["x-api-key"] == KEY
    assert first["headers"]["cartesia-version"]
    assert first["json"]["voice"] == {"mode": "id", "id": CASES["cartesia"][0],
                                      "__experimental_controls": {"speed": 1.0}}   # log2(2.0)
    assert first["json"]["output_format"] == {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000}
    assert first["json"]["language"] == "de" and first["json"]["model_id"] == "sonic-2"
    assert second["json"]["generation_config"] == {"speed": 0.6, "volume": 1.5}   # sonic-3, clamped


def test_pronunciation_markup_per_vendor(fakes):
    text = "Ask ⟦Nguyen|ŋwiən⟧ about ⟦Cartesia|kɑɹˈtiʒə⟧ & more."
    el = make(fakes, "elevenlabs")
    el.synthesize(text, "v", "eleven_flash_v2", locale="en-us")               # phoneme tags: English v2 models
    el.synthesize(text, "v", "eleven_multilingual_v2", locale="en-us")        # others: the plain words
    ssml, plain = (r["json"]["text"] for r in fakes["elevenlabs"].requests)
    assert ssml == ('Ask <phoneme alphabet="ipa" ph="ŋwiən">Nguyen</phoneme> about '
                    '<phoneme alphabet="ipa" ph="kɑɹˈtiʒə">Cartesia</phoneme> &amp; more.')
    assert plain == "Ask Nguyen about Cartesia & more."
    make(fakes, "openai").synthesize(text, "alloy", "tts-1")
    assert fakes["openai"].requests[0]["json"]["input"] == "Ask Nguyen about Cartesia & more."
    make(fakes, "cartesia").synthesize(text, "v", "sonic-2", locale="en-us")
    assert fakes["cartesia"].requests[0]["json"]["transcript"] == \
        "Ask <<ŋ|w|i|ə|n>> about <<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>> & more."                # Cartesia's documented form


def test_respelling_marks_reach_every_vendor_as_the_respelling(fakes):
    text = "Fly to ⟦Tucson|=too-sahn⟧ with ⟦Nguyen|ŋwiən⟧."
    el = make(fakes, "elevenlabs")
    el.synthesize(text, "v", "eleven_flash_v2", locale="en-us")
    el.synthesize(text, "v", "eleven_multilingual_v2", locale="en-us")
    ssml, plain = (r["json"]["text"] for r in fakes["elevenlabs"].requests)
    assert ssml == 'Fly to too-sahn with <phoneme alphabet="ipa" ph="ŋwiən">Nguyen</phoneme>.'
    assert plain == "Fly to too-sahn with Nguyen."
    make(fakes, "openai").synthesize(text, "alloy", "tts-1")
    assert fakes["openai"].requests[0]["json"]["input"] == "Fly to too-sahn with Nguyen."
    make(fakes, "cartesia").synthesize(text, "v", "sonic-2", locale="en-us")
    assert fakes["cartesia"].requests[0]["json"]["transcript"] == "Fly to too-sahn with <<ŋ|w|i|ə|n>>."


@pytest.mark.parametrize("provider", PROVIDERS)
def test_401_is_an_auth_error_that_pauses_for_billing(fakes, provider):
    a = make(fakes, provider, key="sk-wrong-key")
    with pytest.raises(ProviderAuthError) as err:
        say(a, provider)
    assert err.value.status == 401 and err.value.pause_reason == "provider_billing"
    assert "rejected the workspace's API key (HTTP 401" in str(err.value) and "sk-wrong" not in str(err.value)
    assert len(fakes[provider].requests) == 1                                 # never retried
    with pytest.raises(PauseRun) as paused:                                   # in a run: the run pauses
        engine(a, provider).synthesize(TEXT, CASES[provider][0])
    assert paused.value.reason == "provider_billing"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_429_waits_for_retry_after_then_succeeds(fakes, provider):
    fakes[provider].fail(429, retry_after=1)
    audio = say(make(fakes, provider), provider)
    first, second = fakes[provider].requests
    assert second["at"] - first["at"] >= 1.0 and audio.duration_ms > 1500      # waited as told, then spoke


def test_retry_after_as_an_http_date_is_honoured(fakes):
    fakes["openai"].fail(429, retry_after=formatdate(time.time() + 2, usegmt=True))
    say(make(fakes, "openai"), "openai")
    first, second = fakes["openai"].requests
    assert second["at"] - first["at"] >= 0.9          # an HTTP date has whole-second precision


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_lasting_429_pauses_for_the_rate_limit(fakes, provider):
    fakes[provider].always(429, retry_after=0.1)
    a = make(fakes, provider)
    with pytest.raises(ProviderRateLimited) as err:
        say(a, provider)
    assert err.value.pause_reason == "provider_rate_limited" and "[after 3 attempts]" in str(err.value)
    assert len(fakes[provider].requests) == 3                                 # first try + max_retries
    with pytest.raises(PauseRun) as paused:
        engine(a, provider).synthesize(TEXT, CASES[provider][0])
    assert paused.value.reason == "provider_rate_limited"


def test_a_retry_after_beyond_the_bound_is_not_waited_for(fakes):
    fakes["elevenlabs"].always(429, retry_after=120)
    started = time.monotonic()
    with pytest.raises(ProviderRateLimited) as err:
        say(make(fakes, "elevenlabs"), "elevenlabs")
    assert time.monotonic() - started < 5 and err.value.retry_after == 120
    assert "longer than we wait" in str(err.value) and len(fakes["elevenlabs"].requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_5xx_is_retried_with_backoff_then_pauses_for_an_outage(fakes, provider):
    fakes[provider].always(503)
    a = make(fakes, provider)
    with pytest.raises(ProviderOutage) as err:
        say(a, provider)
    assert err.value.status == 503 and err.value.pause_reason == "provider_outage"
    times = [r["at"] for r in fakes[provider].requests]
    gaps = np.diff(times)
    assert len(times) == 3 and gaps[0] >= 0.05 and gaps[1] >= 0.1               # 0.05 s, then doubled
    fakes[provider].always(None)
    fakes[provider].fail(500, times=2)                                         # a passing hiccup is absorbed
    assert say(a, provider).duration_ms > 1500
    with pytest.raises(PauseRun) as paused:
        fakes[provider].always(502)
        engine(a, provider).synthesize(TEXT, CASES[provider][0])
    assert paused.value.reason == "provider_outage"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_timeout_is_an_outage(fakes, provider):
    fakes[provider].slow(2.0, times=3)
    policy = HttpPolicy(read_timeout=0.4, max_retries=1, backoff=0.05)
    with pytest.raises(ProviderOutage) as err:
        say(make(fakes, provider, policy=policy), provider)
    assert "did not answer in time (read timeout after 0.4 s) [after 2 attempts]" in str(err.value)
    assert len(fakes[provider].requests) == 2
    assert err.value.pause_reason == "provider_outage"


def test_an_unreachable_server_is_an_outage():
    a = adapter("openai", KEY, "http://127.0.0.1:9", policy=HttpPolicy(max_retries=1, backoff=0.01))
    with pytest.raises(ProviderOutage) as err:
        a.synthesize(TEXT, "alloy", "tts-1")
    assert "could not be reached" in str(err.value)


def test_billing_errors_pause_for_billing(fakes):
    fakes["cartesia"].fail(402)
    with pytest.raises(ProviderBilling) as err:
        say(make(fakes, "cartesia"), "cartesia")
    assert err.value.status == 402 and err.value.pause_reason == "provider_billing"
    fakes["openai"].fail(429, body=fakes["openai"].quota_body())           # OpenAI: a 429 that is not a rate limit
    with pytest.raises(ProviderBilling) as err:
        say(make(fakes, "openai"), "openai")
    assert err.value.code == "insufficient_quota" and len(fakes["openai"].requests) == 1   # not retried
    fakes["elevenlabs"].fail(401, body={"detail": {"status": "quota_exceeded",
                                                   "message": "This request exceeds your quota."}})
    with pytest.raises(ProviderBilling):
        say(make(fakes, "elevenlabs"), "elevenlabs")


def test_a_bad_request_fails_only_the_take(fakes):
    a = make(fakes, "elevenlabs")
    with pytest.raises(ProviderRequestError) as err:
        a.synthesize(TEXT, "missing-voice", "eleven_multilingual_v2")
    assert err.value.pause_reason is None and "HTTP 404, voice_not_found" in str(err.value)
    with pytest.raises(TakeFailed, match="A voice with that ID does not exist"):
        CloudEngine(a, "eleven_multilingual_v2", "en-us").synthesize(TEXT, "missing-voice")
    with pytest.raises(ProviderRequestError, match="HTTP 400"):
        make(fakes, "openai").synthesize(TEXT, "alloy", "tts-9")
    assert len(fakes["openai"].requests) == 1


def test_no_key_is_an_auth_error_without_a_request(fakes):
    with pytest.raises(ProviderAuthError, match="has no API key"):
        say(make(fakes, "cartesia", key=None), "cartesia")
    assert fakes["cartesia"].requests == []


def test_containers_are_decoded_too(fakes):
    """A base URL may point at a proxy that answers MP3: the adapter decodes it and still delivers 22,050 Hz."""
    a = make(fakes, "elevenlabs", options={"output_format": "mp3_44100_128"})
    audio = say(a, "elevenlabs")
    assert fakes["elevenlabs"].requests[0]["query"] == {"output_format": "mp3_44100_128"}
    assert audio.sample_rate == 22050 and audio.duration_ms > 1500


def test_policy_from_environment_and_options():
    p = HttpPolicy.from_options({"read_timeout": "2.5", "max_retries": 0},
                                env={"ONEPIN_TTS_READ_TIMEOUT": "9", "ONEPIN_TTS_BACKOFF": "0.1"})
    assert (p.read_timeout, p.max_retries, p.backoff, p.connect_timeout) == (2.5, 0, 0.1, 5.0)
    assert retry_after({"retry-after": "3"}) == 3.0 and retry_after({"retry-after-ms": "250"}) == 0.25
    assert retry_after({}) is None and retry_after({"retry-after": "soon"}) is None


def test_base_url_with_the_version_prefix_is_not_doubled(fakes):
    a = adapter("openai", KEY, fakes["openai"].url + "/v1", policy=FAST)
    a.synthesize(TEXT, "alloy", "tts-1")
    assert fakes["openai"].requests[0]["path"] == "/v1/audio/speech"
