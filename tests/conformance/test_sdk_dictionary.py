"""The official onepin 0.16.1 Python SDK against a live server: every dictionary.* method (the CLI has no
dictionary commands). Responses must parse into the SDK's own models; errors must reach the caller with the
status and the error envelope the contract documents."""
from __future__ import annotations

import math
import struct
import wave
from io import BytesIO

import httpx
import pytest

from tests.conformance.conftest import access_log_offset, requests_since
from tests.conformance.sdk_helpers import NO_RETRY, sdk

pytestmark = pytest.mark.conformance


def _wav(seconds: float = 0.3, rate: int = 16000) -> bytes:
    buf = BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * 330 * i / rate)))
                               for i in range(int(seconds * rate))))
    return buf.getvalue()


def _dictionary_upload(client, data: bytes) -> str:
    """uploads.create → PUT the bytes to the signed URL (no auth) → uploads.confirm on a workflow."""
    created = client.uploads.create(filename="word.wav", category="dictionary").data
    put = httpx.put(created.upload_url, content=data, headers={"Content-Type": created.upload.content_type},
                    timeout=30)
    assert put.status_code < 400, put.text
    wf = client.workflows.create_workflow(name="Dictionary audio").data
    confirmed = client.uploads.confirm(created.upload.id, context_type="workflow", context_id=wf.id).data
    assert confirmed.status == "uploaded"
    return created.upload.id


