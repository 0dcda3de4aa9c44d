"""Validator routing and take reuse, through a real burst worker (espeak-ng is real; the validator is
the config-driven TEST plugin of tests/engine/plugins.py)."""
from collections import Counter

from sqlalchemy import select

from app.extensions import db
from app.engine.billing import settled_credits
from app.models import LedgerEntry, Run, Take
from app.services import credits
from tests.conftest import assert_envelope
from tests.engine.conftest import espeak_definition, make_workflow, run_burst, start, synthesized

TEXT = "The first line is here.\nA second line follows it.\nAnd the third line ends it."
N = 3


def _burst():
    done = run_burst()
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def _takes(run_id, node_id=None):
    db.session.rollback()
    q = select(Take).where(Take.run_id == run_id)
    if node_id:
        q = q.where(Take.node_id == node_id)
    return list(db.session.scalars(q.order_by(Take.line_index, Take.attempt)))


def _steps(api, wf_id, run_id):
    return assert_envelope(api.get(f"/api/v1/workflows/{wf_id}/runs/{run_id}/steps"))["data"]


def test_always_failing_validator_retries_max_retries_times_then_drops_each_line(owner_api, owner):
    defn = espeak_definition(TEXT, validator={"type": "validator_noise", "fail_to": "gen",
                                              "config": {"threshold": 100, "max_retries": 2}})
    wf = make_workflow(owner_api, defn)
    run = start(owner_api, wf["id"])
    logs = _burst()
    row = db.session.get(Run, run["id"])
    db.session.refresh(row)
    assert row.status == "failed" and "dropped" in (row.error or ""), (row.status, row.error)
    # exactly max_retries + 1 = 3 real syntheses per line: attempts 1, 2, 3, each once
    synth = Counter((s["line"], s["attempt"]) for s in synthesized(logs, run["id"]))
    assert synth == Counter({(line, a): 1 for line in range(N) for a in (1, 2, 3)}), synth
    gens = _takes(run["id"], "gen")
    assert sorted((t.line_index, t.attempt) for t in gens) == [(i, a) for i in range(N) for a in (1, 2, 3)]
    assert all(t.status == "done" and t.synth_calls == 1 and t.reused_from is None for t in gens)
    # retries vary the speaking rate, so every attempt is a different cache key
    assert len({t.cache_key for t in gens}) == 3 * N
    vals = _takes(run["id"], "val")
    assert sorted((t.line_index, t.attempt) for t in vals) == [(i, a) for i in range(N) for a in (1, 2, 3)]
    assert all(t.port == "fail" and t.scores["clarity"] == 50.0 for t in vals)
    # the line is dropped after the last attempt only
    assert sorted(t.line_index for t in vals if t.dropped) == list(range(N))
    assert all(t.attempt == 3 for t in vals if t.dropped)
    assert _takes(run["id"], "out") == []
    steps = _steps(owner_api, wf["id"], run["id"])
    by_node = {}
    for s in steps:
        by_node.setdefault(s["node_id"], []).append(s["iteration"])
    assert by_node["gen"] == [1, 2, 3] and by_node["val"] == [1, 2, 3], by_node
    assert "out" not in by_node
    assert all(s["status"] == "completed" and s["takes_total"] == N for s in steps if s["node_id"] in ("gen", "val"))
    # nothing delivered: the synthesis done is still paid for, and the rest of the hold came back
    assert credits.held(db.session.get(LedgerEntry, row.reservation_id)) == 0
    assert row.credits == settled_credits(row.id)


