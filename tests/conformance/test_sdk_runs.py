"""The official onepin 0.16.1 SDK against a live server: the run methods the CLI has no command for:
get_run_outputs, get_run_analysis, get_run_audio_url, pause_run and resume_run.

The runs are real (the live server's worker speaks with eSpeak NG). Each response must parse into the SDK's
model and agree with what the run itself reports (run data, status); refusals reach the caller as ApiError
with the contract's status and error envelope."""
from __future__ import annotations

import io
import time
import wave
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.conformance.cli_helpers import definition
from tests.conformance.sdk_helpers import NO_RETRY, refused, sdk, wait_run

pytestmark = pytest.mark.conformance

THREE_LINES = "Good morning, everyone.\nThe train leaves at noon.\nPlease take your seats now."
WORDS = "amber birch cedar dune ember fjord grove heath inlet jasper kelp larch".split()


def _wav_ms(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as w:
        return 1000 * w.getnframes() / w.getframerate()


def _fetch(url: str) -> bytes:
    resp = httpx.get(url, timeout=15, follow_redirects=True)           # signed: no Authorization header
    assert resp.status_code == 200, resp.text[:300]
    return resp.content


def test_outputs_analysis_and_audio_urls_of_a_finished_run(live_server, signup):
    owner = signup("runread")
    c = sdk(live_server, owner.key)
    wf = c.workflows.create_workflow(name="Platform", definition=definition(THREE_LINES)).data
    run = c.workflows.runs.start(wf.id).data
    status = wait_run(c, wf.id, run.id)
    assert status.status == "completed", status
    cards = [row.cards[0] for row in c.workflows.get_run_data(wf.id, run.id).data.rows]
    assert [card.script for card in cards] == THREE_LINES.split("\n")

    # outputs: one per sink of the snapshot, its lines in order, each take playable without auth
    out = c.workflows.get_run_outputs(wf.id, run.id).data
    assert (out.run_id, out.run_status, out.credits) == (run.id, "completed", status.credits)
    (sink,) = out.outputs
    assert (sink.node_id, sink.node_type, sink.display_name, sink.status) == ("out", "sink_preview", "Export",
                                                                              "completed")
    assert sink.line_count == len(sink.lines) == 3 and sink.truncated is False
    for line, card in zip(sink.lines, cards):
        assert line.delivery.passed is True and line.delivery.failing_checks == []
        take = line.audio_files[line.recommended_audio_file_index]
        assert take["text"] == card.script and take["audio_id"] == card.audio_id
        assert take["locale"] == "en-us" and take["content_type"] == "audio/wav"
        assert abs(_wav_ms(_fetch(take["playback_url"])) - take["duration_ms"]) < 60

    # analysis: delivered audio per locale, no validators, the per-node credit ledger as decimal strings
    an = c.workflows.get_run_analysis(wf.id, run.id).data
    assert (an.run.id, an.run.status) == (run.id, "completed") and an.run.duration_ms >= 0
    assert an.audio.status == "available"
    (loc,) = an.audio.by_locale
    delivered_ms = sum(card.audio.duration_ms for card in cards)
    assert (loc.locale_code, loc.delivered_line_count, loc.delivered_duration_ms) == ("en-us", 3, delivered_ms)
    assert an.audio.delivered_total_ms == delivered_ms and an.validators == []
    credits = an.credits
    assert credits.status == "ok" and credits.charged == status.credits >= 1
    assert [(r.node_id, r.status) for r in credits.rows] == [("src", "free"), ("gen", "recorded"), ("out", "free")]
    gen = credits.rows[1]
    assert gen.unit == "character" and gen.processed_units == sum(len(s) for s in THREE_LINES.split("\n"))
    assert float(gen.credits_fractional) > 0 and float(credits.total_fractional) == float(gen.credits_fractional)

    # audio URL: a fresh signed link to the same bytes the run-data card plays, valid ~15 minutes
    for i, card in enumerate(cards):
        link = c.workflows.get_run_audio_url(wf.id, run.id, card.audio_id).data
        assert link.filename == f"{i:03d}_en-us.wav"
        assert timedelta(minutes=14) < link.expires_at - datetime.now(timezone.utc) <= timedelta(minutes=15)
        assert _fetch(link.url) == _fetch(card.audio.playback_url)
    for bad in ("0" * 16, "not-an-audio-id"):
        refused(lambda: c.workflows.get_run_audio_url(wf.id, run.id, bad), 404, "NOT_FOUND")

    # other workspaces and unknown runs: 404
    stranger = sdk(live_server, signup("stranger").key)
    for call in (lambda: stranger.workflows.get_run_outputs(wf.id, run.id),
                 lambda: stranger.workflows.get_run_analysis(wf.id, run.id),
                 lambda: stranger.workflows.get_run_audio_url(wf.id, run.id, cards[0].audio_id),
                 lambda: c.workflows.get_run_outputs(wf.id, "00000000-0000-0000-0000-000000000000")):
        refused(call, 404, "NOT_FOUND")


def _park(c, wf_id: str, run_id: str):
    """pause_run, then wait until the run is parked; returns (pause response, parked status)."""
    paused = c.workflows.pause_run(wf_id, run_id, request_options=NO_RETRY).data
    assert paused.id == run_id and paused.pause_reason == "user"
    # a pending run parks at once; a running one drains its wave first (still running, pause_requested_at set)
    assert paused.status == "paused" or (paused.status == "running" and paused.pause_requested_at), paused
    parked = wait_run(c, wf_id, run_id, until={"paused", "completed", "failed", "cancelled"}, timeout=120)
    assert parked.status == "paused", parked
    assert parked.paused_at is not None and parked.pause_reason == "user" and parked.completed_at is None
    return paused, parked


def test_pause_parks_a_run_and_resume_finishes_it(live_server, signup):
    owner = signup("pause")
    c = sdk(live_server, owner.key)
    lines = 400      # long enough that both pauses arrive before the run ends; raise it if a pause gets a 409
    script = "\n".join(f"Number {i}, the {WORDS[i % 12]} path meets the {WORDS[(i * 5 + 1) % 12]} ridge."
                       for i in range(lines))
    wf = c.workflows.create_workflow(name="Long reading", definition=definition(script)).data
    run = c.workflows.runs.start(wf.id).data
    first, parked = _park(c, wf.id, run.id)

    # parked means parked: nothing moves, pausing again changes nothing, and it still holds the run slot
    time.sleep(1.0)
    idle = c.workflows.runs.status(wf.id, run.id).data
    assert (idle.status, idle.finished_steps, idle.updated_at) == ("paused", parked.finished_steps, parked.updated_at)
    again = c.workflows.pause_run(wf.id, run.id).data
    assert (again.status, again.paused_at) == ("paused", parked.paused_at)
    refused(lambda: c.workflows.runs.start(wf.id, request_options=NO_RETRY), 409, "RUN_ALREADY_ACTIVE")
    assert [r.id for r in c.workflows.runs.list(wf.id).data] == [run.id]
    reader = sdk(live_server, owner.mint_key("workflows:read", name="reader"))
    refused(lambda: reader.workflows.resume_run(wf.id, run.id), 403, "FORBIDDEN")
    refused(lambda: reader.workflows.pause_run(wf.id, run.id), 403, "FORBIDDEN")

    # resume: pause fields cleared; a run parked before it started goes back to pending and starts
    resumed = c.workflows.resume_run(wf.id, run.id, request_options=NO_RETRY).data
    assert resumed.paused_at is None and resumed.pause_requested_at is None and resumed.pause_reason is None
    assert resumed.status in ("pending", "running", "completed"), resumed
    if first.status == "paused":                      # it parked while pending: now pause it while it runs
        assert parked.started_at is None, parked
        running = wait_run(c, wf.id, run.id, until={"running", "completed", "failed", "cancelled"})
        assert running.status == "running", f"run ended before the second pause ({lines} lines): {running}"
        draining, _parked = _park(c, wf.id, run.id)
        assert draining.status == "running" and draining.pause_requested_at is not None, draining
        c.workflows.resume_run(wf.id, run.id, request_options=NO_RETRY)
    done = wait_run(c, wf.id, run.id, timeout=120)
    assert done.status == "completed", done
    assert done.usage_summary["lines_delivered"] == lines and done.paused_ms >= 1000

    # only a pending/running run can pause and only a paused one can resume (409, retried by the SDK: harmless)
    refused(lambda: c.workflows.pause_run(wf.id, run.id, request_options=NO_RETRY), 409, "RUN_NOT_ACTIVE")
    refused(lambda: c.workflows.resume_run(wf.id, run.id), 409, "RUN_NOT_PAUSED")
    assert c.workflows.runs.status(wf.id, run.id).data.status == "completed"
    stranger = sdk(live_server, signup("stranger").key)
    refused(lambda: stranger.workflows.pause_run(wf.id, run.id), 404, "NOT_FOUND")
