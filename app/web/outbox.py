"""The workspace's email outbox (admins): read held messages when no SMTP server is configured."""
from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import login_required

from app.services import outbox as outbox_svc
from app.web.context import require_workspace
from app.web.ui import render

bp = Blueprint("outbox", __name__)


@bp.get("/settings/outbox")
@login_required
def index_GET():
    ws, membership = require_workspace()
    messages = outbox_svc.list_for_admin(ws.id, membership.role)
    return render("outbox/index.html", ws=ws, messages=messages, smtp=bool(current_app.config.get("SMTP_URL")))
