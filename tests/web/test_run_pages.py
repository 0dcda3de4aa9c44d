"""The run page without a browser: partials, states, filters, paging, waveforms, audio and ZIP
redirects, on runs written to the database (fast, and states on demand). The real-run tests are
in test_run_page_real.py and tests/e2e/test_run_page*.py."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Run, Take, Workflow
from app.models.base import utcnow
from app.services import waveforms
from tests.conftest import assert_envelope
from tests.web.conftest import unlabelled_controls
from tests.web.run_page_data import built_run, naturalness_definition


@pytest.fixture
def wf(owner_api):
    data = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Page test",
                                                                     "definition": naturalness_definition()}), 201)["data"]
    return db.session.get(Workflow, data["id"])


def test_page_shows_status_graph_counts_and_cards(admin_web, wf, owner):
    run = built_run(wf, owner, lines=["First line.", "Second line.", "Third line."],
                    outcomes={(1, "en-us"): "failed", (2, "en-us"): "unsupported"})
    resp = admin_web.get(f"/runs/{run.id}")
    assert resp.status_code == 200 and "HX-Request" in resp.headers.get("Vary", "")
    html = resp.get_data(as_text=True)
    assert 'id="run-status" data-status="completed" data-phase="completed"' in html
    assert unlabelled_controls(html) == []
    # the graph: one box per node of the snapshot, with its state
    states = dict(re.findall(r'<g class="gnode[^"]*" data-node-id="(\w+)" data-state="(\w+)"', html))
    assert states == {"src": "done", "gen": "done", "nat": "done", "out": "done"}
    assert 'class="edge edge-pass"' in html
    # counts per node and locale: the generator did 2 of 3, 1 failed
    gen_row = re.search(r'<tr data-node-id="gen" data-locale="en-us">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', gen_row)[:3] == ["2", "0", "1"]
    # cards: delivered with audio + waveform; failed with its reason; unsupported labelled, no score
    card0 = _card(html, 0)
    assert 'data-outcome="delivered"' in card0 and f'/runs/{run.id}/audio/' in card0 and '<svg class="wave"' in card0
    assert re.search(r'data-role="duration">\d+\.\d s<', card0) and "81.5" in card0 and "attempt 1" in card0
    card1 = _card(html, 1)
    assert 'data-outcome="failed"' in card1 and "text too long for espeak" in card1 and "<audio" not in card1
    card2 = _card(html, 2)
    assert 'check-unsupported' in card2 and ">unsupported<" in card2
    assert "Naturalness is not measured for this language." in card2 and "check-score" not in card2


def _card(html: str, line: int, locale: str = "en-us") -> str:
    m = re.search(rf'<article class="line-card[^"]*" id="card-{line}-{locale}".*?</article>', html, re.S)
    assert m, f"no card for line {line}"
    return m.group(0)


def test_waveform_is_computed_once_and_kept_on_the_take(admin_web, wf, owner):
    run = built_run(wf, owner, lines=["One.", "Two."])
    admin_web.get(f"/runs/{run.id}")
    db.session.expire_all()
    gens = db.session.scalars(db.select(Take).where(Take.run_id == run.id, Take.node_type == "operator_generator")).all()
    peaks = [waveforms.cached(t) for t in gens]
    assert all(p is not None and len(p) == 96 for p in peaks)
    assert max(peaks[0]) > 10 and min(peaks[0]) < max(peaks[0])       # speech has loud and quiet parts
    assert waveforms.ensure(gens) == 0                                  # nothing left to compute


def test_partials_answer_htmx_and_filters_narrow_the_lines(admin_web, wf, owner):
    run = built_run(wf, owner, lines=["Alpha line.", "Beta line.", "Gamma line."], locales=("en-us", "de-de"),
                    outcomes={(1, "de-de"): "failed"})
    hx = {"HX-Request": "true"}
    for part, marker in (("head", 'id="run-head"'), ("graph", 'id="run-graph"'), ("lines", 'id="run-lines"')):
        resp = admin_web.get(f"/runs/{run.id}/{part}", headers=hx)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200 and marker in body and "<html" not in body, part
    resp = admin_web.get(f"/runs/{run.id}/lines?status=failed", headers=hx)
    body = resp.get_data(as_text=True)
    assert re.findall(r'id="card-(\d+)-([\w-]+)"', body) == [("1", "de-de")]
    assert resp.headers["HX-Push-Url"] == f"/runs/{run.id}?status=failed"
    body = admin_web.get(f"/runs/{run.id}/lines?locale=de-de&q=gamma", headers=hx).get_data(as_text=True)
    assert re.findall(r'id="card-(\d+)-([\w-]+)"', body) == [("2", "de-de")]
    assert "[de-de] Gamma line." in body            # the translated text is shown on its card
    body = admin_web.get(f"/runs/{run.id}/lines?q=nothing-like-this", headers=hx).get_data(as_text=True)
    assert 'id="lines-empty"' in body
    # the full page keeps the filters of its URL
    page = admin_web.get(f"/runs/{run.id}?status=failed").get_data(as_text=True)
    assert re.findall(r'id="card-(\d+)-([\w-]+)"', page) == [("1", "de-de")]
    assert '<option value="failed" selected>' in page
    # one card on its own (the live refresh)
    card = admin_web.get(f"/runs/{run.id}/cards/1/de-de", headers=hx).get_data(as_text=True)
    assert card.startswith("<article") and 'data-outcome="failed"' in card


def test_long_scripts_are_paged(admin_web, wf, owner):
    run = built_run(wf, owner, lines=[f"Line number {i}." for i in range(45)], audio=False,
                    outcomes={(i, "en-us"): "pending" for i in range(45)}, status="running")
    hx = {"HX-Request": "true"}
    first = admin_web.get(f"/runs/{run.id}/lines", headers=hx).get_data(as_text=True)
    assert len(re.findall(r'class="line-row"', first)) == 20 and "page 1 of 3" in first
    third = admin_web.get(f"/runs/{run.id}/lines?page=3", headers=hx).get_data(as_text=True)
    assert re.findall(r'data-line-index="(\d+)"', third) == [str(i) for i in range(40, 45)]
    assert 'rel="prev"' in third and 'rel="next"' not in third
    assert 'data-outcome="in_progress"' in third and "Not generated yet." in third
    beyond = admin_web.get(f"/runs/{run.id}/lines?page=99", headers=hx).get_data(as_text=True)
    assert "page 3 of 3" in beyond


def test_pausing_is_shown_while_the_wave_drains(admin_web, wf, owner):
    run = built_run(wf, owner, lines=["One.", "Two."], status="running", outcomes={(1, "en-us"): "pending"})
    run.pause_requested_at, run.pause_reason = utcnow(), "user"
    db.session.commit()
    html = admin_web.get(f"/runs/{run.id}/head", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-status="running" data-phase="pausing"' in html and ">Pausing<" in html
    assert 'id="run-pausing"' in html and 'id="run-pause"' not in html and 'id="run-cancel"' in html
    run.status, run.paused_at = "paused", utcnow()
    db.session.commit()
    html = admin_web.get(f"/runs/{run.id}/head", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-phase="paused"' in html and 'id="run-resume"' in html and 'id="run-pause"' not in html


def test_audio_and_zip_are_served_by_fresh_signed_urls(admin_web, wf, owner):
    run = built_run(wf, owner, lines=["One.", "Two."])
    html = admin_web.get(f"/runs/{run.id}").get_data(as_text=True)
    audio_url = re.search(r'<audio controls preload="none" src="([^"]+)"', html).group(1)
    resp = admin_web.get(audio_url)
    assert resp.status_code == 302 and "/_storage/get/" in resp.headers["Location"]
    wav = admin_web.get(resp.headers["Location"].removeprefix("http://testserver"))
    assert wav.status_code == 200 and wav.data[:4] == b"RIFF"
    assert admin_web.get(f"/runs/{run.id}/audio/0000000000000000").status_code == 404
    resp = admin_web.get(f"/runs/{run.id}/download")
    assert resp.status_code == 302
    z = admin_web.get(resp.headers["Location"].removeprefix("http://testserver"))
    assert z.status_code == 200 and z.data[:2] == b"PK"
    assert admin_web.get(f"/runs/{run.id}/download/out").status_code == 302
    assert admin_web.get(f"/runs/{run.id}/download/gen").status_code == 404


def test_another_workspace_gets_404_everywhere(login_as, wf, owner):
    from tests.factories import make_user, make_workspace
    run = built_run(wf, owner, lines=["One."])
    stranger = make_user(email="stranger@example.com")
    make_workspace(stranger, name="Elsewhere")
    web = login_as(stranger)
    for path in ("", "/head", "/graph", "/lines", "/cards/0/en-us", "/events", "/download"):
        assert web.get(f"/runs/{run.id}{path}").status_code == 404, path
    for action in ("pause", "resume", "cancel", "retry-failed", "run-again"):
        assert web.post(f"/runs/{run.id}/{action}").status_code == 404, action
    assert db.session.get(Run, run.id).status == "completed"


def test_history_pages_filter_by_status_and_summarise(admin_web, wf, owner, login_as, viewer):
    built_run(wf, owner, lines=["One."], run_number=1)
    failed = built_run(wf, owner, lines=["Two."], run_number=2, status="failed", outcomes={(0, "en-us"): "failed"})
    built_run(wf, owner, lines=["Three."], run_number=3, status="running", outcomes={(0, "en-us"): "pending"})
    html = admin_web.text(f"/workflows/{wf.id}/runs")
    assert re.findall(r'<tr data-run-id="[^"]+" data-status="(\w+)"', html) == ["running", "failed", "completed"]
    assert 'id="sum-total">3<' in html and 'id="sum-pass-rate">50%<' in html
    assert unlabelled_controls(html) == []
    resp = admin_web.get(f"/workflows/{wf.id}/runs?status=failed", headers={"HX-Request": "true", "HX-Target": "runs-panel"})
    body = resp.get_data(as_text=True)
    assert re.findall(r'data-run-id="([^"]+)"', body) == [failed.id] and "<html" not in body
    assert resp.headers["HX-Push-Url"] == f"/workflows/{wf.id}/runs?status=failed"
    assert "Page test" in login_as(viewer).text("/runs?status=completed")     # viewers read the history too
    assert admin_web.get("/workflows/not-a-workflow/runs").status_code == 404


def test_retry_is_refused_when_nothing_failed_or_the_run_is_still_going(admin_web, wf, owner):
    done = built_run(wf, owner, lines=["One.", "Two."])
    resp = admin_web.post(f"/runs/{done.id}/retry-failed", htmx=True)
    assert resp.status_code == 409 and "nothing to retry" in resp.get_data(as_text=True)
    assert 'id="run-head"' in resp.get_data(as_text=True)          # shown in the header it replaces
    going = built_run(wf, owner, lines=["One."], run_number=2, status="running", outcomes={(0, "en-us"): "pending"})
    for action in ("retry-failed", "run-again"):
        resp = admin_web.post(f"/runs/{going.id}/{action}", htmx=True)
        assert resp.status_code == 409 and "once it has ended" in resp.get_data(as_text=True), action
    assert db.session.scalar(db.select(db.func.count()).select_from(Run)) == 2


def test_a_plain_post_refused_for_the_runs_state_shows_why_on_the_run_page(admin_web, wf, owner):
    """Without HTMX (no JavaScript) the refusal is not lost in the redirect: it is flashed as an alert."""
    done = built_run(wf, owner, lines=["One."])
    resp = admin_web.post(f"/runs/{done.id}/pause")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/runs/{done.id}")
    html = admin_web.text(f"/runs/{done.id}")
    assert re.search(r'class="flash flash-error" role="alert">[^<]*completed', html), html[:2000]
    assert db.session.get(Run, done.id).status == "completed"


def test_retry_snapshot_keeps_each_sources_own_failed_lines():
    from app.services.run_retry import retry_snapshot
    snap = {"graph": {"nodes": [
        {"id": "en", "type": "source_script", "config": {"upload_id": "u1", "source_language": "en-us"}},
        {"id": "de", "type": "source_script", "config": {"text": "Eins\nZwei", "source_language": "de-de"}},
        {"id": "fr", "type": "source_script", "config": {"text": "Un"}},
        {"id": "gen", "type": "operator_generator", "config": {}}],
        "edges": [{"id": f"e-{s}", "source": s, "sourcePort": "lines", "target": "gen", "targetPort": "lines"}
                  for s in ("en", "de", "fr")]}}
    run = Run(id="r1", run_number=7, definition_snapshot=snap, lines=[
        {"index": 0, "text": "One", "source_node": "en", "locale": "en-us"},
        {"index": 1, "text": "Two ⟦word|wɜːd⟧", "source_node": "en", "locale": "en-us"},
        {"index": 2, "text": "Eins", "source_node": "de", "locale": "de-de"},
        {"index": 3, "text": "Zwei", "source_node": "de", "locale": "de-de"},
        {"index": 4, "text": "Un", "source_node": "fr", "locale": "fr-fr"}])
    out = retry_snapshot(run, [1, 3])
    nodes = {n["id"]: n for n in out["graph"]["nodes"]}
    assert set(nodes) == {"en", "de", "gen"}                           # the French source had no failed line
    assert nodes["en"]["config"] == {"text": "Two ⟦word|wɜːd⟧", "source_language": "en-us"}   # upload replaced
    assert nodes["de"]["config"] == {"text": "Zwei", "source_language": "de-de"}
    assert [e["source"] for e in out["graph"]["edges"]] == ["en", "de"]
    assert out["retry_of"] == {"run_id": "r1", "run_number": 7, "line_indexes": [1, 3]}
    assert snap["graph"]["nodes"][0]["config"] == {"upload_id": "u1", "source_language": "en-us"}   # run untouched


def test_a_viewer_sees_results_and_no_controls_and_every_control_post_is_refused(login_as, viewer, wf, owner):
    done = built_run(wf, owner, lines=["One.", "Two."], outcomes={(1, "en-us"): "failed"})
    going = built_run(wf, owner, lines=["Three."], run_number=2, status="running", outcomes={(0, "en-us"): "pending"})
    web = login_as(viewer)
    for run in (done, going):
        html = web.text(f"/runs/{run.id}")
        assert 'id="run-readonly"' in html and unlabelled_controls(html) == []
        for control in ("run-pause", "run-resume", "run-cancel", "run-retry-failed", "run-again-latest"):
            assert f'id="{control}"' not in html, control
    assert "<audio " in web.text(f"/runs/{done.id}") and 'id="run-download"' in web.text(f"/runs/{done.id}")
    for run, actions in ((going, ("pause", "resume", "cancel")), (done, ("retry-failed", "run-again"))):
        for action in actions:                                # the CSRF token is valid: the role refuses
            assert web.post(f"/runs/{run.id}/{action}", htmx=True).status_code == 403, action
    db.session.expire_all()
    assert db.session.get(Run, going.id).status == "running" and db.session.get(Run, going.id).pause_requested_at is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Run)) == 2
