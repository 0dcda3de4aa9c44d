"""MT adapters (app/speech/translate) against the local vendor fakes: success, vendor language codes,
batching, every documented error mapped to its kind, bounded retries with Retry-After, timeouts."""
from __future__ import annotations

import json
import time

import pytest

from app.speech.translate import HttpPolicy, MTError, get_translator
from tests.fakes.deepl import FakeDeepL
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.openai_chat import FakeOpenAIChat

FAST = HttpPolicy(timeout=0.5, attempts=3, backoff=0.01, max_wait=0.2)
LINES = ["Good morning.", "Thank you very much.", "A line nobody has translated."]


@pytest.fixture(scope="module")
def libre():
    with FakeLibreTranslate(api_key="lt-key") as f:
        yield f


@pytest.fixture(scope="module")
def deepl():
    with FakeDeepL(api_key="dl-key:fx") as f:
        yield f


@pytest.fixture(scope="module")
def openai():
    with FakeOpenAIChat(api_key="sk-test") as f:
        yield f


@pytest.fixture(autouse=True)
def _reset(libre, deepl, openai):
    for f in (libre, deepl, openai):
        f.reset()
    yield


def make(provider, fake, secret=None, options=None, policy=FAST):
    return get_translator(provider, secret if secret is not None else fake.api_key, fake.url, options, policy)


CASES = [("libretranslate", "libre"), ("deepl", "deepl"), ("openai_compatible", "openai")]


@pytest.mark.parametrize("provider,fixture", CASES)
def test_translates_a_batch_in_order(provider, fixture, request):
    fake = request.getfixturevalue(fixture)
    got = make(provider, fake).translate(LINES, "en-us", "de-de")
    assert got == ["Guten Morgen.", "Vielen Dank.", "[de] A line nobody has translated."]
    assert len(fake.translate_requests) == 1                     # one request for the whole batch


def test_libretranslate_request_shape(libre):
    make("libretranslate", libre).translate(["Good morning."], "en-us", "pt-br")
    body = libre.requests[-1]["json"]
    assert libre.requests[-1]["path"] == "/translate"
    assert body == {"q": ["Good morning."], "source": "en", "target": "pt", "format": "text", "api_key": "lt-key"}


def test_deepl_request_shape_and_language_codes(deepl):
    t = make("deepl", deepl)
    for locale, code in (("en-us", "EN-US"), ("pt-br", "PT-BR"), ("de-de", "DE"), ("zh-cn", "ZH-HANS"),
                         ("en-gb", "EN-GB")):
        t.translate(["Where is the station?"], "fr-fr" if locale.startswith("en") else "en-us", locale)
        req = deepl.requests[-1]
        assert req["path"] == "/v2/translate"
        assert req["headers"]["authorization"] == "DeepL-Auth-Key dl-key:fx"
        assert req["json"]["target_lang"] == code
        assert req["json"]["source_lang"] in ("EN", "FR")            # source codes carry no variant
    assert req["json"]["text"] == ["Where is the station?"]


def test_deepl_free_and_pro_endpoints_follow_the_key():
    assert get_translator("deepl", "abc:fx").url() == "https://api-free.deepl.com/v2/translate"
    assert get_translator("deepl", "abc").url() == "https://api.deepl.com/v2/translate"
    assert get_translator("deepl", "abc", "http://127.0.0.1:9/").url() == "http://127.0.0.1:9/v2/translate"


def test_deepl_batches_of_fifty(deepl):
    texts = [f"Sentence number {i}." for i in range(120)]
    got = make("deepl", deepl).translate(texts, "en-us", "fr-fr")
    assert got == [f"[fr] Sentence number {i}." for i in range(120)]
    assert [len(r["json"]["text"]) for r in deepl.translate_requests] == [50, 50, 20]


def test_openai_request_shape_and_model_from_options(openai):
    got = make("openai_compatible", openai, options={"model": "llama-3.1-8b"}).translate(
        ["The train leaves at noon."], "en-us", "es-es")
    assert got == ["El tren sale a mediodía."]
    req = openai.requests[-1]
    assert req["path"] == "/v1/chat/completions" and req["headers"]["authorization"] == "Bearer sk-test"
    body = req["json"]
    assert body["model"] == "llama-3.1-8b" and body["temperature"] == 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "to European Spanish" in body["messages"][0]["content"]
    assert json.loads(body["messages"][1]["content"]) == ["The train leaves at noon."]


def test_openai_base_url_with_or_without_v1():
    assert get_translator("openai_compatible", "k", "http://h:1").url() == "http://h:1/v1/chat/completions"
    assert get_translator("openai_compatible", "k", "http://h:1/v1").url() == "http://h:1/v1/chat/completions"
    assert get_translator("openai_compatible", "k").url() == "https://api.openai.com/v1/chat/completions"


def test_openai_prose_answer_is_asked_again_line_by_line(openai):
    openai.garble(1)
    got = make("openai_compatible", openai).translate(LINES, "en-us", "fr-fr")
    assert got == ["Bonjour.", "Merci beaucoup.", "[fr] A line nobody has translated."]
    sizes = [len(json.loads(r["json"]["messages"][1]["content"])) for r in openai.translate_requests]
    assert sizes == [3, 1, 1, 1]


def test_openai_prose_is_never_taken_as_a_translation(openai):
    openai.garble(10)
    with pytest.raises(MTError) as exc:
        make("openai_compatible", openai).translate(["One.", "Two."], "en-us", "fr-fr")
    assert exc.value.kind == "bad_response" and not exc.value.transient
    assert len(openai.translate_requests) == 2                    # the batch, then the first line alone


