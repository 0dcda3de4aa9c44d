"""The usage dashboard (admins): what the workspace spends, per day, per language and per chart period,
and its recent activity. Range, chart view and timezone switch in place over HTMX (the panel partial
replaces itself; the URL follows). Figures come from services/usage, the same as the JSON API."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, request
from flask_login import current_user, login_required

from app.auth.permissions import require_role
from app.errors import ValidationFailed
from app.services import usage as usage_svc
from app.services import usage_activity, usage_window
from app.web.context import require_workspace
from app.web.ui import is_htmx, render
from app.web.usage_charts import columns, duration, locale_bars

bp = Blueprint("usage", __name__)

TIMEZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
             "America/Sao_Paulo", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney")
RANGE_NAMES = {"30d": "30 days", "60d": "60 days", "90d": "90 days"}
VIEW_NAMES = {"daily": "Days", "weekly": "Weeks", "monthly": "Months"}
FEED_PAGE = 10


def _admin():
    ws, membership = require_workspace()
    require_role(membership.role, "usage.dashboard", "Only admins can see the usage dashboard.")
    return ws, membership


def _query():
    """The page's parameters; bad ones fall back to the defaults with a message (the API answers 422)."""
    try:
        return usage_window.parse(request.args), None
    except ValidationFailed as exc:
        return usage_window.parse({}), exc.message


def _local(iso: str, tz) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(tz).strftime("%d %b %Y, %H:%M")


def _feed(ws, membership, q, cursor=None):
    rows, next_cursor = usage_activity.feed(ws, membership, q, {"limit": FEED_PAGE, "cursor": cursor})
    for r in rows:
        r["when"] = _local(r["timestamp"], q.tz)
    return rows, next_cursor


def _tick(label: str, view: str) -> str:
    if view == "monthly":
        return datetime.strptime(label, "%Y-%m").strftime("%b")
    if view == "weekly":
        return label.split("-")[1]
    return datetime.strptime(label, "%Y-%m-%d").strftime("%d %b")


def _panel(ws, membership, q, error=None):
    summary = usage_svc.summary(ws, current_user, q)
    languages = usage_svc.by_language(ws, usage_window.UsageQuery(range=q.range, view=q.view, tz_name=q.tz_name,
                                                                  tz=q.tz, view_given=False))
    act = summary["activity"]
    per_day = columns([(d["date"], d["credits"], _tick(d["date"], "daily")) for d in summary["daily"]],
                      unit="credit", height=200)
    per_bucket = columns([(b["label"], b["credits"], _tick(b["label"], q.view)) for b in act["buckets"]],
                         unit="credit", width=360, height=180, ticks=12 if q.view != "daily" else 7)
    locales = locale_bars(languages["languages"])
    feed, cursor = _feed(ws, membership, q)
    zones = TIMEZONES if q.tz_name in TIMEZONES else (q.tz_name, *TIMEZONES)
    return dict(ws=ws, q=q, s=summary, langs=languages, per_day=per_day, per_bucket=per_bucket,
                locales=locales, feed=feed, cursor=cursor, error=error,
                zones=zones, range_names=RANGE_NAMES, view_names=VIEW_NAMES,
                audio=duration(summary["audio"]["total_ms"]))


@bp.get("/usage")
@login_required
def index_GET():
    ws, membership = _admin()
    q, error = _query()
    partial = is_htmx() and request.headers.get("HX-Target") == "usage-panel"
    resp = render("usage/_panel.html" if partial else "usage/index.html", 422 if error else 200, no_store=True,
                  **_panel(ws, membership, q, error))
    resp.headers["Vary"] = "HX-Request"
    return resp


@bp.get("/usage/activity")
@login_required
def activity_GET():
    """The next page of the recent-activity table (rows + a new "Load more" button)."""
    ws, membership = _admin()
    q, _error = _query()
    rows, cursor = _feed(ws, membership, q, request.args.get("cursor") or None)
    return render("usage/_activity_rows.html", no_store=True, feed=rows, cursor=cursor, q=q)
