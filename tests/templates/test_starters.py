"""Starter templates: real, valid, seeded idempotently, and exact through GET -> PATCH round trips."""
import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import Template
from app.workflows.starters import STARTERS, ensure_starters
from app.workflows.validation import split, validate_definition
from tests.conftest import assert_envelope, assert_error
from tests.templates.helpers import gallery


def test_at_least_six_starters_each_valid_for_a_run():
    assert len(STARTERS) >= 6
    keys = [s["starter_key"] for s in STARTERS]
    assert len(set(keys)) == len(keys)
    for s in STARTERS:
        problems = validate_definition(s["definition"], for_run=True)
        assert not problems, (s["starter_key"], [p.to_dict() for p in problems])
        assert s["category"] in ("media", "creative", "business", "education", "wellness")
        assert s["description"] and s["name"]


def test_starters_cover_the_promised_workflows():
    by_key = {s["starter_key"]: s["definition"] for s in STARTERS}

    def types(key):
        return [n["type"] for n in by_key[key]["graph"]["nodes"]]

    def cfg(key, ntype):
        return next(n["config"] for n in by_key[key]["graph"]["nodes"] if n["type"] == ntype)

    assert types("quick-english-preview") == ["source_script", "operator_generator", "sink_preview"]
    narr = types("english-narration-qa")
    assert {"validator_error_rate", "validator_naturalness", "validator_noise"} <= set(narr)
    assert sum(e["sourcePort"] == "fail" and e["target"] == "narrator"
               for e in by_key["english-narration-qa"]["graph"]["edges"]) == 3
    assert cfg("multilingual-product-video", "operator_translator")["target_languages"] == ["de-de", "es-es", "ko-kr"]
    assert set(cfg("multilingual-product-video", "operator_generator")["voice_map"]) == {"en-us", "de-de", "es-es", "ko-kr"}
    assert cfg("multilingual-product-video", "source_script")["source_language"] == "en-us"
    assert {"operator_normalizer", "operator_phoneme_injector"} <= set(types("audiobook-chapter"))
    assert cfg("ivr-prompts-mp3", "sink_preview")["format"] == "mp3"
    assert "validator_pronunciation" in types("brand-name-pronunciation")
    for d in by_key.values():
        for vm in (n["config"]["voice_map"] for n in d["graph"]["nodes"] if n["type"] == "operator_generator"):
            for entries in vm.values():
                assert entries[0]["provider"] in ("espeak", "piper")


def test_ensure_starters_is_idempotent_and_repairs():
    assert ensure_starters() == len(STARTERS)
    assert ensure_starters() == 0
    n = db.session.scalar(select(func.count()).select_from(Template).where(Template.is_starter.is_(True)))
    assert n == len(STARTERS)
    t = db.session.scalar(select(Template).where(Template.starter_key == STARTERS[0]["starter_key"]))
    tid, t.name = t.id, "tampered"
    db.session.commit()
    assert ensure_starters() == 1
    db.session.expire_all()
    again = db.session.scalar(select(Template).where(Template.starter_key == STARTERS[0]["starter_key"]))
    assert again.id == tid and again.name == STARTERS[0]["name"]


def test_gallery_seeds_starters_lazily(owner_api):
    items = gallery(owner_api, "?limit=100")["data"]
    starters = [t for t in items if t["is_starter"]]
    assert len(starters) == len(STARTERS)
    for t in starters:
        assert t["is_public"] is True and t["created_by"] is None and len(t["id"]) == 8
        assert not split(validate_definition(t["definition"], for_run=True))[0]


def test_every_starter_round_trips_byte_identically(owner_api):
    for t in gallery(owner_api, "?limit=100")["data"]:
        got = assert_envelope(owner_api.get(f"/api/v1/templates/{t['id']}"))["data"]
        original = json.dumps(got["definition"])
        assert original == json.dumps(t["definition"])
        # starters are read-only: PATCH is 403 even with the same definition
        assert_error(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"definition": got["definition"]}), 403, "FORBIDDEN")
        # a template made from it, then GET -> PATCH -> GET
        mine = assert_envelope(owner_api.post("/api/v1/templates", json={"name": got["name"], "definition": got["definition"]}), 201)["data"]
        assert json.dumps(mine["definition"]) == original
        back = assert_envelope(owner_api.get(f"/api/v1/templates/{mine['id']}"))["data"]
        patched = assert_envelope(owner_api.patch(f"/api/v1/templates/{mine['id']}", json={"definition": back["definition"]}))["data"]
        assert json.dumps(patched["definition"]) == original
        assert json.dumps(assert_envelope(owner_api.get(f"/api/v1/templates/{mine['id']}"))["data"]["definition"]) == original
        # a workflow cloned from it, then GET -> PATCH -> GET
        wf = assert_envelope(owner_api.post(f"/api/v1/templates/{t['id']}/clone"), 201)["data"]
        assert json.dumps(wf["definition"]) == original
        wf_get = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}"))["data"]
        wf_patched = assert_envelope(owner_api.patch(f"/api/v1/workflows/{wf['id']}", json={"definition": wf_get["definition"]}))["data"]
        assert json.dumps(wf_patched["definition"]) == original
        # the clone is runnable as is: the preview prices it
        est = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs/preview", data=b"",
                                             headers={"Content-Type": "application/json"}))["data"]
        assert est["min_credits"] >= 1 and len(est["breakdown"]) == len(got["definition"]["graph"]["nodes"])


def test_starters_cannot_be_deleted(owner_api):
    t = gallery(owner_api, "?limit=1")["data"][0]
    assert_error(owner_api.delete(f"/api/v1/templates/{t['id']}"), 403, "FORBIDDEN")
    assert_envelope(owner_api.get(f"/api/v1/templates/{t['id']}"))
