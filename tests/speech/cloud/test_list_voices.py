"""list_voices() of each cloud adapter against the local fakes: the documented request, the vendor's
metadata mapped to our vocabulary (unknown stays None), pagination, and failures as typed errors."""
from __future__ import annotations

import json

import pytest

from app.speech.tts.cloud import HttpPolicy, ProviderAuthError, ProviderOutage, adapter
from app.speech.tts.cloud import voices as vocab
from tests.fakes.cartesia import VOICES as CARTESIA_VOICES
from tests.speech.cloud.conftest import KEY

FAST = HttpPolicy(connect_timeout=2.0, read_timeout=2.0, max_retries=1, backoff=0.05, max_backoff=0.1)
PROVIDERS = ("elevenlabs", "openai", "cartesia")
LIST_PATH = {"elevenlabs": "/v1/voices", "openai": "/v1/models", "cartesia": "/voices"}


def make(fakes, provider, key=KEY):
    return adapter(provider, key, fakes[provider].url, policy=FAST)


def by_id(items):
    return {v["provider_voice_id"]: v for v in items}


def test_elevenlabs_maps_labels_languages_and_models(fakes):
    voices = by_id(make(fakes, "elevenlabs").list_voices())
    [req] = fakes["elevenlabs"].requests
    assert (req["method"], req["path"], req["headers"]["xi-api-key"]) == ("GET", "/v1/voices", KEY)
    rachel, alice, brian = (voices[k] for k in ("21m00Tcm4TlvDq8ikWAM", "Xb7hH8MSUJpSbSDYk0k2", "nPczCjzI2devNBz1zQrb"))
    assert {k: rachel[k] for k in ("name", "gender", "age", "accent", "category", "description")} == {
        "name": "Rachel", "gender": "female", "age": "young", "accent": "american", "category": "narration",
        "description": None}
    assert rachel["tags"] == ["calm", "premade"] and rachel["supported_languages"] == []       # no languages given
    assert rachel["models"] == ["eleven_turbo_v2", "eleven_multilingual_v2", "eleven_flash_v2_5"]
    # a label outside the contract's enums is kept as a tag, never guessed away
    assert (alice["accent"], alice["age"], alice["category"]) == ("british", "middle_aged", "educational")
    assert alice["tags"] == ["british-essex", "cloned"]
    assert alice["supported_languages"] == ["en-GB", "de-DE"]
    assert alice["model_languages"] == {"eleven_multilingual_v2": ["en-GB", "de-DE"]}
    assert alice["description"] == "Clear, engaging British voice for e-learning."
    assert {k: brian[k] for k in ("gender", "age", "accent", "category", "models")} == dict.fromkeys(
        ("gender", "age", "accent", "category", "models"))
    assert brian["tags"] == ["generated"]


def test_openai_lists_the_documented_voices_after_checking_the_key(fakes):
    voices = by_id(make(fakes, "openai").list_voices())
    [req] = fakes["openai"].requests
    assert (req["method"], req["path"], req["headers"]["authorization"]) == ("GET", "/v1/models", f"Bearer {KEY}")
    assert list(voices) == ["alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer",
                            "verse"]
    assert voices["alloy"]["models"] == ["tts-1", "tts-1-hd", "gpt-4o-mini-tts"]
    assert voices["ballad"]["models"] == voices["verse"]["models"] == ["gpt-4o-mini-tts"]
    assert voices["coral"]["name"] == "Coral" and voices["coral"]["gender"] is None    # OpenAI documents none
    assert "en-us" in voices["coral"]["supported_languages"] and "ja-jp" in voices["coral"]["supported_languages"]


def test_cartesia_pages_through_every_voice(fakes):
    fake = fakes["cartesia"]
    fake.page_size = 1
    try:
        voices = make(fakes, "cartesia").list_voices()
    finally:
        fake.page_size = 100
    assert [v["provider_voice_id"] for v in voices] == [v["id"] for v in CARTESIA_VOICES]
    reqs = fake.requests
    assert len(reqs) == len(CARTESIA_VOICES)
    assert all(r["method"] == "GET" and r["path"] == "/voices" and r["headers"]["x-api-key"] == KEY
               and r["headers"]["cartesia-version"] == "2024-11-13" and r["query"]["limit"] == "100" for r in reqs)
    assert "starting_after" not in reqs[0]["query"]
    assert [r["query"]["starting_after"] for r in reqs[1:]] == [v["id"] for v in CARTESIA_VOICES[:-1]]
    sarah, barber, german, mine = voices
    assert (sarah["gender"], barber["gender"], german["gender"], mine["gender"]) == ("female", "male", None, "neutral")
    assert sarah["supported_languages"] == ["en"] and german["supported_languages"] == ["de"]
    assert sarah["models"] is None and sarah["age"] is None and sarah["accent"] is None   # every Sonic model
    assert mine["description"] is None                                                     # "" is no description


def test_cartesia_before_2024_11_13_answered_a_bare_list(fakes):
    fakes["cartesia"].fail(200, body=json.dumps(CARTESIA_VOICES[:2]))
    voices = make(fakes, "cartesia").list_voices()
    assert [v["name"] for v in voices] == ["Sarah", "Barbershop Man"] and len(fakes["cartesia"].requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_refused_key_is_an_auth_error(fakes, provider):
    with pytest.raises(ProviderAuthError) as err:
        make(fakes, provider, key="sk-wrong-0000").list_voices()
    assert err.value.status == 401 and "rejected the workspace's API key (HTTP 401" in str(err.value)
    assert "sk-wrong" not in str(err.value)
    assert [r["path"] for r in fakes[provider].requests] == [LIST_PATH[provider]]     # not retried


@pytest.mark.parametrize("provider", PROVIDERS)
def test_5xx_is_retried_then_an_outage(fakes, provider):
    fakes[provider].fail(503)                                   # one 503: the retry succeeds
    assert make(fakes, provider).list_voices()
    assert len(fakes[provider].requests) == 2
    fakes[provider].reset().always(500)
    with pytest.raises(ProviderOutage) as err:
        make(fakes, provider).list_voices()
    assert err.value.status == 500 and "is failing (HTTP 500" in str(err.value)
    assert len(fakes[provider].requests) == 2                   # the first try and max_retries=1


def test_label_vocabulary():
    assert vocab.accent("South African") == ("african", "south african")
    assert vocab.accent("transatlantic") == ("other", "transatlantic")
    assert vocab.accent("  ") == (None, None) and vocab.accent(None) == (None, None)
    assert vocab.gender("gender_neutral") == "neutral" and vocab.gender("robot") is None
    assert vocab.age("middle-aged") == "middle_aged" and vocab.age("teen") is None
    assert vocab.category("characters_animation") == (None, "characters animation")
    assert vocab.item("", "Nameless") is None and vocab.item("id", None) is None
