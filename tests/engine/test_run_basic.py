"""source_script → operator_generator (espeak-ng) → sink_preview, for real, through RQ workers."""
from sqlalchemy import select

from app.extensions import db
from app.models import LedgerEntry, Run, Take
from app.services import credits
from app.speech.audio import decode
from app.storage import get_store
from tests.conftest import assert_envelope
from tests.engine.conftest import espeak_definition, run_burst


def test_a_three_node_run_produces_real_audio_and_settles_credits(owner_api, owner):
    text = "Hello from OnePin.\nThe second line is a little longer than the first.\nGoodbye."
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Basic", "definition": espeak_definition(text)}), 201)["data"]
    credits.ensure_period_grant(owner)
    db.session.commit()
    before = credits.balance(owner.id)
    run = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]
    assert run["status"] == "pending" and run["run_number"] == 1
    done = run_burst()
    assert done.returncode == 0, done.stderr[-3000:]
    status = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/status"))["data"]
    assert status["status"] == "completed", status
    db.session.rollback()
    takes = db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_type == "sink_preview")).all()
    assert sorted(t.line_index for t in takes) == [0, 1, 2]
    store = get_store()
    durations = {}
    for t in takes:
        audio = decode(store.get_bytes(t.audio_key))
        assert audio.duration_ms > 400
        durations[t.line_index] = audio.duration_ms
    assert durations[1] > durations[0] > 0          # the longer line is longer
    steps = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/steps"))["data"]
    assert [s["node_id"] for s in steps] == ["src", "gen", "out"] and all(s["status"] == "completed" for s in steps)
    gen_units = sum(len(line) for line in text.splitlines())
    run_row = db.session.get(Run, run["id"])
    assert run_row.token_cost == gen_units and run_row.credits == max(1, (gen_units * 2 + 999) // 1000)
    assert credits.balance(owner.id) == before - run_row.credits          # hold fully released
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.run_id == run["id"])).all()
    held = sum(-e.amount for e in entries if e.kind == "reserve")
    released = sum(e.amount for e in entries if e.kind == "release")
    settled = sum(-e.amount for e in entries if e.kind == "settle")
    assert settled == run_row.credits and held == released                  # the whole hold came back
    assert sum(e.amount for e in entries) == -run_row.credits                  # net debit = the run's credits