def test_always_passing_validator_delivers_every_line_first_time(owner_api, owner):
    defn = espeak_definition(TEXT, validator={"type": "validator_noise", "fail_to": "gen",
                                              "config": {"threshold": 0, "max_retries": 2}})
    wf = make_workflow(owner_api, defn)
    run = start(owner_api, wf["id"])
    logs = _burst()
    row = db.session.get(Run, run["id"])
    db.session.refresh(row)
    assert row.status == "completed", row.error
    synth = Counter((s["line"], s["attempt"]) for s in synthesized(logs, run["id"]))
    assert synth == Counter({(line, 1): 1 for line in range(N)})
    sinks = _takes(run["id"], "out")
    assert sorted(t.line_index for t in sinks) == list(range(N)) and all(t.status == "done" for t in sinks)
    gens = {t.id: t for t in _takes(run["id"], "gen")}
    assert all(t.audio_take_id in gens and gens[t.audio_take_id].accepted for t in sinks)
    assert all(t.port == "pass" for t in _takes(run["id"], "val"))
    steps = _steps(owner_api, wf["id"], run["id"])
    assert [(s["node_id"], s["iteration"]) for s in steps] == [("src", 1), ("gen", 1), ("val", 1), ("out", 1)]


def test_fail_edge_to_another_generator_delivers_through_that_generator(owner_api, owner):
    defn = espeak_definition(TEXT, validator={"type": "validator_noise", "fail_to": "gen2",
                                              "config": {"threshold": 100, "max_retries": 2}})
    g = defn["graph"]
    g["nodes"].insert(3, {"id": "gen2", "type": "operator_generator", "position": {"x": 400, "y": 200},
                          "config": {"voice_map": {"en-us": [{"voice_id": "en-gb", "provider": "espeak",
                                                              "model": "espeak-ng"}]}}})
    g["edges"].append({"id": "e5", "source": "gen2", "sourcePort": "lines", "target": "out", "targetPort": "lines"})
    wf = make_workflow(owner_api, defn)
    run = start(owner_api, wf["id"])
    logs = _burst()
    row = db.session.get(Run, run["id"])
    db.session.refresh(row)
    assert row.status == "completed", row.error
    synth = Counter((s["node"], s["line"], s["attempt"]) for s in synthesized(logs, run["id"]))
    # one synthesis per line on each generator, and no retry of the first generator (not a loop)
    assert synth == Counter({(node, line, 1): 1 for node in ("gen", "gen2") for line in range(N)}), synth
    gen2 = {t.id: t for t in _takes(run["id"], "gen2")}
    assert len(gen2) == N and all(t.voice["voice_id"] == "en-gb" for t in gen2.values())
    sinks = _takes(run["id"], "out")
    assert sorted(t.line_index for t in sinks) == list(range(N))
    assert all(t.audio_take_id in gen2 and gen2[t.audio_take_id].accepted for t in sinks)
    assert not any(t.accepted for t in _takes(run["id"], "gen"))
    assert not any(t.dropped for t in _takes(run["id"], "val"))


def test_an_unchanged_rerun_reuses_every_take_without_synthesis(owner_api, owner):
    wf = make_workflow(owner_api, espeak_definition(TEXT))
    first = start(owner_api, wf["id"])
    logs1 = _burst()
    assert len(synthesized(logs1, first["id"])) == N
    first_gens = {t.line_index: t for t in _takes(first["id"], "gen")}
    assert all(t.accepted and t.reused_from is None for t in first_gens.values())
    db.session.refresh(db.session.get(Run, first["id"]))
    second = start(owner_api, wf["id"])
    logs2 = _burst()
    assert synthesized(logs2) == [], "an unchanged re-run must not synthesize"
    row = db.session.get(Run, second["id"])
    db.session.refresh(row)
    assert row.status == "completed"
    gens = _takes(second["id"], "gen")
    assert len(gens) == N
    for t in gens:
        prior = first_gens[t.line_index]
        assert t.reused_from == prior.id and t.audio_key == prior.audio_key and t.synth_calls == 0
        assert t.credits_milli == 0
    sinks = _takes(second["id"], "out")
    assert sorted(t.line_index for t in sinks) == list(range(N)) and all(t.audio_key for t in sinks)
    assert row.credits == 1            # reused takes are free; a completed run still costs the minimum
