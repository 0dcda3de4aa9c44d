"""Home of a signed-in user: the current workspace at a glance: role, credits, members, its newest runs
and most recently changed workflows, and where to go next."""
from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.services import credits, run_history
from app.services import members as members_svc
from app.services import workflows as wf_svc
from app.web.context import current_membership
from app.web.ui import render

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def root_GET():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index_GET"))
    return redirect(url_for("auth.login_GET"))


@bp.get("/home")
@login_required
def index_GET():
    found = current_membership()
    balance = credits.view(current_user)
    rows = members_svc.list_members(found[0], current_user) if found else []
    runs = run_history.recent(found[0]) if found else []
    workflows = wf_svc.list_workflows(found[0], sort=["updated_at"], order=["desc"], limit=5)[0] if found else []
    db.session.commit()
    return render("dashboard/index.html", membership=found[1] if found else None, balance=balance,
                  members_count=sum(1 for r in rows if r["status"] == "active"),
                  invites_count=sum(1 for r in rows if r["status"] == "invited"),
                  runs=runs, workflows=workflows, duration_text=run_history.duration_text)
