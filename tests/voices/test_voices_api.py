"""voices.list / voices.get / favourites / previews / the provider catalog views, over the session's
real catalog (see conftest.py)."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from app.extensions import db
from app.models import Voice
from app.services import voice_catalog
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_key, make_user, make_workspace


def _list(api, **params):
    qs = urlencode([(k, v) for k, vals in params.items() for v in (vals if isinstance(vals, list) else [vals])])
    body = assert_envelope(api.get(f"/api/v1/voices?{qs}"))
    return body["data"], body["pagination"]


def _all(api, **params):
    rows, page = _list(api, limit=100, **params)
    out, offset = list(rows), 100
    while offset < page["total"]:
        more, _ = _list(api, limit=100, offset=offset, **params)
        out += more
        offset += 100
    assert len(out) == page["total"]
    return out


def _ids(rows):
    return [r["id"] for r in rows]


@pytest.fixture
def imported(ws_api):
    """Two ElevenLabs voices imported into the workspace (no previews rendered: no key here)."""
    ws, _api = ws_api
    voices = voice_catalog.import_provider_voices(ws.id, "elevenlabs", [
        {"provider_voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "gender": "female", "age": "young",
         "accent": "american", "category": "narration", "tags": ["calm", "warm"],
         "supported_languages": ["en-us", "de-de", "fr"], "description": "A calm young American narrator."},
        {"provider_voice_id": "pNInz6obpgDQGcFmaJgB", "name": "Adam", "gender": "male",
         "supported_languages": ["en-us"], "models": ["eleven_multilingual_v2"]},
    ], render=False)
    db.session.commit()
    return {v.name: v.id for v in voices}


def test_list_shape_and_every_filter(catalog, ws_api, imported):
    _ws, api = ws_api
    everything = _all(api)
    assert len(everything) == len(catalog) + 2
    row = next(r for r in everything if r["id"] == "espeak:en-us+f3")
    assert row["provider_voice_id"] == "en-us+f3" and row["is_active"] is True and row["source"] == "platform"
    assert row["supported_languages"] == ["en-us"] and row["supported_models"] == ["espeak-ng"]
    assert row["model_capabilities"] == [{"model": "espeak-ng", "languages_known": True, "supported_languages": ["en-us"]}]
    assert row["sample_url"].startswith("http://testserver/_storage/get/") and row["preview_locales"] == ["en-us"]
    assert row["language_sample_url"] is None and row["language_sample_locale"] is None
    assert row["created_at"].endswith("Z") and row["duration_seconds"] > 2

    def ids(**f):
        return set(_ids(_all(api, **f)))
    rows = {r["id"]: r for r in everything}
    for field, value in (("gender", "female"), ("age", "old"), ("category", "story"), ("accent", "british")):
        got = ids(**{field: value})
        assert got and got == {i for i, r in rows.items() if r[field] == value}, field
    assert ids(provider="piper") == {"piper:en_US-joe-medium"}
    assert ids(provider="no-such-provider") == set()                       # unknown provider: empty, not an error
    assert ids(model="piper-vits") == {"piper:en_US-joe-medium"}
    assert ids(model="eleven_multilingual_v2") == set(imported.values())
    assert ids(source="workspace") == set(imported.values())
    assert ids(source="platform") == set(catalog)
    assert ids(language="de-de") == {i for i in catalog if i.startswith("espeak:de")} | {imported["Rachel"]}
    assert ids(language="fr-fr") == {imported["Rachel"]}                     # a bare family was declared as fr-fr
    # a bare family matches every locale of the family; case and underscores are forgiven
    en = ids(language="en")
    assert en == {i for i, r in rows.items() if any(x.startswith("en-") for x in r["supported_languages"] or [])}
    assert ids(language="EN_gb") == {i for i, r in rows.items() if "en-gb" in (r["supported_languages"] or [])}
    # repeat-key OR within a field, AND across fields
    assert ids(gender=["female", "neutral"]) == ids(gender="female") | ids(gender="neutral")
    assert ids(language=["en-gb", "de-de"]) == ids(language="en-gb") | ids(language="de-de")
    assert ids(gender="female", language="en-gb", category="story") == \
        ids(gender="female") & ids(language="en-gb") & ids(category="story") != set()
    # a language filter fills the language sample
    de, _ = _list(api, language="de", gender="male", limit=3)
    assert de and all(r["language_sample_locale"] == "de-de" and r["language_sample_url"] for r in de)


def test_bad_filters_are_422(catalog, ws_api):
    _ws, api = ws_api
    for qs, field in (("language=xx-yy", "language"), ("language=sw", "language"), ("gender=robot", "gender"),
                      ("age=ancient", "age"), ("category=jingles", "category"), ("accent=martian", "accent"),
                      ("source=stolen", "source"), ("sort=loudness", "sort"), ("order=up", "order"),
                      ("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"),
                      ("favorites_only=maybe", "favorites_only")):
        body = assert_error(api.get(f"/api/v1/voices?{qs}"), 422, "VALIDATION_ERROR")
        assert body["error"]["details"][0]["field"] == field, qs
    assert_envelope(api.get("/api/v1/voices?limit=100"))


def test_sorting_defaults_orders_and_the_id_tiebreaker(catalog, ws_api):
    _ws, api = ws_api
    for vid, uses in (("espeak:en-us+f3", 9), ("espeak:en-us+m3", 9), ("espeak:en+f1", 4), ("espeak:de", 1)):
        db.session.get(Voice, vid).uses_count = uses
    db.session.commit()
    by_name = _all(api, sort="name")
    assert [r["name"].lower() for r in by_name] == sorted(r["name"].lower() for r in by_name)
    assert _ids(_all(api, sort="name", order="desc")) == _ids(by_name)[::-1]
    # uses_count defaults to desc; ties fall back to the next sort field, then to id ascending
    top = _all(api, sort="uses_count")
    assert _ids(top)[:4] == ["espeak:en-us+f3", "espeak:en-us+m3", "espeak:en+f1", "espeak:de"]
    assert _ids(top)[4:] == sorted(_ids(top)[4:])
    # f3 and m3 tie on uses: the second field decides ("Female 3 ..." < "Male 3 ..."), in either order
    assert _ids(_all(api, sort=["uses_count", "name"]))[:2] == ["espeak:en-us+f3", "espeak:en-us+m3"]
    assert _ids(_all(api, sort=["uses_count", "name"], order=["desc", "desc"]))[:2] == \
        ["espeak:en-us+m3", "espeak:en-us+f3"]
    # a short order list is padded with each field's default (name: asc)
    padded = _all(api, sort=["uses_count", "name"], order=["asc"])
    assert _ids(padded)[-4:] == ["espeak:de", "espeak:en+f1", "espeak:en-us+f3", "espeak:en-us+m3"]
    zero = [r["name"].lower() for r in padded if r["uses_count"] == 0]
    assert zero == sorted(zero)
    asc = _all(api, sort="uses_count", order="asc")
    assert [r["uses_count"] for r in asc] == sorted(r["uses_count"] for r in asc)
    # no sort: newest first, id ascending among voices created together
    newest = _all(api)
    assert [(r["created_at"]) for r in newest] == sorted((r["created_at"] for r in newest), reverse=True)
    same = [r["id"] for r in newest if r["created_at"] == newest[0]["created_at"]]
    assert same == sorted(same) and len(same) > 1


def test_counted_pagination_walks_every_row_once(catalog, ws_api):
    _ws, api = ws_api
    first, page = _list(api, sort="name", limit=40)
    assert page["total"] == len(catalog) and page["limit"] == 40 and page["offset"] == 0
    assert page["prev"] is None and "offset=40" in page["next"]
    seen, offset = _ids(first), 40
    while True:
        rows, page = _list(api, sort="name", limit=40, offset=offset)
        seen += _ids(rows)
        assert page["prev"] is not None
        if page["next"] is None:
            break
        offset += 40
    assert len(seen) == len(set(seen)) == len(catalog)
    assert seen == _ids(_all(api, sort="name"))
    beyond, page = _list(api, offset=10_000)
    assert beyond == [] and page["total"] == len(catalog)


@pytest.mark.parametrize("query, check", [
    ("calm female British narrator",
     lambda r: r["gender"] == "female" and r["accent"] == "british" and r["category"] == "narration"
     and "calm" in r["tags"]),
    ("whisper", lambda r: "whisper" in r["tags"]),
    ("Joe", lambda r: r["id"] == "piper:en_US-joe-medium"),
    ("robotic American voice", lambda r: "robotic" in r["tags"] and r["accent"] == "american"),
    ("old woman telling stories", lambda r: r["gender"] == "female" and r["age"] == "old" and r["category"] == "story"),
    ("natural neural narrator", lambda r: r["provider"] == "piper"),
])
def test_search_puts_matching_voices_first(catalog, ws_api, query, check):
    _ws, api = ws_api
    rows, page = _list(api, search=query, limit=20)
    matching = [r for r in _all(api, search=query) if check(r)]
    assert matching, query
    assert all(check(r) for r in rows[:len(matching)][:5]), [(r["id"], r["name"]) for r in rows[:5]]
    assert _ids(rows[:len(matching)]) == _ids(matching)[:20], "every full match ranks above partial ones"
    # relevance ranking ignores sort
    resorted, _ = _list(api, search=query, sort="name", order="desc", limit=20)
    assert _ids(resorted) == _ids(rows)


def test_search_with_no_match_and_with_filters(catalog, ws_api):
    _ws, api = ws_api
    rows, page = _list(api, search="zzzqqq unheard-of")
    assert rows == [] and page["total"] == 0
    rows = _all(api, search="whisper", language="de-de")
    assert rows and all(r["supported_languages"] == ["de-de"] for r in rows)
    assert rows[0]["id"] in ("espeak:de+whisper", "espeak:de+whisperf")


def test_get_voice_and_workspace_scoping(catalog, ws_api, imported, api):
    ws, owner_api = ws_api
    body = assert_envelope(owner_api.get("/api/v1/voices/espeak:en+f3"))["data"]
    assert body["name"] == "Female 3 (British English)" and body["is_favorite"] is False
    mine = assert_envelope(owner_api.get(f"/api/v1/voices/{imported['Rachel']}"))["data"]
    assert mine["source"] == "provider_imported" and mine["availability"] == "available"
    assert mine["supported_languages"] == ["en-us", "de-de", "fr-fr"] and mine["sample_url"] is None
    # another workspace: platform voices yes, this workspace's own voices 404 (never 403)
    stranger = make_user()
    other = make_workspace(stranger)
    other_api = api.as_(make_key(other, stranger))
    assert_envelope(other_api.get("/api/v1/voices/espeak:en+f3"))
    assert_error(other_api.get(f"/api/v1/voices/{imported['Rachel']}"), 404, "NOT_FOUND")
    assert imported["Rachel"] not in _ids(_all(other_api))
    assert_error(owner_api.get("/api/v1/voices/espeak:no-such-voice"), 404, "NOT_FOUND")
    # a retired platform voice can still be read (saved workflows name it) but is not listed
    db.session.get(Voice, "espeak:en+f3").is_active = False
    db.session.commit()
    assert assert_envelope(owner_api.get("/api/v1/voices/espeak:en+f3"))["data"]["is_active"] is False
    assert "espeak:en+f3" not in _ids(_all(owner_api))


def test_favourites_are_shared_by_the_workspace(catalog, ws_api, api):
    ws, owner_api = ws_api
    fav = assert_envelope(owner_api.post("/api/v1/voices/espeak:en-us+f3/favorite"))["data"]
    assert fav["id"] == "espeak:en-us+f3" and fav["is_favorite"] is True
    assert_envelope(owner_api.post("/api/v1/voices/espeak:en-us+f3/favorite"))          # idempotent
    assert_envelope(owner_api.post("/api/v1/voices/piper:en_US-joe-medium/favorite"))
    # another member of the workspace sees the same favourites, newest first
    editor = add_member(ws, role="editor")
    editor_api = api.as_(make_key(ws, editor))
    favs = _all(editor_api, favorites_only="true")
    assert _ids(favs) == ["piper:en_US-joe-medium", "espeak:en-us+f3"] and all(r["is_favorite"] for r in favs)
    assert assert_envelope(editor_api.get("/api/v1/voices/espeak:en-us+f3"))["data"]["is_favorite"] is True
    assert _ids(_all(editor_api, favorites_only="true", provider="espeak")) == ["espeak:en-us+f3"]
    # another workspace does not
    stranger = make_user()
    other_api = api.as_(make_key(make_workspace(stranger), stranger))
    assert _all(other_api, favorites_only="true") == []
    # viewers cannot change favourites; a key without voices:write cannot either
    viewer = add_member(ws, role="editor")
    viewer_api = api.as_(make_key(ws, viewer, scopes="voices:read,voices:write"))
    from tests.factories import membership
    membership(ws, viewer).role = "viewer"          # demoted after making the key: the role is checked per call
    db.session.commit()
    assert_error(viewer_api.post("/api/v1/voices/espeak:en-us+m3/favorite"), 403)
    assert_error(viewer_api.delete("/api/v1/voices/espeak:en-us+f3/favorite"), 403)
    read_only = api.as_(make_key(ws, editor, scopes="voices:read"))
    assert_error(read_only.post("/api/v1/voices/espeak:en-us+m3/favorite"), 403)
    assert_error(owner_api.post("/api/v1/voices/espeak:nope/favorite"), 404)
    # removal is idempotent and returns an empty object
    assert assert_envelope(owner_api.delete("/api/v1/voices/espeak:en-us+f3/favorite"))["data"] == {}
    assert assert_envelope(owner_api.delete("/api/v1/voices/espeak:en-us+f3/favorite"))["data"] == {}
    assert _ids(_all(owner_api, favorites_only="true")) == ["piper:en_US-joe-medium"]


def test_preview_per_language(catalog, ws_api, client):
    _ws, api = ws_api
    body = assert_envelope(api.get("/api/v1/voices/espeak:en-us+f3/preview?language=en-us"))["data"]
    assert body == {**body, "name": "Female 3 (US English)", "locale": "en-us", "model": "espeak-ng",
                    "content_type": "audio/mpeg"}
    audio = client.get(body["sample_url"].replace("http://testserver", ""))
    assert audio.status_code == 200 and audio.data.startswith((b"ID3", b"\xff\xfb", b"\xff\xf3"))
    # a bare family resolves to a locale the voice has; the response names the locale actually served
    assert assert_envelope(api.get("/api/v1/voices/espeak:en+f3/preview?language=en"))["data"]["locale"] == "en-gb"
    assert assert_envelope(api.get("/api/v1/voices/piper:en_US-joe-medium/preview?language=en&model=x"))[
        "data"]["model"] == "piper-vits"
    assert_error(api.get("/api/v1/voices/espeak:en-us+f3/preview?language=de-de"), 404, "NOT_FOUND")
    assert_error(api.get("/api/v1/voices/espeak:en-us+f3/preview"), 422, "VALIDATION_ERROR")
    assert_error(api.get("/api/v1/voices/espeak:en-us+f3/preview?language=klingon"), 422, "VALIDATION_ERROR")
    assert_error(api.get("/api/v1/voices/espeak:nope/preview?language=en"), 404)


def test_provider_catalog_counts_and_model_voices(catalog, ws_api):
    _ws, api = ws_api
    espeak_total = sum(1 for i in catalog if i.startswith("espeak:"))
    models = assert_envelope(api.get("/api/v1/providers/espeak/models"))["data"]
    assert models[0]["model"] == "espeak-ng" and models[0]["voice_count"] == espeak_total
    assert assert_envelope(api.get("/api/v1/providers/piper/models/piper-vits"))["data"]["voice_count"] == 1
    body = assert_envelope(api.get("/api/v1/providers/espeak/models/espeak-ng/voices?limit=25&offset=25"))
    assert body["pagination"]["total"] == espeak_total and len(body["data"]) == 25
    v = body["data"][0]
    assert set(v) >= {"id", "provider_voice_id", "name", "gender", "age", "accent", "supported_languages", "preview_url"}
    joe = assert_envelope(api.get("/api/v1/providers/piper/models/piper-vits/voices"))["data"]
    assert [j["id"] for j in joe] == ["piper:en_US-joe-medium"] and joe[0]["preview_url"].startswith("http")
    assert_error(api.get("/api/v1/providers/piper/models/nope/voices"), 404)
