"""The workspace activity feed (usage.usage_activity): newest first, within a rolling range of local
days, filtered by action and by member, paged with an opaque signed cursor.

The cursor is the last row's (created_at, id), signed with the app's secret and bound to the workspace:
any change to it (or a cursor from another workspace) is a 422, never a silently different page.
Paging is by keyset, so events recorded while a client pages never shift or repeat rows.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import ActivityEvent, Membership, User, Workspace, iso
from app.models.activity import ACTIONS
from app.services import usage_window
from app.services.usage_window import UsageQuery, range_frame
from app.validation import Validation

DEFAULT_LIMIT, MAX_LIMIT = 20, 100
_SALT = "usage-activity-cursor"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def encode_cursor(ws_id: str, ev: ActivityEvent) -> str:
    return _serializer().dumps({"w": ws_id, "t": iso(ev.created_at), "i": ev.id})


def decode_cursor(ws_id: str, token: str) -> tuple[datetime, str]:
    bad = ValidationFailed([{"field": "cursor", "message": "is not a cursor this feed issued"}])
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise bad from None
    # base64 decoding forgives some changes (the spare bits of the last character): only the exact
    # token this feed issued is a cursor
    if not isinstance(data, dict) or data.get("w") != ws_id or not isinstance(data.get("i"), str) \
            or _serializer().dumps(data) != token:
        raise bad
    try:
        return datetime.fromisoformat(str(data.get("t")).replace("Z", "+00:00")), data["i"]
    except ValueError:
        raise bad from None


def parse(args) -> tuple[UsageQuery, dict]:
    """range, timezone, type, user_id, limit and cursor from the query string: one 422 naming every bad
    parameter. (The feed has no activity_view: one sent anyway is ignored.)"""
    v = Validation(usage_window.given(args, ("range", "timezone", "type", "user_id", "limit", "cursor")), form=True)
    q = usage_window.read(v, with_view=False)
    out = {"type": v.optional("type", str, None, choices=ACTIONS),
           "user_id": v.optional("user_id", str, None, max_len=64),
           "limit": v.optional("limit", int, DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT),
           "cursor": v.optional("cursor", str, None, max_len=1000)}
    v.raise_if_invalid()
    return q, out


def _member_user_id(ws: Workspace, user_id: str) -> str:
    found = db.session.scalar(select(Membership.user_id).where(Membership.workspace_id == ws.id,
                                                               Membership.user_id == user_id))
    if found is None:
        raise NotFound("No member of this workspace has that user id.")
    return found


def feed(ws: Workspace, viewer: Membership, q: UsageQuery, filters: dict, now=None) -> tuple[list[dict], str | None]:
    """(events, next cursor or None). `ip` is shown to admins only."""
    frame = range_frame(q.range, q.tz, now)
    stmt = select(ActivityEvent).where(ActivityEvent.workspace_id == ws.id, ActivityEvent.created_at >= frame.start,
                                       ActivityEvent.created_at < frame.end)
    if filters.get("type"):
        stmt = stmt.where(ActivityEvent.action == filters["type"])
    if filters.get("user_id"):
        stmt = stmt.where(ActivityEvent.user_id == _member_user_id(ws, filters["user_id"]))
    if filters.get("cursor"):
        at, last_id = decode_cursor(ws.id, filters["cursor"])
        stmt = stmt.where(or_(ActivityEvent.created_at < at,
                              and_(ActivityEvent.created_at == at, ActivityEvent.id < last_id)))
    limit = filters.get("limit") or DEFAULT_LIMIT
    rows = list(db.session.scalars(stmt.order_by(ActivityEvent.created_at.desc(), ActivityEvent.id.desc())
                                   .limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    names = {u.id: u.name for u in db.session.scalars(
        select(User).where(User.id.in_({r.user_id for r in rows if r.user_id})))} if rows else {}
    admin = viewer.role == "admin"
    return [event_out(r, names, show_ip=admin) for r in rows], (encode_cursor(ws.id, rows[-1]) if more else None)


def event_out(ev: ActivityEvent, names: dict[str, str], *, show_ip: bool) -> dict:
    return {"id": ev.id, "timestamp": iso(ev.created_at),
            "user": {"id": ev.user_id, "name": names[ev.user_id]} if ev.user_id in names else None,
            "action": ev.action, "kind": ev.kind,
            "resource": {"type": ev.resource_type, "id": ev.resource_id, "name": ev.resource_name},
            "metadata": ev.data or {}, "ip": ev.ip if show_ip else None}
