"""templates.estimate_template: credits per unit_chars, cached per definition + rates."""
import json

from app.services.estimates import synthetic_text
from app.workflows.starters import STARTERS
from tests.conftest import assert_envelope, assert_error
from tests.templates.helpers import create, defn, gallery

KEYS = ("unit_chars", "variable_min_credits_per_unit", "variable_expected_credits_per_unit",
        "variable_max_credits_per_unit", "fixed_min_credits", "fixed_expected_credits", "fixed_max_credits",
        "total_min_credits_per_unit", "total_expected_credits_per_unit", "total_max_credits_per_unit",
        "breakdown", "source_snapshot", "source_node_ids", "definition_fingerprint", "rate_fingerprint",
        "cache_status", "computed_at")


def est(api, tid):
    return assert_envelope(api.get(f"/api/v1/templates/{tid}/estimate"))["data"]


def test_synthetic_input_is_exactly_unit_chars():
    text = synthetic_text(1000)
    assert sum(len(line) for line in text.splitlines()) == 1000
    assert all(line.strip() == line and line for line in text.splitlines())


def test_cache_miss_hit_stale(owner_api, tmp_path, monkeypatch):
    t = create(owner_api, definition=defn("Only a short sample."))
    first = est(owner_api, t["id"])
    assert set(KEYS) <= set(first)
    assert first["cache_status"] == "miss" and first["source_snapshot"] == "draft"
    assert first["unit_chars"] == 1000 and first["source_node_ids"] == ["src"]
    # espeak 2 credits per 1,000 characters; the template's own text is not what is priced
    assert first["variable_min_credits_per_unit"] == 2 and first["total_expected_credits_per_unit"] == 2
    assert first["fixed_min_credits"] == 0
    assert {r["node_id"]: r["min_credits"] for r in first["breakdown"]} == {"src": 0, "gen": 2, "out": 0}
    second = est(owner_api, t["id"])
    assert second["cache_status"] == "hit" and second["computed_at"] == first["computed_at"]
    assert {k: v for k, v in second.items() if k != "cache_status"} == \
        {k: v for k, v in first.items() if k != "cache_status"}
    # a definition change makes the cached row stale
    d = defn()
    d["graph"]["nodes"][1]["config"]["voice_map"]["en-us"] = [
        {"voice_id": "en_US-joe-medium", "provider": "piper", "model": "piper-vits"}]
    assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"definition": d}))
    third = est(owner_api, t["id"])
    assert third["cache_status"] == "stale" and third["variable_min_credits_per_unit"] == 5
    assert third["definition_fingerprint"] != first["definition_fingerprint"]
    assert est(owner_api, t["id"])["cache_status"] == "hit"
    # so does a change of the pricing rates
    table = tmp_path / "pricing.json"
    table.write_text(json.dumps({"generators": {"piper/piper-vits": {"unit": "character", "per_1000": 9}}}))
    monkeypatch.setenv("ONEPIN_PRICING_FILE", str(table))
    fourth = est(owner_api, t["id"])
    assert fourth["cache_status"] == "stale" and fourth["variable_min_credits_per_unit"] == 9
    assert fourth["rate_fingerprint"] != third["rate_fingerprint"]
    assert est(owner_api, t["id"])["cache_status"] == "hit"
    monkeypatch.delenv("ONEPIN_PRICING_FILE")
    assert est(owner_api, t["id"])["cache_status"] == "stale"


def test_own_draft_vs_published_snapshot(owner_api, other):
    _ws, _u, other_api = other
    t = create(owner_api, definition=defn())
    assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"is_public": True}))
    d = defn()
    d["graph"]["nodes"][1]["config"]["voice_map"]["en-us"] = [
        {"voice_id": "en_US-joe-medium", "provider": "piper", "model": "piper-vits"}]
    assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"definition": d}))
    mine, theirs = est(owner_api, t["id"]), est(other_api, t["id"])
    assert mine["source_snapshot"] == "draft" and mine["variable_min_credits_per_unit"] == 5
    assert theirs["source_snapshot"] == "published" and theirs["variable_min_credits_per_unit"] == 2
    assert theirs["cache_status"] == "miss" and est(other_api, t["id"])["cache_status"] == "hit"
    assert_error(owner_api.get("/api/v1/templates/zzzzzzzz/estimate"), 404, "NOT_FOUND")


def test_every_starter_has_a_sensible_estimate(owner_api):
    starters = [t for t in gallery(owner_api, "?limit=100")["data"] if t["is_starter"]]
    assert len(starters) == len(STARTERS)
    seen = {}
    for t in starters:
        e = est(owner_api, t["id"])
        assert e["source_snapshot"] == "published" and e["cache_status"] == "miss"
        assert 1 <= e["total_min_credits_per_unit"] <= e["total_expected_credits_per_unit"] <= e["total_max_credits_per_unit"]
        assert len(e["breakdown"]) == len(t["definition"]["graph"]["nodes"])
        seen[t["name"]] = e
    quick = seen["Quick English preview"]
    assert quick["total_min_credits_per_unit"] == quick["total_max_credits_per_unit"] == 2   # no retries
    multi = seen["Multilingual product video"]
    # 4 locales x espeak 2 + 3 targets x translator 5 + clarity 1 x 4 locales
    assert multi["variable_min_credits_per_unit"] == 8 + 15 + 4
