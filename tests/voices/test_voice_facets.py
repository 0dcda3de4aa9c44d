"""voices.get_voice_facets: context-aware counts (each dimension applies every other active filter but
not its own), checked against counts worked out here from the catalog rows."""
from __future__ import annotations

from urllib.parse import urlencode

from tests.conftest import assert_envelope, assert_error

GENDERS = ["male", "female", "neutral"]
AGES = ["young", "middle_aged", "old"]
CATEGORIES = ["news", "narration", "story", "podcast", "conversational", "social_media", "educational", "business"]
DIMS = {"genders": "gender", "ages": "age", "categories": "category", "accents": "accent",
        "providers": "provider", "models": "model", "languages": "language"}


def _facets(api, **filters) -> dict:
    qs = urlencode([(k, v) for k, vals in filters.items() for v in (vals if isinstance(vals, list) else [vals])])
    return assert_envelope(api.get(f"/api/v1/voices/facets?{qs}"))["data"]


def _values(row, field):
    if field == "model":
        return [c["model"] for c in row["model_capabilities"]]
    if field == "language":
        return list(row["supported_languages"])
    return [row[field]] if row[field] else []


def _expected(rows, filters: dict, dim_field: str) -> dict:
    """Counts of dim_field's values over the rows that pass every filter except dim_field's own."""
    def passes(row):
        for field, wanted in filters.items():
            if field == dim_field:
                continue
            wanted = wanted if isinstance(wanted, list) else [wanted]
            if not set(_values(row, field)) & set(wanted):
                return False
        return True
    counts: dict[str, int] = {}
    for row in rows:
        if passes(row):
            for v in dict.fromkeys(_values(row, dim_field)):
                counts[v] = counts.get(v, 0) + 1
    return counts


def _check(api, rows, **filters):
    got = _facets(api, **filters)
    assert set(got) == set(DIMS)
    for dim, field in DIMS.items():
        want = _expected(rows, filters, field)
        counts = {item["value"]: item["count"] for item in got[dim]}
        if dim in ("providers", "models", "languages"):
            assert counts == want, (dim, filters)                        # data dimensions: no zeros
            assert all(item["count"] > 0 for item in got[dim])
        else:
            assert counts == {**{k: 0 for k in counts}, **want}, (dim, filters)
    return got


def test_enum_dimensions_list_every_value_in_natural_order(catalog, ws_api):
    _ws, api = ws_api
    got = _check(api, list(catalog.values()))
    assert [i["value"] for i in got["genders"]] == GENDERS
    assert [i["value"] for i in got["ages"]] == AGES
    assert [i["value"] for i in got["categories"]] == CATEGORIES
    assert [i["value"] for i in got["accents"]][:3] == ["american", "british", "australian"]
    assert len(got["accents"]) == 24 and {i["count"] for i in got["categories"] if i["value"] == "podcast"} == {0}
    assert all(i["label"] is None for dim in ("genders", "ages", "categories", "accents", "languages")
               for i in got[dim])
    assert {i["value"]: i["label"] for i in got["providers"]} == {"espeak": "eSpeak NG", "piper": "Piper"}
    assert {i["value"]: i["label"] for i in got["models"]} == {"espeak-ng": "eSpeak NG", "piper-vits": "Piper VITS"}
    assert [i["value"] for i in got["languages"]] == ["de-de", "en-gb", "en-us"]    # zero-count locales left out


def test_each_dimension_ignores_only_its_own_filter(catalog, ws_api):
    _ws, api = ws_api
    rows = list(catalog.values())
    got = _check(api, rows, language="en-gb", gender="female")
    # the gender chips count en-gb voices of every gender; the language chips count female voices everywhere
    assert {i["value"]: i["count"] for i in got["genders"]}["male"] > 0
    assert {i["value"] for i in got["languages"]} == {"en-gb", "en-us", "de-de"}
    _check(api, rows, gender=["female", "neutral"], category=["story", "narration"], accent="american")
    _check(api, rows, provider="espeak", age="old", language=["de-de", "en-us"])
    _check(api, rows, model="piper-vits")


def test_a_filter_combination_can_empty_a_dimension(catalog, ws_api):
    _ws, api = ws_api
    # Piper has no female voice: with both filters, every dimension that applies both is empty
    got = _check(api, list(catalog.values()), provider="piper", gender="female")
    assert got["languages"] == [] and got["models"] == []
    assert all(i["count"] == 0 for i in got["categories"]) and all(i["count"] == 0 for i in got["accents"])
    # ...while the two filtered dimensions still offer a way out
    assert {i["value"]: i["count"] for i in got["genders"]} == {"male": 1, "female": 0, "neutral": 0}
    assert [i["value"] for i in got["providers"]] == ["espeak"]
    rows = assert_envelope(ws_api[1].get("/api/v1/voices?provider=piper&gender=female"))
    assert rows["data"] == [] and rows["pagination"]["total"] == 0


def test_facets_follow_search_and_favourites(catalog, ws_api):
    _ws, api = ws_api
    assert_envelope(api.post("/api/v1/voices/espeak:en-us+f3/favorite"))
    assert_envelope(api.post("/api/v1/voices/espeak:de+m3/favorite"))
    got = _facets(api, favorites_only="true")
    assert {i["value"]: i["count"] for i in got["genders"]} == {"male": 1, "female": 1, "neutral": 0}
    assert {i["value"]: i["count"] for i in got["languages"]} == {"en-us": 1, "de-de": 1}
    whisper = _facets(api, search="whisper")
    listed = assert_envelope(api.get("/api/v1/voices?search=whisper&limit=100"))["pagination"]["total"]
    assert sum(i["count"] for i in whisper["genders"]) == listed > 0
    assert_error(api.get("/api/v1/voices/facets?language=xx"), 422, "VALIDATION_ERROR")
