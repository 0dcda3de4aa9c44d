"""Emails go to the outbox, and an RQ worker process delivers them over SMTP when SMTP_URL is set."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select

from app.extensions import db
from app.models import EmailOutbox
from tests.conftest import TEST_DB, TEST_REDIS
from tests.factories import membership

BIN = str(Path(sys.executable).parent / "onepin-server")


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()


def test_invite_email_is_delivered_by_a_worker(app, smtp_server, owner, workspace):
    from app import create_app
    from app.services import members
    smtp_url, inbox = smtp_server
    smtp_app = create_app({"TESTING": True, "SMTP_URL": smtp_url})
    with smtp_app.test_request_context("/"):
        inv, token = members.invite(workspace, membership(workspace, owner), owner,
                                    {"email": "New.Person@Example.com", "role": "editor"},
                                    base_url="http://onepin.test")
        db.session.commit()          # the job is enqueued only after this commit
        msg_id = db.session.scalar(select(EmailOutbox.id).where(EmailOutbox.to_email == "new.person@example.com"))
    row = db.session.get(EmailOutbox, msg_id)
    assert row.status == "queued"
    env = dict(os.environ, DATABASE_URL=TEST_DB, REDIS_URL=TEST_REDIS, SMTP_URL=smtp_url)
    r = subprocess.run([BIN, "worker", "--burst", "--queues", "email"], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    db.session.expire_all()
    row = db.session.get(EmailOutbox, msg_id)
    assert row.status == "sent" and row.sent_at is not None, (row.status, row.error)
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "new.person@example.com"
    body = mail.get_payload()[0].get_payload(decode=True).decode() if mail.is_multipart() else mail.get_payload()
    assert f"http://onepin.test/invites/{token}" in body


def test_without_smtp_the_email_is_held_for_the_outbox_page(owner, workspace, app):
    from app.services import members
    with app.test_request_context("/"):
        members.invite(workspace, membership(workspace, owner), owner, {"email": "x@example.com", "role": "viewer"})
        db.session.commit()
    row = db.session.scalar(select(EmailOutbox).where(EmailOutbox.to_email == "x@example.com"))
    assert row.status == "held" and "/invites/" in row.body_text


def test_emails_render_outside_a_request(app, owner, workspace):
    """Workers and the CLI send mail with no request: templates must not need a signed-in user."""
    from app.services import outbox
    msg = outbox.send(kind="member_removed", to="gone@example.com", subject="Removed", workspace_id=workspace.id,
                      context={"workspace": workspace, "actor": owner})
    assert workspace.name in msg.body_text and msg.status == "held"
