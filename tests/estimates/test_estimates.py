"""workflows.estimate_workflow / preview_run: the pricing table applied to the text a run speaks."""
import json

import pytest

from app.services import credits, pricing
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_key, make_workspace

ESPEAK = {"provider": "espeak", "model": "espeak-ng"}
LINE = "x" * 99 + "."          # 100 characters


def voice(loc, vid=None):
    return [{"voice_id": vid or loc, **ESPEAK}]


def linear(text, *, retries=1, targets=None, voices=None, extra_locales=()):
    locales = ["en-us", *(targets or []), *extra_locales]
    nodes = [{"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": text}}]
    edges = []
    prev = "src"
    if targets is not None:
        nodes.append({"id": "tr", "type": "operator_translator", "position": {"x": 100, "y": 0},
                      "config": {"target_languages": targets}})
        edges.append({"id": "e0", "source": "src", "sourcePort": "lines", "target": "tr", "targetPort": "lines"})
        prev = "tr"
    nodes += [
        {"id": "gen", "type": "operator_generator", "position": {"x": 300, "y": 0},
         "config": {"voice_map": voices or {loc: voice(loc) for loc in locales}}},
        {"id": "wer", "type": "validator_error_rate", "position": {"x": 600, "y": 0},
         "config": {"threshold": 80, "max_retries": retries}},
        {"id": "out", "type": "sink_preview", "position": {"x": 900, "y": 0}, "config": {"format": "wav"}},
    ]
    edges += [
        {"id": "e1", "source": prev, "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
        {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "wer", "targetPort": "lines"},
        {"id": "e3", "source": "wer", "sourcePort": "pass", "target": "out", "targetPort": "lines"},
        {"id": "e4", "source": "wer", "sourcePort": "fail", "target": "gen", "targetPort": "lines"},
    ]
    return {"graph": {"nodes": nodes, "edges": edges}}


def make_wf(api, defn, name="W"):
    return assert_envelope(api.post("/api/v1/workflows", json={"name": name, "definition": defn}), 201)["data"]["id"]


def preview(api, wf_id, body=None, path="runs/preview"):
    if body is None:   # the CLI: empty body, JSON content type
        return api.post(f"/api/v1/workflows/{wf_id}/{path}", data=b"", headers={"Content-Type": "application/json"})
    return api.post(f"/api/v1/workflows/{wf_id}/{path}", json=body)


def by_node(est):
    return {r["node_id"]: (r["min_credits"], r["expected_credits"], r["max_credits"]) for r in est["breakdown"]}


def test_per_node_min_expected_max_follow_the_table(owner_api):
    wf = make_wf(owner_api, linear("\n".join([LINE] * 10), retries=1))          # 1,000 characters
    est = assert_envelope(preview(owner_api, wf))["data"]
    rows = by_node(est)
    # espeak 2 / 1,000 chars: min 2, expected 2 x 1.15 = 2.3 -> 3, max (1 retry) 4
    assert rows["gen"] == (2, 3, 4)
    # word accuracy 3 / 1,000 chars of the lines it checks: 3, 3.45 -> 4, 6
    assert rows["wer"] == (3, 4, 6)
    assert rows["src"] == (0, 0, 0) and rows["out"] == (0, 0, 0)
    assert (est["min_credits"], est["expected_credits"], est["max_credits"]) == (5, 7, 10)
    assert [r["node_type"] for r in est["breakdown"]] == ["source_script", "operator_generator",
                                                           "validator_error_rate", "sink_preview"]
    assert est["current_balance"] > 0
    assert est["deficit_at_max"] == 0 and est["can_run"] is True
    assert all(isinstance(est[k], int) for k in ("min_credits", "expected_credits", "max_credits",
                                                 "current_balance", "deficit_at_max"))


def test_estimate_and_preview_price_a_run_scoped_script_exactly_like_saved_text(owner_api):
    text = "Welcome to the show.\nTonight: 3 guests, 2 songs.\nStay tuned!"
    saved = make_wf(owner_api, linear(text), name="saved")
    other = make_wf(owner_api, linear("Something else entirely, much longer than the other one. " * 20), name="other")
    base = assert_envelope(preview(owner_api, saved))["data"]
    over = assert_envelope(preview(owner_api, other, {"script_text": text}))["data"]
    est = assert_envelope(preview(owner_api, other, {"script_text": text, "source_language": None}, "estimate"))["data"]
    for got in (over, est):
        assert got["breakdown"] == base["breakdown"]
        assert [got[k] for k in ("min_credits", "expected_credits", "max_credits")] == \
               [base[k] for k in ("min_credits", "expected_credits", "max_credits")]
    # estimate without a body equals preview without a body; the workflow is unchanged
    assert assert_envelope(preview(owner_api, other, path="estimate"))["data"]["breakdown"] == \
        assert_envelope(preview(owner_api, other))["data"]["breakdown"]
    got = assert_envelope(owner_api.get(f"/api/v1/workflows/{other}"))["data"]
    assert got["definition"]["graph"]["nodes"][0]["config"]["text"].startswith("Something else")


def test_every_extra_locale_adds_its_own_cost(owner_api):
    text = "\n".join([LINE] * 10)
    totals, gens, trs = [], [], []
    for targets in ([], ["de-de"], ["de-de", "es-es"], ["de-de", "es-es", "ko-kr"]):
        wf = make_wf(owner_api, linear(text, targets=targets, voices={
            loc: voice(loc) for loc in ["en-us", *targets]}))
        est = assert_envelope(preview(owner_api, wf))["data"]
        rows = by_node(est)
        totals.append(est["min_credits"])
        gens.append(rows["gen"][0])
        trs.append(rows["tr"][0])
    assert gens == [2, 4, 6, 8]                  # 2 credits per locale per 1,000 characters
    assert trs == [0, 5, 10, 15]                 # translator: 5 per 1,000 source characters per target
    assert totals == sorted(set(totals)) and len(set(totals)) == 4


def test_translated_locales_use_their_own_voice_rate(owner_api):
    text = "\n".join([LINE] * 10)
    wf = make_wf(owner_api, linear(text, targets=["de-de"], voices={
        "en-us": [{"voice_id": "en_US-joe-medium", "provider": "piper", "model": "piper-vits"}],
        "de-de": voice("de-de", "de")}))
    rows = by_node(assert_envelope(preview(owner_api, wf))["data"])
    assert rows["gen"][0] == 5 + 2               # piper 5 (en-us) + espeak 2 (de-de)


def test_source_language_override_prices_that_locale(owner_api):
    text = "\n".join([LINE] * 10)
    wf = make_wf(owner_api, linear(text, voices={
        "en-us": [{"voice_id": "en_US-joe-medium", "provider": "piper", "model": "piper-vits"}],
        "de-de": voice("de-de", "de")}))
    assert by_node(assert_envelope(preview(owner_api, wf))["data"])["gen"][0] == 5
    assert by_node(assert_envelope(preview(owner_api, wf, {"source_language": "de"}))["data"])["gen"][0] == 2
    assert_error(preview(owner_api, wf, {"source_language": "xx-yy"}), 422, "VALIDATION_ERROR")


def test_a_run_costs_at_least_one_credit_and_the_table_is_overridable(owner_api, tmp_path, monkeypatch):
    wf = make_wf(owner_api, linear("Hi."))
    rows_default = assert_envelope(preview(owner_api, wf))["data"]
    assert rows_default["min_credits"] == 2       # each priced node rounds up to one credit
    table = tmp_path / "pricing.json"
    table.write_text(json.dumps({"generators": {"espeak/espeak-ng": {"unit": "character", "per_1000": 0}},
                                 "nodes": {"validator_error_rate": {"unit": "character", "per_1000": 0}}}))
    monkeypatch.setenv("ONEPIN_PRICING_FILE", str(table))
    est = assert_envelope(preview(owner_api, wf))["data"]
    assert all(r["max_credits"] == 0 for r in est["breakdown"])
    assert est["min_credits"] == est["expected_credits"] == est["max_credits"] == 1


def test_byte_and_word_units(tmp_path, monkeypatch):
    assert pricing.units_in("Grüße", "character") == 5
    assert pricing.units_in("Grüße", "byte") == 7
    assert pricing.units_in("three short words", "word") == 3
    table = tmp_path / "pricing.json"
    table.write_text(json.dumps({"generators": {"espeak/espeak-ng": {"unit": "byte", "per_1000": 1000}}}))
    monkeypatch.setenv("ONEPIN_PRICING_FILE", str(table))
    from app.services import estimates, script_source
    defn = linear("한국어", retries=0)
    defn["graph"]["nodes"][0]["config"]["source_language"] = "ko-kr"
    defn["graph"]["nodes"][1]["config"]["voice_map"] = {"ko-kr": voice("ko-kr", "ko")}
    priced = estimates.price(defn, script_source.resolve(defn))
    assert {r["node_id"]: r["min_credits"] for r in priced["breakdown"]}["gen"] == 9   # 9 UTF-8 bytes


def test_corrector_is_priced_per_word():
    from app.services import estimates, script_source
    defn = linear(" ".join(["word"] * 100), retries=0)
    nodes, edges = defn["graph"]["nodes"], defn["graph"]["edges"]
    nodes.append({"id": "fix", "type": "operator_pronunciation_corrector", "position": {"x": 450, "y": 0}, "config": {}})
    edges[1] = {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "fix", "targetPort": "lines"}
    edges.append({"id": "e5", "source": "fix", "sourcePort": "lines", "target": "wer", "targetPort": "lines"})
    priced = estimates.price(defn, script_source.resolve(defn))
    assert {r["node_id"]: r["min_credits"] for r in priced["breakdown"]}["fix"] == 2   # 100 words x 20 / 1,000


def test_no_text_to_price_is_422_and_script_override_needs_one_source(owner_api):
    wf = make_wf(owner_api, linear(""))
    err = assert_error(preview(owner_api, wf), 422, "VALIDATION_ERROR")
    assert err["error"]["details"][0]["field"] == "script_text"
    assert_error(preview(owner_api, wf, path="estimate"), 422, "VALIDATION_ERROR")
    assert_error(preview(owner_api, wf, {"script_text": "   \n  "}), 422, "VALIDATION_ERROR")
    assert_envelope(preview(owner_api, wf, {"script_text": "Now there is text."}))
    two = linear("a")
    two["graph"]["nodes"].append({"id": "src2", "type": "source_script", "position": {"x": 0, "y": 200},
                                  "config": {"text": "b"}})
    two["graph"]["edges"].append({"id": "e9", "source": "src2", "sourcePort": "lines", "target": "gen", "targetPort": "lines"})
    wf2 = make_wf(owner_api, two)
    assert_envelope(preview(owner_api, wf2))
    err = assert_error(preview(owner_api, wf2, {"script_text": "hello"}), 422, "VALIDATION_ERROR")
    assert "exactly one" in err["error"]["message"]
    assert_error(preview(owner_api, wf, {"script_text": 5}), 422, "VALIDATION_ERROR")


def test_balance_deficit_and_can_run(owner_api, owner):
    wf = make_wf(owner_api, linear("\n".join([LINE] * 10)))
    est = assert_envelope(preview(owner_api, wf))["data"]
    balance = est["current_balance"]
    credits.correction(owner.id, -(balance - 6), "test: leave 6 credits")
    from app.extensions import db
    db.session.commit()
    est = assert_envelope(preview(owner_api, wf))["data"]
    assert est["current_balance"] == 6
    assert est["can_run"] is True and est["deficit_at_max"] == est["max_credits"] - 6 == 4
    credits.correction(owner.id, -2, "test: leave 4")
    db.session.commit()
    est = assert_envelope(preview(owner_api, wf))["data"]
    assert est["can_run"] is False and est["deficit_at_max"] == 6


def test_access_scope_and_tenancy(api, owner_api, workspace):
    wf = make_wf(owner_api, linear("Hello."))
    viewer = add_member(workspace, role="viewer")
    assert_envelope(preview(api.as_(make_key(workspace, viewer, "workflows:read")), wf))
    assert_error(preview(api.as_(make_key(workspace, viewer, "templates:read")), wf), 403, "FORBIDDEN")
    other = make_workspace()
    outsider_key = make_key(other, other_owner(other), "all")
    assert_error(preview(api.as_(outsider_key), wf), 404, "NOT_FOUND")


def other_owner(ws):
    from app.extensions import db
    from app.models import User
    return db.session.get(User, ws.owner_id)


@pytest.mark.parametrize("retries", [0, 3])
def test_max_scales_with_max_retries(owner_api, retries):
    wf = make_wf(owner_api, linear("\n".join([LINE] * 10), retries=retries))
    rows = by_node(assert_envelope(preview(owner_api, wf))["data"])
    assert rows["gen"][2] == 2 * (1 + retries) and rows["wer"][2] == 3 * (1 + retries)


def test_fail_branch_to_another_generator_is_priced_for_failing_lines_only():
    from app.services import estimates, script_source
    defn = linear("\n".join([LINE] * 10), retries=0)
    nodes, edges = defn["graph"]["nodes"], defn["graph"]["edges"]
    nodes.append({"id": "backup", "type": "operator_generator", "position": {"x": 600, "y": 200},
                  "config": {"voice_map": {"en-us": [{"voice_id": "en_US-joe-medium", "provider": "piper",
                                                      "model": "piper-vits"}]}}})
    edges[3] = {"id": "e4", "source": "wer", "sourcePort": "fail", "target": "backup", "targetPort": "lines"}
    edges.append({"id": "e5", "source": "backup", "sourcePort": "lines", "target": "out", "targetPort": "lines"})
    priced = estimates.price(defn, script_source.resolve(defn))
    rows = {r["node_id"]: (r["min_credits"], r["expected_credits"], r["max_credits"]) for r in priced["breakdown"]}
    assert rows["backup"] == (0, 1, 5)       # piper 5 / 1,000: none fail, 15 % fail (0.75 -> 1), all fail
    assert rows["gen"] == (2, 2, 2)          # no retry loop on the first generator


def test_an_uploaded_script_is_priced_from_its_lines(owner_api, workspace, owner, app):
    """Uploads parse into {text, meta} lines; the estimate must price their text, nothing else."""
    from app.extensions import db
    from app.models import Upload
    from app.services import script_source
    up = Upload(workspace_id=workspace.id, user_id=owner.id, filename="s.srt", category="script",
                content_type="application/x-subrip", format="srt", status="uploaded", storage_key="ws/x/y",
                lines=[{"text": "Hello there.", "meta": {"start_ms": 0, "end_ms": 900}},
                       {"text": "General Kenobi.", "meta": {"start_ms": 1000, "end_ms": 2000}}])
    db.session.add(up)
    db.session.commit()
    defn = {"graph": {"nodes": [{"id": "s", "type": "source_script", "position": {"x": 0, "y": 0},
                                 "config": {"upload_id": up.id}}], "edges": []}}
    script = script_source.resolve(defn, workspace)
    src = script.sources[0]
    assert src.lines == ["Hello there.", "General Kenobi."] and src.origin == "upload"
    assert src.metas[1] == {"start_ms": 1000, "end_ms": 2000}
    # the typed text is ignored while an upload is attached (the field's documented rule): a starter's
    # sample text must not shadow the file the user attached to it
    defn["graph"]["nodes"][0]["config"]["text"] = "The starter's sample line."
    both = script_source.resolve(defn, workspace).sources[0]
    assert both.lines == ["Hello there.", "General Kenobi."] and both.origin == "upload"
    defn["graph"]["nodes"][0]["config"]["upload_id"] = None
    assert script_source.resolve(defn, workspace).sources[0].lines == ["The starter's sample line."]
