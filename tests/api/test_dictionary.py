"""dictionary.* endpoints: every documented rule and error, through the API as the SDK calls it."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import DictionaryEntry, Upload
from app.storage import get_store
from tests.api.conftest import dump, fresh, jwt_for
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_key, make_user, make_workspace
from tests.uploads import corpus
from tests.uploads.conftest import confirm, create as create_upload, local_put, make_workflow

BASE = "/api/v1/dictionary"
OUT_FIELDS = {"id", "word", "description", "pronunciation", "audio_url", "method", "language", "uses_count", "ipa",
              "created_by", "created_at", "updated_at"}


def _create(api, status=201, **body):
    return assert_envelope(api.post(BASE, json=body), status)["data"]


def _spelled(api, word="Podonos", language="en-us", pronunciation="puh-DOH-nohs", **extra):
    return _create(api, word=word, method="spelled", language=language, pronunciation=pronunciation, **extra)


def _dictionary_upload(client, api, data=None, filename="word.wav", confirmed=True) -> str:
    up, url = create_upload(api, filename, "dictionary")
    assert local_put(client, url, data or corpus.wav(), up["content_type"]).status_code == 200
    if confirmed:
        assert_envelope(confirm(api, up["id"], make_workflow(api)))
    return up["id"]


def _entry(entry_id) -> DictionaryEntry:
    fresh()
    return db.session.get(DictionaryEntry, entry_id)


# ---------------------------------------------------------------- create


def test_create_spelled_returns_the_contract_shape(owner_api, owner, workspace, api):
    out = _spelled(owner_api, description="Our brand")
    assert OUT_FIELDS <= set(out)
    assert out["word"] == "Podonos" and out["method"] == "spelled" and out["language"] == "en-us"
    assert out["pronunciation"] == "puh-DOH-nohs" and out["ipa"] is None and out["audio_url"] is None
    assert out["uses_count"] == 0 and out["description"] == "Our brand"
    assert out["created_by"] is None                      # created through an API key (contract)
    assert out["created_at"].endswith("Z") and out["updated_at"].endswith("Z")
    by_session = _spelled(api.as_(jwt_for(owner), workspace.id), word="Nginx", pronunciation="engine-x")
    assert by_session["created_by"] == owner.id
    row = _entry(out["id"])
    assert row.workspace_id == workspace.id and row.word_key == "podonos"


def test_create_ipa_checks_and_normalizes_and_lowercases_language(owner_api):
    out = _create(owner_api, word="Podonos", method="ipa", language="EN_US", ipa="/pə'doʊnoʊs/")
    assert out["language"] == "en-us" and out["method"] == "ipa" and out["ipa"] == "pəˈdoʊnoʊs"
    body = assert_error(owner_api.post(BASE, json={"word": "Hello", "method": "ipa", "language": "en-us",
                                                   "ipa": "h@l'oU"}), 422, "VALIDATION_ERROR")
    detail = next(d for d in body["error"]["details"] if d["field"] == "ipa")
    assert "not IPA" in detail["message"] and "'@'" in detail["message"]
    # any method may carry an IPA; it is checked the same way
    assert_error(owner_api.post(BASE, json={"word": "Hi", "method": "spelled", "language": "en-us",
                                            "pronunciation": "hy", "ipa": "HI"}), 422, "VALIDATION_ERROR")


def test_create_recorded_copies_the_upload_and_consumes_it(client, owner_api, workspace):
    wav = corpus.wav(0.2)
    upload_id = _dictionary_upload(client, owner_api, wav)
    staging = db.session.get(Upload, upload_id).storage_key
    out = _create(owner_api, word="Xochitl", method="recorded", language="es-mx", upload_id=upload_id)
    assert out["method"] == "recorded" and out["audio_url"]
    got = client.get(urlsplit(out["audio_url"]).path + "?" + urlsplit(out["audio_url"]).query)
    assert got.status_code == 200 and got.data == wav
    row = _entry(out["id"])
    assert row.audio_key.startswith(f"ws/{workspace.id}/dictionary/{out['id']}/") and row.audio_content_type == "audio/wav"
    assert db.session.get(Upload, upload_id) is None                 # consumed
    assert get_store().head(staging) is None                         # staging object removed after commit
    body = assert_error(owner_api.post(BASE, json={"word": "Other", "method": "recorded", "language": "es-mx",
                                                   "upload_id": upload_id}), 422, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == "upload_id"


def test_recorded_needs_a_confirmed_dictionary_upload(client, owner_api, workspace):
    pending = _dictionary_upload(client, owner_api, confirmed=False)
    script, url = create_upload(owner_api, "lines.txt", "script")
    local_put(client, url, b"Hello there.\n", script["content_type"])
    assert_envelope(confirm(owner_api, script["id"], make_workflow(owner_api)))
    other_ws_user = make_user()
    other_key = make_key(make_workspace(other_ws_user), other_ws_user)
    foreign = _dictionary_upload(client, owner_api.as_(other_key))
    for upload_id, message in ((pending, "not confirmed"), (script["id"], "script upload"),
                               (foreign, "no upload"), ("nope", "no upload"), (None, "is required")):
        before = dump()
        body = {"word": "Word", "method": "recorded", "language": "en-us"}
        if upload_id is not None:
            body["upload_id"] = upload_id
        err = assert_error(owner_api.post(BASE, json=body), 422, "VALIDATION_ERROR")
        assert err["error"]["details"][0]["field"] == "upload_id" and message in err["error"]["message"], err
        assert dump() == before


@pytest.mark.parametrize("body,field", [
    ({"method": "spelled", "language": "en-us", "pronunciation": "x"}, "word"),
    ({"word": None, "method": "spelled", "language": "en-us", "pronunciation": "x"}, "word"),
    ({"word": "  ", "method": "spelled", "language": "en-us", "pronunciation": "x"}, "word"),
    ({"word": "W", "language": "en-us", "pronunciation": "x"}, "method"),
    ({"word": "W", "method": None, "language": "en-us", "pronunciation": "x"}, "method"),
    ({"word": "W", "method": "sung", "language": "en-us", "pronunciation": "x"}, "method"),
    ({"word": "W", "method": "spelled", "pronunciation": "x"}, "language"),
    ({"word": "W", "method": "spelled", "language": None, "pronunciation": "x"}, "language"),
    ({"word": "W", "method": "spelled", "language": "English!", "pronunciation": "x"}, "language"),
    ({"word": "W", "method": "spelled", "language": "en-us"}, "pronunciation"),
    ({"word": "W", "method": "spelled", "language": "en-us", "pronunciation": None}, "pronunciation"),
    ({"word": "W", "method": "ipa", "language": "en-us"}, "ipa"),
    ({"word": "W", "method": "ipa", "language": "en-us", "ipa": None}, "ipa"),
    ({"word": "W", "method": "ipa", "language": "en-us", "ipa": "  "}, "ipa"),
    ({"word": "a|b", "method": "spelled", "language": "en-us", "pronunciation": "x"}, "word"),
    ({"word": 5, "method": "spelled", "language": "en-us", "pronunciation": "x"}, "word"),
    ({"word": "W" * 201, "method": "spelled", "language": "en-us", "pronunciation": "x"}, "word"),
    ({"word": "W", "method": "spelled", "language": "en-us", "pronunciation": "x", "case_sensitive": None},
     "case_sensitive"),
])
def test_create_422(owner_api, body, field):
    before = dump()
    err = assert_error(owner_api.post(BASE, json=body), 422, "VALIDATION_ERROR")
    assert field in {d["field"] for d in err["error"]["details"]}, err
    assert dump() == before


def test_duplicate_word_and_language_is_409_case_insensitively(owner_api):
    first = _spelled(owner_api)
    before = dump()
    for word, language in (("Podonos", "en-us"), ("podonos", "EN-US"), ("PODONOS", "en_us")):
        err = assert_error(owner_api.post(BASE, json={"word": word, "method": "ipa", "language": language,
                                                      "ipa": "pəˈdoʊnoʊs"}), 409, "CONFLICT")
        assert "Podonos" in err["error"]["message"] or word in err["error"]["message"]
    assert dump() == before                                   # the SDK retries 409s: nothing may change
    other = _spelled(owner_api, language="en-gb")             # another locale is another entry
    assert other["id"] != first["id"]


# ---------------------------------------------------------------- update


def test_update_is_partial(owner_api):
    e = _create(owner_api, word="Podonos", method="ipa", language="en-us", ipa="pəˈdoʊnoʊs", description="d")
    out = assert_envelope(owner_api.put(f"{BASE}/{e['id']}", json={"description": "new"}))["data"]
    assert out["description"] == "new" and out["ipa"] == "pəˈdoʊnoʊs" and out["word"] == "Podonos"
    out = assert_envelope(owner_api.put(f"{BASE}/{e['id']}", json={"method": "spelled", "pronunciation": "pod",
                                                                   "ipa": None, "description": None}))["data"]
    assert out["method"] == "spelled" and out["ipa"] is None and out["description"] is None
    out = assert_envelope(owner_api.put(f"{BASE}/{e['id']}", json={"word": "PODONOS", "language": "EN-US"}))["data"]
    assert out["word"] == "PODONOS" and out["language"] == "en-us"           # same entry: no conflict with itself
    assert out["updated_at"] >= e["updated_at"]


@pytest.mark.parametrize("body,field", [
    ({"word": None}, "word"), ({"method": None}, "method"), ({"language": None}, "language"),
    ({"method": "spelled", "pronunciation": None}, "pronunciation"), ({"ipa": None}, "ipa"),
    ({"ipa": "x!"}, "ipa"), ({"method": "recorded"}, "upload_id"), ({"language": "e"}, "language"),
])
def test_update_422(owner_api, body, field):
    e = _create(owner_api, word="Podonos", method="ipa", language="en-us", ipa="pəˈdoʊnoʊs")
    before = dump()
    err = assert_error(owner_api.put(f"{BASE}/{e['id']}", json=body), 422, "VALIDATION_ERROR")
    assert field in {d["field"] for d in err["error"]["details"]}, err
    assert dump() == before


def test_update_collision_is_409(owner_api):
    a = _spelled(owner_api, word="Podonos")
    b = _spelled(owner_api, word="Nginx", pronunciation="engine-x")
    gb = _spelled(owner_api, word="Nginx", language="en-gb", pronunciation="engine-x")
    before = dump()
    assert_error(owner_api.put(f"{BASE}/{b['id']}", json={"word": "podonos"}), 409, "CONFLICT")
    assert_error(owner_api.put(f"{BASE}/{gb['id']}", json={"language": "EN-us"}), 409, "CONFLICT")
    assert dump() == before
    assert a["id"] != b["id"]


def test_new_upload_replaces_recorded_audio(client, owner_api):
    first = _dictionary_upload(client, owner_api, corpus.wav(0.1))
    e = _create(owner_api, word="Saoirse", method="recorded", language="en-gb", upload_id=first)
    old_key = _entry(e["id"]).audio_key
    second_bytes = corpus.wav(0.3)
    second = _dictionary_upload(client, owner_api, second_bytes, filename="take2.wav")
    out = assert_envelope(owner_api.put(f"{BASE}/{e['id']}", json={"upload_id": second}))["data"]
    new_key = _entry(e["id"]).audio_key
    assert new_key != old_key and get_store().head(old_key) is None
    assert get_store().get_bytes(new_key) == second_bytes
    parts = urlsplit(out["audio_url"])
    assert client.get(parts.path + "?" + parts.query).data == second_bytes
    assert db.session.get(Upload, second) is None


# ---------------------------------------------------------------- delete


def test_delete_removes_entry_and_audio(client, owner_api):
    e = _create(owner_api, word="Saoirse", method="recorded", language="en-gb",
                upload_id=_dictionary_upload(client, owner_api))
    key = _entry(e["id"]).audio_key
    body = assert_envelope(owner_api.delete(f"{BASE}/{e['id']}"))
    assert body["data"] == {}
    assert _entry(e["id"]) is None and get_store().head(key) is None
    assert_error(owner_api.delete(f"{BASE}/{e['id']}"), 404, "NOT_FOUND")
    assert_error(owner_api.put(f"{BASE}/{e['id']}", json={"description": "x"}), 404, "NOT_FOUND")


# ---------------------------------------------------------------- reading


@pytest.fixture
def filled(owner_api):
    rows = {}
    for word, lang, method, uses in (("Podonos", "en-us", "spelled", 5), ("nginx", "en-us", "ipa", 9),
                                     ("Kubernetes", "en-us", "spelled", 1), ("Seoul", "ko-kr", "ipa", 0),
                                     ("100%_sure", "en-us", "spelled", 2), ("Podonos", "de-de", "spelled", 3)):
        body = {"word": word, "method": method, "language": lang}
        body.update({"pronunciation": "x-y"} if method == "spelled" else {"ipa": "ˈsəʊl"})
        rows[(word, lang)] = _create(owner_api, **body)
        db.session.execute(DictionaryEntry.__table__.update().where(DictionaryEntry.id == rows[(word, lang)]["id"])
                           .values(uses_count=uses))
    db.session.commit()
    return rows


def _words(resp) -> list[str]:
    return [e["word"] for e in assert_envelope(resp)["data"]]


def test_list_one_locale_with_method_filter_sort_and_paging(owner_api, filled):
    assert_error(owner_api.get(BASE), 422, "VALIDATION_ERROR")
    assert set(_words(owner_api.get(f"{BASE}?language=en-us"))) == {"Podonos", "nginx", "Kubernetes", "100%_sure"}
    assert _words(owner_api.get(f"{BASE}?language=KO-KR")) == ["Seoul"]
    assert set(_words(owner_api.get(f"{BASE}?language=en-us&method=ipa"))) == {"nginx"}
    assert set(_words(owner_api.get(f"{BASE}?language=en-us&method=ipa&method=spelled"))) == \
        {"Podonos", "nginx", "Kubernetes", "100%_sure"}
    assert _words(owner_api.get(f"{BASE}?language=en-us&method=recorded")) == []
    assert_error(owner_api.get(f"{BASE}?language=en-us&method=sung"), 422, "VALIDATION_ERROR")
    assert _words(owner_api.get(f"{BASE}?language=en-us&sort=word")) == ["100%_sure", "Kubernetes", "nginx", "Podonos"]
    assert _words(owner_api.get(f"{BASE}?language=en-us&sort=word&order=desc"))[0] == "Podonos"
    assert _words(owner_api.get(f"{BASE}?language=en-us&sort=uses_count")) == \
        ["nginx", "Podonos", "100%_sure", "Kubernetes"]
    assert _words(owner_api.get(f"{BASE}?language=en-us&sort=uses_count&order=asc"))[0] == "Kubernetes"
    assert _words(owner_api.get(f"{BASE}?language=en-us&sort=created_at&order=asc"))[0] == "Podonos"
    assert_error(owner_api.get(f"{BASE}?language=en-us&sort=popular"), 422, "VALIDATION_ERROR")
    page = assert_envelope(owner_api.get(f"{BASE}?language=en-us&sort=word&limit=3"))
    assert len(page["data"]) == 3 and page["pagination"]["limit"] == 3 and page["pagination"]["next"]
    rest = assert_envelope(owner_api.get(page["pagination"]["next"]))
    assert [e["word"] for e in rest["data"]] == ["Podonos"] and rest["pagination"]["next"] is None
    assert_envelope(owner_api.get(f"{BASE}?language=en-us&limit=50"))
    assert_error(owner_api.get(f"{BASE}?language=en-us&limit=51"), 422, "VALIDATION_ERROR")


def test_search_substring_case_insensitive_across_locales(owner_api, filled):
    assert_error(owner_api.get(f"{BASE}/search"), 422, "VALIDATION_ERROR")
    assert_error(owner_api.get(f"{BASE}/search?search="), 422, "VALIDATION_ERROR")
    hits = assert_envelope(owner_api.get(f"{BASE}/search?search=DON"))["data"]
    assert sorted((e["word"], e["language"]) for e in hits) == [("Podonos", "de-de"), ("Podonos", "en-us")]
    assert _words(owner_api.get(f"{BASE}/search?search=don&language=de-de")) == ["Podonos"]
    assert len(_words(owner_api.get(f"{BASE}/search?search=o&language=de-de&language=ko-kr"))) == 2
    assert _words(owner_api.get(f"{BASE}/search?search=%25_")) == ["100%_sure"]      # % and _ are literal
    assert _words(owner_api.get(f"{BASE}/search?search=x_y")) == []
    assert _words(owner_api.get(f"{BASE}/search?search=N&sort=uses_count&limit=1")) == ["nginx"]
    assert_error(owner_api.get(f"{BASE}/search?search=o&limit=51"), 422, "VALIDATION_ERROR")


def test_languages_with_counts(owner_api, filled):
    body = assert_envelope(owner_api.get(f"{BASE}/languages"))
    assert body["data"] == [{"code": "en-us", "count": 4}, {"code": "de-de", "count": 1},
                            {"code": "ko-kr", "count": 1}]
    assert "pagination" not in body


def test_suggest_pronunciation_is_deterministic_with_espeak_ipa(owner_api):
    first = assert_envelope(owner_api.post(f"{BASE}/suggest-pronunciation",
                                           json={"word": "Podonos", "language": "en-us"}))["data"]
    again = assert_envelope(owner_api.post(f"{BASE}/suggest-pronunciation",
                                           json={"word": "Podonos", "language": "EN-US"}))["data"]
    assert first["pronunciation"] == again["pronunciation"] == "puh-DOH-nohz"
    assert first["ipa"] == again["ipa"] == "pədˈoʊnoʊz"
    de = assert_envelope(owner_api.post(f"{BASE}/suggest-pronunciation",
                                        json={"word": "Straße", "language": "de-de"}))["data"]
    assert de["ipa"] and "ʃ" in de["ipa"] and de["pronunciation"].lower().startswith("sh")
    unknown = assert_envelope(owner_api.post(f"{BASE}/suggest-pronunciation",
                                             json={"word": "Podonos", "language": "xx-yy"}))["data"]
    assert unknown["ipa"] is None and unknown["pronunciation"] == "puh-DOH-nohz"
    for body in ({"word": "x"}, {"language": "en-us"}, {"word": None, "language": "en-us"},
                 {"word": "x", "language": "!!"}):
        assert_error(owner_api.post(f"{BASE}/suggest-pronunciation", json=body), 422, "VALIDATION_ERROR")
    # a suggestion is meant to be saved as a spelled entry
    saved = _spelled(owner_api, pronunciation=first["pronunciation"])
    assert saved["pronunciation"] == "puh-DOH-nohz"


# ---------------------------------------------------------------- roles, scopes, tenancy


def test_viewer_reads_but_cannot_change(api, owner_api, workspace):
    e = _spelled(owner_api)
    viewer = add_member(workspace, make_user(), "viewer")
    v = api.as_(jwt_for(viewer), workspace.id)       # a session has every scope: only the role refuses
    assert _words(v.get(f"{BASE}?language=en-us")) == ["Podonos"]
    assert _words(v.get(f"{BASE}/search?search=pod")) == ["Podonos"]
    assert assert_envelope(v.get(f"{BASE}/languages"))["data"] == [{"code": "en-us", "count": 1}]
    assert_envelope(v.post(f"{BASE}/suggest-pronunciation", json={"word": "Podonos", "language": "en-us"}))
    before = dump()
    assert_error(v.post(BASE, json={"word": "W", "method": "spelled", "language": "en-us", "pronunciation": "w"}),
                 403, "FORBIDDEN")
    assert_error(v.put(f"{BASE}/{e['id']}", json={"description": "x"}), 403, "FORBIDDEN")
    assert_error(v.delete(f"{BASE}/{e['id']}"), 403, "FORBIDDEN")
    assert dump() == before
    reader = api.as_(make_key(workspace, viewer, ["dictionary:read"]))   # viewers' keys are read-only
    assert _words(reader.get(f"{BASE}?language=en-us")) == ["Podonos"]


def test_scopes(api, owner, workspace, owner_api):
    e = _spelled(owner_api)
    reader = api.as_(make_key(workspace, owner, ["dictionary:read"]))
    writer = api.as_(make_key(workspace, owner, ["dictionary:write"]))
    other = api.as_(make_key(workspace, owner, ["workflows:read", "workflows:write", "uploads:write"]))
    before = dump()
    for a in (writer, other):        # a write-only key reading a list gets FORBIDDEN (contract)
        assert_error(a.get(f"{BASE}?language=en-us"), 403, "FORBIDDEN")
        assert_error(a.get(f"{BASE}/search?search=p"), 403, "FORBIDDEN")
        assert_error(a.get(f"{BASE}/languages"), 403, "FORBIDDEN")
        assert_error(a.post(f"{BASE}/suggest-pronunciation", json={"word": "p", "language": "en-us"}), 403)
    for a in (reader, other):
        assert_error(a.post(BASE, json={"word": "W", "method": "spelled", "language": "en-us",
                                        "pronunciation": "w"}), 403, "FORBIDDEN")
        assert_error(a.put(f"{BASE}/{e['id']}", json={"description": "x"}), 403, "FORBIDDEN")
        assert_error(a.delete(f"{BASE}/{e['id']}"), 403, "FORBIDDEN")
    assert dump() == before
    assert _words(reader.get(f"{BASE}?language=en-us")) == ["Podonos"]
    assert assert_envelope(writer.put(f"{BASE}/{e['id']}", json={"description": "ok"}))["data"]["description"] == "ok"


def test_another_workspace_gets_404_and_sees_nothing(api, owner_api, owner, workspace):
    e = _spelled(owner_api)
    b_user = make_user()
    b_ws = make_workspace(b_user)
    for cred, headers in ((make_key(b_ws, b_user, "all"), {}), (jwt_for(b_user), {"X-Workspace-Id": b_ws.id})):
        b = api.as_(cred)
        before = dump()
        assert_error(b.put(f"{BASE}/{e['id']}", json={"description": "x"}, headers=headers), 404, "NOT_FOUND")
        assert_error(b.delete(f"{BASE}/{e['id']}", headers=headers), 404, "NOT_FOUND")
        assert dump() == before
        assert _words(b.get(f"{BASE}?language=en-us", headers=headers)) == []
        assert _words(b.get(f"{BASE}/search?search=pod", headers=headers)) == []
        assert assert_envelope(b.get(f"{BASE}/languages", headers=headers))["data"] == []
    # a browser session naming A's workspace without being a member: 404 as well
    assert_error(api.as_(jwt_for(b_user), workspace.id).get(f"{BASE}?language=en-us"), 404, "NOT_FOUND")
    # B may create the same word in its own workspace
    _spelled(api.as_(make_key(b_ws, b_user, "all")))
    assert db.session.scalar(select(DictionaryEntry.id).where(DictionaryEntry.workspace_id == workspace.id,
                                                              DictionaryEntry.id == e["id"]))


@pytest.mark.parametrize("bad", ["%00", "x" * 40, "00000000-0000-0000-0000-000000000000"])
def test_odd_ids_are_404(owner_api, bad):
    assert_error(owner_api.put(f"{BASE}/{bad}", json={"description": "x"}), 404)
    assert_error(owner_api.delete(f"{BASE}/{bad}"), 404)
