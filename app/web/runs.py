"""The run page: status, the pinned graph with its node states and counts, and the lines table,
kept live by ONE server-sent event stream per page (the htmx SSE extension; static/js/run_events.js
refreshes the partial an event concerns). Each partial (`runs/_head.html`, `_graph.html`,
`_lines.html`, `_card.html`) is served on its own for those refreshes and for the filters and pager.
Audio and ZIPs are served by redirect to a fresh signed URL, so a page left open never holds an
expired link. Controls are in run_actions, history pages in run_history."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required

from app.errors import NotFound
from app.extensions import db
from app.services import exports, run_graph, run_lines, run_view
from app.services.run_data import SINK_TYPES, graph_nodes, node_label
from app.web.ui import is_htmx, render

bp = Blueprint("runs", __name__)


def _latest_event_id(run_id: str) -> str | None:
    """The id of the run's newest progress event: the page is rendered from the database after
    this point, and its stream replays only what comes after it."""
    from app.engine.events import run_stream
    from app.realtime.sse import latest_id
    return latest_id(run_stream(run_id))


def head_context(acc: run_view.RunAccess, error: str | None = None) -> dict:
    run = acc.run
    ctl = run_view.controls(acc)
    sinks = [{"id": n["id"], "label": node_label(n)} for n in graph_nodes(run) if n.get("type") in SINK_TYPES]
    failed = None
    if ctl["retry"]:
        from app.services.run_retry import failed_lines
        failed = len(failed_lines(run))
    return {"run": run, "workflow": acc.workflow, "phase": run_view.phase_out(run), "controls": ctl,
            "progress": run_view.progress(run), "versions": run_view.versions(run, acc.workflow),
            "sinks": sinks, "failed_count": failed, "error": error,
            "retry_of": (run.definition_snapshot or {}).get("retry_of")}


def _graph_context(run) -> dict:
    counts = run_view.node_counts(run)
    return {"run": run, "counts": counts, "drawing": run_graph.drawing(run.definition_snapshot or {}, counts)}


def _lines_context(run, args) -> dict:
    f = run_lines.LineFilters.parse(args, run_view.locales_of(run))
    out = {"run": run, "table": run_lines.table(run, f)}
    db.session.commit()          # waveforms computed for the cards shown are kept
    return out


@bp.get("/runs/<run_id>")
@login_required
def show_GET(run_id):
    acc = run_view.access(current_user, run_id)
    after = _latest_event_id(acc.run.id) if acc.run.status not in ("completed", "failed", "cancelled") else None
    ctx = {**head_context(acc), **_graph_context(acc.run), **_lines_context(acc.run, request.args)}
    return render("runs/show.html", **ctx, events_after=after)


@bp.get("/runs/<run_id>/head")
@login_required
def head_GET(run_id):
    acc = run_view.access(current_user, run_id)
    return render("runs/_head.html", **head_context(acc))


@bp.get("/runs/<run_id>/graph")
@login_required
def graph_GET(run_id):
    acc = run_view.access(current_user, run_id)
    return render("runs/_graph.html", **_graph_context(acc.run))


@bp.get("/runs/<run_id>/lines")
@login_required
def lines_GET(run_id):
    acc = run_view.access(current_user, run_id)
    if not is_htmx():
        return redirect(url_for("runs.show_GET", run_id=run_id, **request.args))
    ctx = _lines_context(acc.run, request.args)
    resp = render("runs/_lines.html", **ctx)
    resp.headers["HX-Push-Url"] = url_for("runs.show_GET", run_id=run_id, **ctx["table"]["filters"].query())
    return resp


@bp.get("/runs/<run_id>/cards/<int:line_index>/<locale>")
@login_required
def card_GET(run_id, line_index, locale):
    acc = run_view.access(current_user, run_id)
    card = run_lines.one_card(acc.run, line_index, locale)
    if card is None:
        raise NotFound("No such line in this run.")
    db.session.commit()
    return render("runs/_card.html", run=acc.run, c=card)


@bp.get("/runs/<run_id>/events")
@login_required
def events_GET(run_id):
    from app.realtime.sse import run_events
    acc = run_view.access(current_user, run_id)
    return run_events(acc.run, request.headers.get("Last-Event-ID") or request.args.get("after"))


@bp.get("/runs/<run_id>/audio/<audio>")
@login_required
def audio_GET(run_id, audio):
    acc = run_view.access(current_user, run_id)
    take = run_lines.find_audio(acc.run, audio)
    if take is None:
        abort(404)
    from app.services.playback import PLAYBACK_SECONDS
    from app.storage import get_store
    url = get_store().presigned_get(take.audio_key, PLAYBACK_SECONDS, content_type=take.content_type or "audio/wav")
    return redirect(url, 302)


@bp.get("/runs/<run_id>/download")
@login_required
def download_GET(run_id):
    acc = run_view.access(current_user, run_id)
    return redirect(exports.download_run(acc.workflow, acc.run)["url"], 302)


@bp.get("/runs/<run_id>/download/<node_id>")
@login_required
def download_node_GET(run_id, node_id):
    acc = run_view.access(current_user, run_id)
    return redirect(exports.download_node(acc.workflow, acc.run, node_id)["url"], 302)