def test_every_dictionary_method_through_the_sdk(live_server, signup):
    from onepin.core.api_error import ApiError
    from onepin.errors import UnprocessableEntityError

    owner = signup("dict")
    c = sdk(live_server, owner.key)

    # create: spelled, ipa (not in the SDK's enum, accepted), recorded (upload consumed)
    pod = c.dictionary.create_dictionary_entry(word="Podonos", method="spelled", language="EN-US",
                                               pronunciation="puh-DOH-nohs", description="brand").data
    assert pod.word == "Podonos" and pod.method == "spelled" and pod.language == "en-us"
    assert pod.uses_count == 0 and pod.created_by is None and pod.audio_url is None
    ipa = c.dictionary.create_dictionary_entry(word="Tucson", method="ipa", language="en-us",
                                               ipa="/ˈtuːsɑn/").data
    assert ipa.method == "ipa" and ipa.ipa == "ˈtuːsɑn"
    audio = _wav()
    rec = c.dictionary.create_dictionary_entry(word="Saoirse", method="recorded", language="en-gb",
                                               upload_id=_dictionary_upload(c, audio)).data
    assert rec.method == "recorded" and rec.audio_url
    assert httpx.get(rec.audio_url, timeout=30, follow_redirects=True).content == audio

    # 422s reach the caller as the SDK's typed error with the envelope
    with pytest.raises(UnprocessableEntityError) as exc:
        c.dictionary.create_dictionary_entry(word="Nginx", method="spelled", language="en-us")
    assert exc.value.body["error"]["code"] == "VALIDATION_ERROR"
    assert exc.value.body["error"]["details"][0]["field"] == "pronunciation"
    with pytest.raises(UnprocessableEntityError) as exc:
        c.dictionary.create_dictionary_entry(word="Hello", method="ipa", language="en-us", ipa="h@l'oU")
    assert "not IPA" in exc.value.body["error"]["message"]

    # 409 for the same word in the same locale, whatever the case; the SDK's retries create nothing
    mark = access_log_offset(live_server)
    with pytest.raises(ApiError) as exc:
        c.dictionary.create_dictionary_entry(word="PODONOS", method="spelled", language="en-us",
                                             pronunciation="x")
    assert exc.value.status_code == 409 and exc.value.body["error"]["code"] == "CONFLICT"
    posts = [r for r in requests_since(live_server, mark) if r[0] == "POST" and r[1] == "/api/v1/dictionary"]
    assert [s for _m, _p, s in posts] == [409, 409, 409]           # tried three times, refused three times

    # list (one locale, method OR, sort, paging), search, languages
    c.dictionary.create_dictionary_entry(word="Kubernetes", method="spelled", language="en-us",
                                         pronunciation="koo-ber-NET-eez")
    page = c.dictionary.list_dictionary_entries(language="en-us", method=["spelled", "ipa"], sort="word",
                                                order="asc", limit=2)
    assert [e.word for e in page.data] == ["Kubernetes", "Podonos"] and page.pagination.limit == 2
    rest = c.dictionary.list_dictionary_entries(language="en-us", sort="word", order="asc", offset=2, limit=2)
    assert [e.word for e in rest.data] == ["Tucson"]
    assert [e.word for e in c.dictionary.list_dictionary_entries(language="en-us", method=["ipa"]).data] == ["Tucson"]
    with pytest.raises(UnprocessableEntityError):
        c.dictionary.list_dictionary_entries(language="en-us", limit=51)
    found = c.dictionary.search_dictionary_entries(search="o", language=["en-us", "en-gb"], sort="word").data
    assert {e.word for e in found} == {"Podonos", "Tucson", "Saoirse"}
    assert [e.word for e in c.dictionary.search_dictionary_entries(search="SAOIR").data] == ["Saoirse"]
    langs = c.dictionary.list_dictionary_languages().data
    assert [(lang.code, lang.count) for lang in langs] == [("en-us", 3), ("en-gb", 1)]

    # suggestion: deterministic respelling plus espeak's IPA
    s1 = c.dictionary.suggest_pronunciation(word="Podonos", language="en-us").data
    s2 = c.dictionary.suggest_pronunciation(word="Podonos", language="en-us").data
    assert s1.pronunciation == s2.pronunciation == "puh-DOH-nohz" and s1.ipa == "pədˈoʊnoʊz"

    # update: partial; explicit null clears the IPA; collisions are 409
    upd = c.dictionary.update_dictionary_entry(ipa.id, description="city in Arizona").data
    assert upd.description == "city in Arizona" and upd.ipa == "ˈtuːsɑn"
    upd = c.dictionary.update_dictionary_entry(ipa.id, method="spelled", pronunciation="TOO-sahn", ipa=None).data
    assert upd.method == "spelled" and upd.ipa is None and upd.pronunciation == "TOO-sahn"
    with pytest.raises(UnprocessableEntityError):
        c.dictionary.update_dictionary_entry(ipa.id, word=None)
    with pytest.raises(ApiError) as exc:
        c.dictionary.update_dictionary_entry(ipa.id, word="kubernetes", request_options=NO_RETRY)
    assert exc.value.status_code == 409
    audio2 = _wav(0.5)
    rec2 = c.dictionary.update_dictionary_entry(rec.id, upload_id=_dictionary_upload(c, audio2)).data
    assert httpx.get(rec2.audio_url, timeout=30, follow_redirects=True).content == audio2

    # another workspace sees nothing and gets 404s; a read-only key cannot write
    other = sdk(live_server, signup("other").key)
    assert other.dictionary.list_dictionary_entries(language="en-us").data == []
    for call in (lambda: other.dictionary.update_dictionary_entry(pod.id, description="x", request_options=NO_RETRY),
                 lambda: other.dictionary.delete_dictionary_entry(pod.id, request_options=NO_RETRY)):
        with pytest.raises(ApiError) as exc:
            call()
        assert exc.value.status_code == 404 and exc.value.body["error"]["code"] == "NOT_FOUND"
    reader = sdk(live_server, owner.mint_key("dictionary:read", name="reader"))
    assert len(reader.dictionary.list_dictionary_entries(language="en-us").data) == 3
    with pytest.raises(ApiError) as exc:
        reader.dictionary.delete_dictionary_entry(pod.id, request_options=NO_RETRY)
    assert exc.value.status_code == 403 and exc.value.body["error"]["code"] == "FORBIDDEN"

    # delete: an empty object, then the entry is gone
    assert c.dictionary.delete_dictionary_entry(pod.id).data == {}
    with pytest.raises(ApiError) as exc:
        c.dictionary.delete_dictionary_entry(pod.id, request_options=NO_RETRY)
    assert exc.value.status_code == 404
    assert {e.word for e in c.dictionary.list_dictionary_entries(language="en-us").data} == {"Tucson", "Kubernetes"}
