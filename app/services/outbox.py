"""Emails: every message is written to the outbox; an RQ job delivers it when SMTP_URL is set.

Without SMTP the message stays `held` and admins read it on the Outbox page.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse

from flask import current_app, render_template
from sqlalchemy import select

from app.extensions import db
from app.models import EmailOutbox
from app.models.base import utcnow
from app.services.queue import enqueue_after_commit


def send(*, kind: str, to: str, subject: str, context: dict, workspace_id: str | None = None) -> EmailOutbox:
    text = render_template(f"email/{kind}.txt", **context)
    html = render_template(f"email/{kind}.html", **context)
    smtp = bool(current_app.config.get("SMTP_URL"))
    msg = EmailOutbox(workspace_id=workspace_id, to_email=to, subject=subject, body_text=text, body_html=html,
                      kind=kind, status="queued" if smtp else "held")
    db.session.add(msg)
    db.session.flush()
    if smtp:
        enqueue_after_commit("email", "jobs.email.deliver", msg.id)
    return msg


def list_for_workspace(workspace_id: str, limit: int = 100) -> list[EmailOutbox]:
    return list(db.session.scalars(select(EmailOutbox).where(EmailOutbox.workspace_id == workspace_id)
                                   .order_by(EmailOutbox.created_at.desc()).limit(limit)))


def list_for_admin(workspace_id: str, role: str | None, limit: int = 100) -> list[EmailOutbox]:
    """The web Outbox page: admins of the workspace only (others: Forbidden)."""
    from app.auth.permissions import require_role
    require_role(role, "outbox.read", "Only admins can read the outbox.")
    return list_for_workspace(workspace_id, limit)


def deliver(outbox_id: str) -> str:
    """Sends one message over SMTP (smtp://user:pass@host:port, smtps://..., ?starttls=1)."""
    msg = db.session.get(EmailOutbox, outbox_id)
    if msg is None or msg.status == "sent":
        return "skipped"
    url = urlparse(current_app.config["SMTP_URL"])
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = msg.to_email
    email["Subject"] = msg.subject
    email.set_content(msg.body_text)
    if msg.body_html:
        email.add_alternative(msg.body_html, subtype="html")
    msg.attempts += 1
    try:
        port = url.port or (465 if url.scheme == "smtps" else 25)
        cls = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        with cls(url.hostname, port, timeout=30) as smtp:
            if parse_qs(url.query).get("starttls", ["0"])[0] in ("1", "true"):
                smtp.starttls(context=ssl.create_default_context())
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        msg.status, msg.error = "failed", str(exc)[:500]
        db.session.commit()
        raise
    msg.status, msg.sent_at, msg.error = "sent", utcnow(), None
    db.session.commit()
    return "sent"
