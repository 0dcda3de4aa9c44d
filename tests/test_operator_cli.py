"""`onepin-server` management commands against the test database."""
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import ApiKey, Membership, User, Workspace
from app.auth.tokens import sha256_hex

BIN = str(Path(sys.executable).parent / "onepin-server")


def run_cli(*args):
    env = dict(os.environ)
    return subprocess.run([BIN, *args], env=env, capture_output=True, text=True, timeout=60)


def test_create_user_with_workspace_and_key_prints_only_the_key():
    r = run_cli("create-user", "--email", "Ops@Example.com", "--password", "long enough pw", "--workspace", "Ops Team")
    assert r.returncode == 0, r.stderr
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "ops@example.com"))
    ws = db.session.scalar(select(Workspace).where(Workspace.owner_id == user.id))
    assert ws.slug == "ops-team"
    assert db.session.scalar(select(Membership.role).filter_by(workspace_id=ws.id, user_id=user.id)) == "admin"

    r = run_cli("create-api-key", "--email", "ops@example.com", "--workspace", "ops-team", "--scopes", "workflows:read,voices:read")
    assert r.returncode == 0, r.stderr
    key = r.stdout.strip()
    assert key.startswith("op_live_") and "\n" not in key and len(key) >= len("op_live_") + 43
    row = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(key)))
    assert row.scopes == ["voices:read", "workflows:read"] and row.workspace_id == ws.id
    assert key not in str(row.prefix) or len(row.prefix) < len(key)


def test_errors_are_clear_and_nonzero():
    r = run_cli("create-api-key", "--email", "nobody@example.com", "--workspace", "x", "--scopes", "all")
    assert r.returncode != 0 and "no user nobody@example.com" in r.stderr
    run_cli("create-user", "--email", "a@example.com", "--password", "long enough pw")
    r = run_cli("create-user", "--email", "a@example.com", "--password", "long enough pw")
    assert r.returncode != 0 and "already exists" in r.stderr
    r = run_cli("create-user", "--email", "b@example.com", "--password", "short")
    assert r.returncode != 0 and "8 characters" in r.stderr
    r = run_cli("set-plan", "--email", "a@example.com", "--plan", "platinum")
    assert r.returncode != 0 and "free" in r.stderr


def test_set_plan_changes_limits():
    run_cli("create-user", "--email", "p@example.com", "--password", "long enough pw")
    assert run_cli("set-plan", "--email", "p@example.com", "--plan", "pro").returncode == 0
    db.session.expire_all()
    assert db.session.scalar(select(User.plan).where(User.email == "p@example.com")) == "pro"


def test_refresh_catalog_reports_engines_and_seeds_starters():
    from app.models import Template
    from app.models import Voice
    # one locale and one variant keep this quick; the full catalog (every locale x every variant) is the default
    r = run_cli("refresh-catalog", "--locales", "en-gb", "--variants", "f3")
    assert r.returncode == 0, r.stderr
    assert "eSpeak NG [espeak]" in r.stdout and "voices" in r.stdout and "NOT AVAILABLE" not in r.stdout
    assert re.search(r"voices: \d+ active .*; [1-9]\d* new", r.stdout), r.stdout
    db.session.expire_all()
    assert db.session.query(Template).filter(Template.is_starter.is_(True)).count() >= 6
    assert "OpenAI [openai]" in r.stdout and "each workspace uses its own key" in r.stdout
    assert db.session.query(Voice).filter(Voice.provider == "espeak", Voice.workspace_id.is_(None),
                                          Voice.provider_voice_id.like("%+f3")).count() >= 1
    again = run_cli("refresh-catalog", "--locales", "en-gb", "--variants", "f3")
    assert "starter templates: 0 created or updated" in again.stdout      # idempotent
    assert re.search(r"; 0 new, .* 0 rendered", again.stdout), again.stdout      # previews are reused
    bad = run_cli("refresh-catalog", "--locales", "xx-yy")
    assert bad.returncode != 0 and "unsupported locale" in bad.stderr
