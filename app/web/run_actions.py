"""Run controls from the run page: pause, resume, cancel (app/engine/control), "retry failed lines"
and "run again with the latest version" (app/services/run_retry). Each POST is CSRF-checked and
role-checked by the service (a viewer gets 403 even with a valid token). HTMX posts get the
refreshed run header back (or an HX-Redirect to the new run); plain posts are redirected, with a
refusal's message flashed onto the run page."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, url_for
from flask_login import current_user, login_required

from app.engine import control
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.services import run_retry, run_view
from app.web.runs import head_context
from app.web.ui import is_htmx, render

bp = Blueprint("run_actions", __name__)


def _head(acc, status=200, error=None):
    db.session.expire_all()
    acc = run_view.access(current_user, acc.run.id)
    if not is_htmx():
        if error:
            flash(error, "error")
        return redirect(url_for("runs.show_GET", run_id=acc.run.id))
    return render("runs/_head.html", status, **head_context(acc, error=error))


def _control(run_id, action):
    acc = run_view.access(current_user, run_id)
    try:
        action(acc)
        db.session.commit()
    except Forbidden:
        db.session.rollback()
        raise                     # 403: the error page, not a header with a message
    except DomainError as exc:
        db.session.rollback()
        return _head(acc, exc.status, exc.message)
    return _head(acc)


@bp.post("/runs/<run_id>/pause")
@login_required
def pause_POST(run_id):
    return _control(run_id, lambda acc: control.pause(acc.run, acc.membership))


@bp.post("/runs/<run_id>/resume")
@login_required
def resume_POST(run_id):
    return _control(run_id, lambda acc: control.resume(acc.run, acc.membership, current_user))


@bp.post("/runs/<run_id>/cancel")
@login_required
def cancel_POST(run_id):
    return _control(run_id, lambda acc: control.cancel(acc.run, acc.membership))


def _launch(run_id, launch):
    acc = run_view.access(current_user, run_id)
    try:
        new_run = launch(acc.workspace, acc.membership, current_user, acc.workflow, acc.run)
        new_id = new_run.id
        db.session.commit()
    except Forbidden:
        db.session.rollback()
        raise
    except DomainError as exc:
        db.session.rollback()
        return _head(acc, exc.status, exc.message)
    url = url_for("runs.show_GET", run_id=new_id)
    if not is_htmx():
        return redirect(url)
    resp = make_response("", 204)
    resp.headers["HX-Redirect"] = url
    return resp


@bp.post("/runs/<run_id>/retry-failed")
@login_required
def retry_failed_POST(run_id):
    return _launch(run_id, run_retry.retry_failed_lines)


@bp.post("/runs/<run_id>/run-again")
@login_required
def run_again_POST(run_id):
    return _launch(run_id, run_retry.run_again_latest)
