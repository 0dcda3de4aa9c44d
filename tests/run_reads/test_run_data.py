"""GET .../runs/<run>/data on real runs: rows, cards, playback, filters, paging, dropped cards."""
from onepin.types import WorkflowRunDataResponse
from sqlalchemy import select

from app.extensions import db
from app.models import Run, Take
from app.services.playback import audio_id
from app.services import waveforms
from app.speech.audio import decode
from app.speech.waveform import peaks
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import espeak_definition
from tests.run_reads.conftest import TEXT3, fetch_signed, start_and_finish


def _data(api, wf, run, **params):
    resp = api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/data", query_string=params)
    body = assert_envelope(resp)
    assert resp.headers["Cache-Control"] == "no-store"
    WorkflowRunDataResponse.model_validate(body)          # the SDK parses it
    return body


def test_rows_and_cards_of_a_three_line_run(owner_api, client, three_line_run):
    wf, run = three_line_run
    body = _data(owner_api, wf, run)
    data = body["data"]
    assert data["workflow_id"] == wf["id"] and data["run_id"] == run["id"] and data["run_status"] == "completed"
    assert data["partial"]["status"] == "available" and data["dropped_truncated"] is False
    assert body["pagination"]["total"] == 3 and body["pagination"]["limit"] == 50
    rows = data["rows"]
    assert [r["line_index"] for r in rows] == [0, 1, 2]
    assert [r["script"] for r in rows] == TEXT3.splitlines()
    takes = {t.line_index: t for t in db.session.scalars(select(Take).where(
        Take.run_id == run["id"], Take.node_type == "operator_generator"))}
    for row in rows:
        assert row["script_status"] == "available"
        [card] = row["cards"]
        gen = takes[row["line_index"]]
        assert card["status"] == "delivered" and card["locale_code"] == "en-us"
        assert audio_id(gen) in card["id"] and card["audio_id"] == audio_id(gen)
        assert card["script"] == row["script"] and card["retry_count"] == 0
        assert card["voice"] == {"display_name": "en-us", "status": "available"}
        assert card["validations"] == []
        audio = card["audio"]
        assert audio["status"] == "available" and audio["content_type"] == "audio/wav"
        assert audio["provider"] == "espeak" and audio["model"] == "espeak-ng"
        assert audio["duration_ms"] == gen.duration_ms > 300
        assert card["waveform_status"] == "available" and card["waveform_reason"] is None
        got = fetch_signed(client, audio["playback_url"])          # no Authorization header
        assert got.status_code == 200 and got.data[:4] == b"RIFF"
        clip = decode(got.data)
        assert abs(clip.duration_ms - gen.duration_ms) < 5
        # the waveform link: the peaks of that same audio, without auth, drawn on first use and kept
        assert waveforms.cached(gen) is None
        shape = fetch_signed(client, card["waveform_url"])
        assert shape.status_code == 200 and shape.mimetype == "application/json"
        assert shape.get_json() == {"bins": 96, "peaks": peaks(clip), "duration_ms": gen.duration_ms}
        assert max(shape.get_json()["peaks"]) > 10
        db.session.expire_all()
        assert waveforms.cached(db.session.get(Take, gen.id)) == shape.get_json()["peaks"]


def test_search_language_and_paging(owner_api, three_line_run):
    wf, run = three_line_run
    body = _data(owner_api, wf, run, search="SECOND line")
    assert body["pagination"]["total"] == 1 and [r["line_index"] for r in body["data"]["rows"]] == [1]
    assert _data(owner_api, wf, run, search="nothing like this")["data"]["rows"] == []
    # language filters cards only; '_' is read as '-'
    body = _data(owner_api, wf, run, language="en_US")
    assert all(len(r["cards"]) == 1 for r in body["data"]["rows"])
    body = _data(owner_api, wf, run, language="de-de")
    assert body["pagination"]["total"] == 3 and all(r["cards"] == [] for r in body["data"]["rows"])
    # paging
    body = _data(owner_api, wf, run, limit=2)
    assert [r["line_index"] for r in body["data"]["rows"]] == [0, 1] and body["pagination"]["total"] == 3
    assert body["pagination"]["next"]
    body = _data(owner_api, wf, run, limit=2, offset=2)
    assert [r["line_index"] for r in body["data"]["rows"]] == [2] and body["pagination"]["next"] is None
    assert _data(owner_api, wf, run, offset=10)["data"]["rows"] == []
    assert len(_data(owner_api, wf, run, limit=100)["data"]["rows"]) == 3
    base = f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/data"
    for bad in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"limit": "x"}, {"include_dropped": "maybe"}):
        assert_error(owner_api.get(base, query_string=bad), 422, "VALIDATION_ERROR")


def test_pending_run_is_partial_with_no_rows(owner_api, owner):
    from tests.run_reads.test_summary import make_run
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={
        "name": "Pending", "definition": espeak_definition("One line.")}), 201)["data"]
    run = make_run(wf["id"], "pending")
    body = _data(owner_api, wf, {"id": run.id})
    assert body["data"]["partial"]["status"] == "not_ready" and body["data"]["rows"] == []
    assert body["data"]["run_status"] == "pending" and body["pagination"]["total"] == 0


