"""Home of a signed-in user: the current workspace at a glance."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.services import credits
from app.web.context import current_membership

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
    from app.extensions import db
    db.session.commit()
    return render_template("dashboard/index.html", membership=found[1] if found else None, balance=balance)