@pytest.mark.parametrize("provider,fixture", CASES)
def test_a_wrong_key_is_an_auth_error_without_retries(provider, fixture, request):
    fake = request.getfixturevalue(fixture)
    with pytest.raises(MTError) as exc:
        make(provider, fake, secret="wrong").translate(["Good morning."], "en-us", "de-de")
    assert exc.value.kind == "auth" and exc.value.status in (401, 403) and not exc.value.transient
    assert len(fake.translate_requests) == 1


@pytest.mark.parametrize("provider,fixture", CASES)
def test_429_is_retried_honouring_retry_after(provider, fixture, request):
    fake = request.getfixturevalue(fixture)
    fake.fail(429, times=2, retry_after=0.15)
    started = time.monotonic()
    got = make(provider, fake).translate(["Good morning."], "en-us", "es-es")
    assert got == ["Buenos días."]
    assert len(fake.translate_requests) == 3
    assert time.monotonic() - started >= 0.3                      # waited Retry-After twice


@pytest.mark.parametrize("provider,fixture", CASES)
def test_5xx_exhausting_the_retries_is_a_transient_outage(provider, fixture, request):
    fake = request.getfixturevalue(fixture)
    fake.fail(503, times=5)
    with pytest.raises(MTError) as exc:
        make(provider, fake).translate(["Good morning."], "en-us", "de-de")
    assert exc.value.kind == "outage" and exc.value.status == 503 and exc.value.transient
    assert "3 attempts" in str(exc.value)
    assert len(fake.translate_requests) == 3                      # bounded: 1 + 2 retries


@pytest.mark.parametrize("provider,fixture", CASES)
def test_a_slow_server_times_out_then_the_retry_succeeds(provider, fixture, request):
    fake = request.getfixturevalue(fixture)
    fake.stall(1.0)
    got = make(provider, fake).translate(["Good morning."], "en-us", "de-de")
    assert got == ["Guten Morgen."] and len(fake.translate_requests) == 2


@pytest.mark.parametrize("provider,fixture", CASES)
def test_a_server_that_never_answers_in_time_is_a_timeout(provider, fixture, request):
    fake = request.getfixturevalue(fixture)
    fake.stall(1.0, times=2)
    policy = HttpPolicy(timeout=0.3, attempts=2, backoff=0.01, max_wait=0.1)
    started = time.monotonic()
    with pytest.raises(MTError) as exc:
        make(provider, fake, policy=policy).translate(["Good morning."], "en-us", "de-de")
    assert exc.value.kind == "timeout" and exc.value.transient
    assert time.monotonic() - started < 1.5                        # gave up on time, did not wait for the server


def test_nothing_listening_is_an_outage():
    t = get_translator("libretranslate", None, "http://127.0.0.1:9", policy=HttpPolicy(0.3, 2, 0.01, 0.05))
    with pytest.raises(MTError) as exc:
        t.translate(["Hello."], "en-us", "de-de")
    assert exc.value.kind == "outage" and exc.value.transient


def test_deepl_quota_456_is_not_retried(deepl):
    deepl.fail(456)
    with pytest.raises(MTError) as exc:
        make("deepl", deepl).translate(["Good morning."], "en-us", "de-de")
    assert exc.value.kind == "quota" and not exc.value.transient and len(deepl.translate_requests) == 1


def test_openai_insufficient_quota_429_is_not_retried(openai):
    openai.fail(429, body={"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota",
                                     "code": "insufficient_quota"}})
    with pytest.raises(MTError) as exc:
        make("openai_compatible", openai).translate(["Good morning."], "en-us", "de-de")
    assert exc.value.kind == "quota" and "exceeded your current quota" in str(exc.value)
    assert len(openai.translate_requests) == 1


def test_unsupported_language_codes(libre, deepl):
    # the vendor refuses a code it does not know: mapped to "unsupported", not retried
    with pytest.raises(MTError) as exc:
        make("libretranslate", libre, options={"language_codes": {"de-de": "xx"}}).translate(
            ["Good morning."], "en-us", "de-de")
    assert exc.value.kind == "unsupported" and len(libre.translate_requests) == 1
    with pytest.raises(MTError) as exc:
        make("deepl", deepl, options={"language_codes": {"de-de": "XX"}}).translate(["Hi."], "en-us", "de-de")
    assert exc.value.kind == "unsupported"
    # a locale the adapter has no code for is refused before any request
    with pytest.raises(MTError) as exc:
        make("deepl", deepl).translate(["Hi."], "en-us", "xx-yy")
    assert exc.value.kind == "unsupported" and len(deepl.translate_requests) == 1


def test_language_code_overrides_are_sent(libre):
    libre_t = make("libretranslate", libre, options={"language_codes": {"zh-cn": "zh"}})
    libre_t.translate(["Good morning."], "en-us", "zh-cn")
    assert libre.requests[-1]["json"]["target"] == "zh"


def test_libretranslate_without_key_sends_none(libre):
    libre.api_key = None
    try:
        got = get_translator("libretranslate", None, libre.url, policy=FAST).translate(["Good morning."], "en-us", "fr-fr")
    finally:
        libre.api_key = "lt-key"
    assert got == ["Bonjour."] and "api_key" not in libre.requests[-1]["json"]