def test_running_run_shows_generated_and_waiting_cards(owner_api, three_line_run):
    """Rewind a finished run to 'running' with one line still waiting for its sink."""
    wf, run = three_line_run
    row = db.session.get(Run, run["id"])
    db.session.execute(Take.__table__.delete().where(Take.run_id == run["id"], Take.node_type == "sink_preview",
                                                     Take.line_index.in_([1, 2])))
    gen1 = db.session.scalar(select(Take).where(Take.run_id == run["id"], Take.node_type == "operator_generator",
                                                Take.line_index == 1))
    gen1.status, gen1.audio_key = "pending", None
    row.status = "running"
    db.session.commit()
    body = _data(owner_api, wf, run)
    assert body["data"]["partial"]["status"] == "not_ready"
    cards = {r["line_index"]: r["cards"][0] for r in body["data"]["rows"]}
    assert cards[0]["status"] == "delivered"
    assert cards[2]["status"] == "generated" and cards[2]["audio"]["status"] == "available"
    assert cards[1]["status"] is None and cards[1]["audio"]["status"] == "not_ready"
    assert "playback_url" not in cards[1]["audio"] or cards[1]["audio"]["playback_url"] is None
    assert cards[1]["waveform_status"] == "not_ready" and cards[1]["waveform_url"] is None
    assert cards[1]["waveform_reason"] == "The audio is being generated."
    assert cards[2]["waveform_status"] == "available" and cards[2]["waveform_url"]


def test_failed_line_is_not_delivered_with_the_reason(owner_api, three_line_run):
    wf, run = three_line_run
    gen = db.session.scalar(select(Take).where(Take.run_id == run["id"], Take.node_type == "operator_generator",
                                               Take.line_index == 1))
    db.session.execute(Take.__table__.delete().where(Take.run_id == run["id"], Take.node_type == "sink_preview",
                                                     Take.line_index == 1))
    gen.status, gen.audio_key, gen.error = "failed", None, "The engine returned silent audio."
    db.session.commit()
    card = _data(owner_api, wf, run)["data"]["rows"][1]["cards"][0]
    assert card["status"] == "not_delivered" and card["audio"]["status"] == "unavailable"
    assert card["audio"]["reason"] == "The engine returned silent audio." and card["audio"].get("playback_url") is None
    assert card["waveform_status"] == "unavailable" and card["waveform_url"] is None
    assert card["waveform_reason"] == "The engine returned silent audio."


def test_dropped_cards_only_with_include_dropped(owner_api, owner, fake_validator):
    text = "A clear first line.\nMumble mumble mumble.\nA clear last line."
    definition = espeak_definition(text, validator={"type": "validator_naturalness", "fail_to": "gen",
                                                    "config": {"threshold": 60, "max_retries": 1}})
    wf, run = start_and_finish(owner_api, owner, definition, plugins=True)
    assert run["status"] == "completed", run
    rows = _data(owner_api, wf, run)["data"]["rows"]
    assert [len(r["cards"]) for r in rows] == [1, 0, 1]          # the rejected line is simply absent
    first = rows[0]["cards"][0]
    assert first["status"] == "delivered"
    [v] = first["validations"]
    assert v["kind"] == "naturalness" and v["label"] == "Naturalness" and v["score"] == 90.0
    assert v["status"] == "available"
    rows = _data(owner_api, wf, run, include_dropped="true")["data"]["rows"]
    [dropped] = rows[1]["cards"]
    assert dropped["status"] == "dropped" and dropped["retry_count"] == 1          # attempt 2 was dropped
    [verdict] = dropped["dropped"]["verdicts"]
    assert verdict == {"validator_node_id": "val", "validator_kind": "naturalness",
                       "validator_label": "Naturalness", "score": 20.0, "threshold": 60.0}
    assert dropped["audio"]["status"] == "available"          # the rejected take can still be played


def test_waveform_links_refuse_forged_expired_and_other_links(owner_api, client, three_line_run):
    """A waveform link is its own credential: bound to one take and workspace, for 15 minutes, and no other
    signed link (a playback URL) can stand in for it, nor it for one."""
    from app.storage.signing import sign
    wf, run = three_line_run
    card = _data(owner_api, wf, run)["data"]["rows"][0]["cards"][0]
    token = card["waveform_url"].rsplit("/", 1)[1]
    assert fetch_signed(client, card["waveform_url"]).status_code == 200
    forged = token[:-3] + ("abc" if token[-3:] != "abc" else "xyz")
    refused = client.get(f"/_waveforms/{forged}")
    assert refused.status_code == 403 and b"invalid or has expired" in refused.data
    gen = db.session.scalar(select(Take).where(Take.run_id == run["id"], Take.node_type == "operator_generator",
                                               Take.line_index == 0))
    expired = sign({"m": "WAVEFORM", "t": gen.id, "w": gen.workspace_id}, -1)
    assert client.get(f"/_waveforms/{expired}").status_code == 403
    other_ws = sign({"m": "WAVEFORM", "t": gen.id, "w": "another-workspace"}, 60)
    assert client.get(f"/_waveforms/{other_ws}").status_code == 404
    playback_token = card["audio"]["playback_url"].rsplit("/", 1)[1]
    assert client.get(f"/_waveforms/{playback_token}").status_code == 403
    assert client.get(f"/_storage/get/{token}").status_code == 403
    # a take whose audio file is gone has no waveform: its link answers 404 and says why
    from app.storage import get_store
    gen2 = db.session.scalar(select(Take).where(Take.run_id == run["id"], Take.node_type == "operator_generator",
                                                Take.line_index == 2))
    get_store().delete(gen2.audio_key)
    link = _data(owner_api, wf, run)["data"]["rows"][2]["cards"][0]["waveform_url"]
    gone = fetch_signed(client, link)
    assert gone.status_code == 404 and b"could not be read" in gone.data
