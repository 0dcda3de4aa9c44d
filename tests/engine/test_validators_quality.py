"""validator_noise and validator_naturalness in real runs: espeak takes judged by DNSMOS, WADA-SNR and
pitch in a real RQ worker (built-in plugins only: the test stand-ins are not loaded)."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Take
from app.services import credits
from tests.conftest import assert_envelope
from tests.engine.conftest import make_workflow, run_burst, start

LINES = "The meeting starts at nine tomorrow morning.\nThe museum is closed on Mondays and public holidays."
MIDDLING = "Our new library opens to the public next week."     # espeak: naturalness about 65-80


def definition(text: str, voice: str, validators: list[tuple[str, str, dict]]) -> dict:
    """source → espeak generator → validators in a chain (pass → next) → sink."""
    nodes = [{"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": text}},
             {"id": "gen", "type": "operator_generator", "position": {"x": 200, "y": 0},
              "config": {"voice_map": {"en-us": [{"voice_id": voice, "provider": "espeak", "model": "espeak-ng"}]}}}]
    edges = [{"id": "e0", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"}]
    prev, port = "gen", "lines"
    for i, (node_id, node_type, config) in enumerate(validators):
        nodes.append({"id": node_id, "type": node_type, "position": {"x": 400 + 200 * i, "y": 0}, "config": config})
        edges.append({"id": f"e{i + 1}", "source": prev, "sourcePort": port, "target": node_id, "targetPort": "lines"})
        prev, port = node_id, "pass"
    nodes.append({"id": "out", "type": "sink_preview", "position": {"x": 1000, "y": 0}, "config": {"format": "wav"}})
    edges.append({"id": "e9", "source": prev, "sourcePort": port, "target": "out", "targetPort": "lines"})
    return {"graph": {"nodes": nodes, "edges": edges}}


def launch_and_drain(api, owner, defn: dict, name: str) -> tuple[dict, dict]:
    wf = make_workflow(api, defn, name=name)
    credits.ensure_period_grant(owner)
    db.session.commit()
    run = start(api, wf["id"])
    done = run_burst(ONEPIN_ENGINE_PLUGINS="")          # the real validators, not tests/engine/plugins.py
    assert done.returncode == 0, done.stderr[-3000:]
    return wf, assert_envelope(api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"))["data"]


def takes_of(run_id: str, node_id: str) -> list[Take]:
    db.session.rollback()
    return list(db.session.scalars(select(Take).where(Take.run_id == run_id, Take.node_id == node_id)
                                   .order_by(Take.line_index)))


def test_clean_espeak_lines_pass_both_validators_at_default_thresholds(owner_api, owner):
    defn = definition(LINES, "en-us", [("noise", "validator_noise", {}), ("nat", "validator_naturalness", {})])
    wf, run = launch_and_drain(owner_api, owner, defn, "Quality pass")
    assert run["status"] == "completed", run
    noise, nat, out = takes_of(run["id"], "noise"), takes_of(run["id"], "nat"), takes_of(run["id"], "out")
    assert [t.line_index for t in out] == [0, 1]
    for t in noise:
        s = t.scores
        assert t.port == "pass" and s["status"] == "available" and s["threshold"] == 70 and s["reason"] is None
        assert s["score"] >= 70 and s["snr_db"] >= 60 and 3.0 < s["bak"] <= 5       # clean TTS: no noise found
    for t in nat:
        s = t.scores
        assert t.port == "pass" and s["threshold"] == 60 and 60 <= s["score"] <= 100, s
        assert 1.0 < s["ovrl"] < 5 and 1.0 < s["sig"] < 5 and s["f0_std_semitones"] > 0.5
        assert s["f0_fall_semitones"] > 0 and s["intonation_checked"] is True
    # the run's cards show both verdicts with the raw figures' score and threshold
    rows = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/data"))["data"]["rows"]
    kinds = {v["kind"]: v for v in rows[0]["cards"][0]["validations"]}
    assert set(kinds) == {"noise", "naturalness"}
    assert kinds["noise"]["passed"] and kinds["noise"]["threshold"] == 70 and kinds["noise"]["score"] >= 70
    assert kinds["naturalness"]["passed"] and kinds["naturalness"]["threshold"] == 60


def test_whispered_speech_fails_naturalness_and_is_dropped_with_the_reason(owner_api, owner):
    defn = definition(LINES.splitlines()[0], "en-us+whisper", [("nat", "validator_naturalness", {})])
    wf, run = launch_and_drain(owner_api, owner, defn, "Whisper")
    assert run["status"] == "failed"                          # nothing was delivered
    [nat] = takes_of(run["id"], "nat")
    s = nat.scores
    assert nat.port == "fail" and nat.dropped and s["score"] < 30 and s["voiced_fraction"] < 0.1, (nat.port, nat.dropped, s)
    assert s["reason"].startswith("Naturalness") and "below 60" in s["reason"] and "whispered" in s["reason"]
    rows = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/data",
                                         query_string={"include_dropped": "true"}))["data"]["rows"]
    card = rows[0]["cards"][0]
    assert card["status"] == "dropped"
    [verdict] = card["dropped"]["verdicts"]
    assert verdict["validator_kind"] == "naturalness" and verdict["threshold"] == 60 and verdict["score"] < 30


def test_a_strict_threshold_sends_the_line_down_the_fail_edge_for_a_retry(owner_api, owner):
    """The threshold comes from the node's config (95, the highest naturalness bar); failing takes follow
    the fail edge back to the generator, then the line is dropped."""
    defn = definition(MIDDLING, "en-us", [("nat", "validator_naturalness", {"threshold": 95,
                                                                                         "max_retries": 1})])
    defn["graph"]["edges"].append({"id": "e8", "source": "nat", "sourcePort": "fail", "target": "gen",
                                   "targetPort": "lines"})
    _wf, run = launch_and_drain(owner_api, owner, defn, "Strict naturalness")
    nat, gens = takes_of(run["id"], "nat"), takes_of(run["id"], "gen")
    assert [t.attempt for t in gens] == [1, 2] and [t.attempt for t in nat] == [1, 2]
    assert all(t.port == "fail" and t.scores["threshold"] == 95 and 40 <= t.scores["score"] < 95 for t in nat)
    assert nat[-1].dropped and run["status"] == "failed"
