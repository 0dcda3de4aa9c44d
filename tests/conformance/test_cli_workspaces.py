"""The official onepin 0.16.1 CLI against a live server: login/whoami, workspaces, members and invites.

Every test checks what the CLI PRINTS (stdout/stderr) and its exit code, not just HTTP statuses.
"""
from __future__ import annotations

import os
import pty
import re
import stat
import subprocess
import uuid

import httpx
import pytest
from tests.conformance.conftest import ANSI, ONEPIN, UUID_RE, _err_code, _json_err, _table, outbox_token

pytestmark = pytest.mark.conformance


def _slug() -> str:
    return f"conf-{uuid.uuid4().hex[:10]}"


def _run_in_pty(cli, *args: str) -> str:
    """Run the CLI with stdout on a pseudo-terminal (so the CLI would colour its output)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([ONEPIN, *args], env=cli.env({"TERM": "xterm-256color"}), cwd=cli.home,
                                stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        os.close(slave)
        slave = None
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(60) == 0, proc.stderr.read()
        return b"".join(chunks).decode(errors="replace")
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)


# --------------------------------------------------------------------------------------------------
# login / whoami


def test_login_prints_workspace_and_scopes_and_saves_credentials(signup, cli_factory, live_server):
    acct = signup("login")
    cli = cli_factory()
    r = cli("login", "--base-url", live_server.url, "--key", acct.key)
    assert r.code == 0, r
    assert "Logged in." in r.out
    assert f"Workspace: {acct.workspace_id}" in r.out
    scopes = re.search(r"Scopes: (.+)", r.out).group(1).split(", ")
    assert "workspace:read" in scopes and "workflows:run" in scopes and scopes == sorted(scopes), r.out
    creds = cli.credentials.read_text()
    assert acct.key in creds and f'base_url = "{live_server.url}"' in creds
    assert stat.S_IMODE(cli.credentials.stat().st_mode) == 0o600
    # later commands reach the same server with no flag at all
    r = cli("whoami")
    assert r.code == 0 and f"Base URL: {live_server.url}" in r.out, r


def test_login_refuses_a_key_without_op_live_prefix_before_any_network_call(cli_factory, live_server):
    cli = cli_factory()
    # a port nothing listens on: a network call would surface as NETWORK_ERROR instead
    r = cli("login", "--base-url", "http://127.0.0.1:9", "--key", "sk_test_not_a_onepin_key")
    assert r.code == 1, r
    assert r.err.startswith("[INVALID_API_KEY] Key must start with op_live_"), r
    assert not cli.credentials.exists()


def test_login_with_unknown_op_live_key_is_rejected(cli_factory, live_server):
    cli = cli_factory()
    r = cli("login", "--base-url", live_server.url, "--key", "op_live_" + uuid.uuid4().hex * 2)
    assert r.code == 1, r
    assert "[INVALID_API_KEY] Key rejected" in r.err, r
    assert not cli.credentials.exists()


def test_login_with_revoked_key_is_rejected(signup, cli_factory, live_server):
    acct = signup("revoked")
    cli = cli_factory()
    key_id = cli("--json", "whoami", env={"ONEPIN_API_KEY": acct.key, "ONEPIN_BASE_URL": live_server.url}) \
        .json()["api_key_id"]
    acct.revoke_key(key_id)  # the Revoke button on /settings/api-keys
    r = cli("login", "--base-url", live_server.url, "--key", acct.key)
    assert r.code == 1, r
    assert "[INVALID_API_KEY] Key rejected" in r.err, r
    # the raw server answer behind it: 401 with the standard error envelope
    resp = httpx.get(f"{live_server.url}/api/v1/auth/whoami", headers={"Authorization": f"Bearer {acct.key}"})
    assert resp.status_code == 401
    body = resp.json()
    assert body["error"]["code"] == "INVALID_API_KEY" and body["meta"]["request_id"].startswith("req_")


def test_whoami_human_and_json(logged_in):
    acct, cli = logged_in
    r = cli("whoami")
    assert r.code == 0, r
    assert "Source: file" in r.out or "Source:" in r.out
    assert "Auth: api_key" in r.out
    assert f"Workspace: {acct.workspace_id}" in r.out
    assert "workspace:read" in r.out

    r = cli("--json", "whoami")
    assert r.code == 0, r
    data = r.json()
    assert data["auth_kind"] == "api_key"
    assert data["workspace_id"] == acct.workspace_id
    assert data["api_key_id"] and data["user_id"]
    assert data["scopes"] == sorted(set(data["scopes"])) and "workspace:read" in data["scopes"]


def test_whoami_without_credentials_is_not_logged_in(cli_factory):
    r = cli_factory()("whoami")
    assert r.code == 1 and "NOT_LOGGED_IN" in r.err, r


def test_key_from_env_var_works_without_login(signup, cli_factory, live_server):
    acct = signup("envkey")
    r = cli_factory()("--json", "whoami", env={"ONEPIN_API_KEY": acct.key, "ONEPIN_BASE_URL": live_server.url})
    assert r.code == 0, r
    assert r.json()["workspace_id"] == acct.workspace_id


# --------------------------------------------------------------------------------------------------
# workspaces


def test_workspace_list_table_json_and_footer(logged_in):
    acct, cli = logged_in
    slug = _slug()
    r = cli("--json", "workspace", "create", "--name", "Second Space", "--slug", slug)
    assert r.code == 0, r
    second = r.json()["id"]

    r = cli("--no-color", "workspace", "list")
    assert r.code == 0, r
    assert not ANSI.search(r.out)
    header, rows = _table(r.out)
    assert header == ["id", "name", "slug", "color_idx"]
    by_id = {row[0]: row for row in rows}
    assert set(by_id) == {acct.workspace_id, second}, r.out
    assert by_id[second][1:3] == ["Second Space", slug]
    assert by_id[acct.workspace_id][1] == acct.workspace_name
    assert re.fullmatch(r"[0-6]", by_id[second][3]), by_id[second]

    r = cli("workspace", "list", "--json")
    assert r.code == 0, r
    rows = r.json()
    assert isinstance(rows, list) and {w["id"] for w in rows} == {acct.workspace_id, second}
    assert all({"id", "name", "slug", "color_idx"} <= set(w) for w in rows)

    # a full page with no total: the CLI warns there may be more; --offset pages on
    r = cli("workspace", "list", "--limit", "1")
    assert r.code == 0, r
    assert len(_table(r.out)[1]) == 1
    assert "Showing 1 rows — a full page, so there may be more." in r.out
    first = _table(r.out)[1][0][0]
    r = cli("workspace", "list", "--limit", "1", "--offset", "1", "--json")
    assert r.code == 0 and len(r.json()) == 1 and r.json()[0]["id"] != first, r


def test_table_output_colours_only_on_a_tty_and_no_color_turns_it_off(logged_in):
    acct, cli = logged_in
    rich = _run_in_pty(cli, "workspace", "list")
    assert acct.workspace_id in rich
    assert ANSI.search(rich) or "┃" in rich or "│" in rich, rich  # a rich table on a terminal
    plain = _run_in_pty(cli, "--no-color", "workspace", "list")
    assert not ANSI.search(plain), plain
    assert "id\tname\tslug\tcolor_idx" in plain and acct.workspace_id in plain
    nocolor_env = cli("workspace", "list", env={"NO_COLOR": "1"})
    assert nocolor_env.code == 0 and not ANSI.search(nocolor_env.out)


def test_workspace_show_human_and_json(logged_in):
    acct, cli = logged_in
    r = cli("workspace", "show", acct.workspace_id, "--json")
    assert r.code == 0, r
    ws = r.json()
    assert ws["id"] == acct.workspace_id and ws["name"] == acct.workspace_name
    assert ws["slug"] and isinstance(ws["color_idx"], int)

    r = cli("--no-color", "workspace", "show", acct.workspace_id)
    assert r.code == 0, r
    assert f"id: {acct.workspace_id}" in r.out.splitlines()
    assert f"name: {acct.workspace_name}" in r.out.splitlines()
    assert f"slug: {ws['slug']}" in r.out.splitlines()


def test_workspace_create_prints_id_and_duplicate_slug_is_409(logged_in):
    acct, cli = logged_in
    slug = _slug()
    r = cli("workspace", "create", "--name", "Created By CLI", "--slug", slug, "--color-idx", "3")
    assert r.code == 0, r
    m = re.fullmatch(rf"Created workspace ({UUID_RE})\.", r.out.strip())
    assert m, r
    new_id = m.group(1)
    ws = cli("workspace", "show", new_id, "--json").json()
    assert (ws["name"], ws["slug"], ws["color_idx"]) == ("Created By CLI", slug, 3)

    # a taken slug: 409 WORKSPACE_SLUG_TAKEN shown as sent, and nothing created (the SDK sends it 3 times)
    before = len(cli("workspace", "list", "--json").json())
    dup = cli.start("workspace", "create", "--name", "Dup", "--slug", slug)

    # (meanwhile) slug generated from the name when omitted
    r = cli("workspace", "create", "--name", "Auto Slug Space", "--json")
    assert r.code == 0, r
    assert r.json()["slug"].startswith("auto-slug-space")
    # (meanwhile) an invalid slug is a validation error
    r = cli("workspace", "create", "--name", "Bad", "--slug", "Not A Slug!")
    assert r.code == 1 and _err_code(r) == "VALIDATION_ERROR", r

    r = dup.result()
    assert r.code == 1, r
    assert r.err.startswith("[WORKSPACE_SLUG_TAKEN]"), r
    assert "request_id=req_" in r.err and r.out == ""
    names = [w["name"] for w in cli("workspace", "list", "--json").json()]
    assert len(names) == before + 1 and "Dup" not in names and "Bad" not in names, names


def test_workspace_update_name_slug_color_and_routing(logged_in):
    acct, cli = logged_in
    slug = _slug()
    r = cli("workspace", "update", acct.workspace_id, "--name", "Renamed", "--slug", slug, "--color-idx", "5")
    assert r.code == 0, r
    assert r.out.strip() == f"Updated workspace {acct.workspace_id}."
    ws = cli("workspace", "show", acct.workspace_id, "--json").json()
    assert (ws["name"], ws["slug"], ws["color_idx"]) == ("Renamed", slug, 5)

    r = cli("workspace", "update", acct.workspace_id, "--routing-price-sensitivity", "0.25",
            "--routing-llm-fit", "--json")
    assert r.code == 0, r
    data = r.json()
    assert data["id"] == acct.workspace_id and data["name"] == "Renamed"  # untouched fields kept
    assert data.get("routing_price_sensitivity") == 0.25 and data.get("routing_llm_fit") is True, data

    # re-setting its own slug is never a conflict
    r = cli("workspace", "update", acct.workspace_id, "--slug", slug)
    assert r.code == 0, r

    r = cli("workspace", "update", acct.workspace_id, "--color-idx", "99")
    assert r.code == 1 and _err_code(r) == "VALIDATION_ERROR", r


def test_workspace_settings(logged_in):
    acct, cli = logged_in
    r = cli("workspace", "settings", acct.workspace_id, "--json")
    assert r.code == 0, r
    data = r.json()
    assert "default_language" in data and "theme" in data, data
    r = cli("--no-color", "workspace", "settings", acct.workspace_id)
    assert r.code == 0, r
    assert any(line.startswith("default_language: ") for line in r.out.splitlines()), r
    assert any(line.startswith("theme: ") for line in r.out.splitlines()), r


def test_workspace_delete_then_show_is_not_found(logged_in):
    acct, cli = logged_in
    doomed = cli("workspace", "create", "--name", "Doomed", "--json").json()["id"]

    # destructive: --json without --yes answers CONFIRMATION_REQUIRED without calling the server
    r = cli("--json", "workspace", "delete", doomed)
    assert r.code == 1 and _json_err(r, server=False)["code"] == "CONFIRMATION_REQUIRED", r
    assert cli("workspace", "show", doomed, "--json").code == 0

    r = cli("workspace", "delete", doomed, "--yes")
    assert r.code == 0, r
    assert r.out.strip() == f"Deleted workspace {doomed}."

    r = cli("workspace", "show", doomed)
    assert r.code == 1 and _err_code(r) == "NOT_FOUND", r
    r = cli("--json", "workspace", "show", doomed)
    assert r.code == 1 and _json_err(r)["code"] == "NOT_FOUND", r
    assert doomed not in {w["id"] for w in cli("workspace", "list", "--json").json()}
    # client-side idempotency: deleting again prints success
    r = cli("workspace", "delete", doomed, "--yes", "--json")
    assert r.code == 0 and r.json()["ok"] is True, r
    # the key's own workspace is untouched
    assert cli("workspace", "show", acct.workspace_id, "--json").code == 0


def test_another_users_workspace_is_not_found(logged_in, signup):
    _acct, cli = logged_in
    stranger = signup("stranger")
    for args in (("workspace", "show", stranger.workspace_id),
                 ("workspace", "settings", stranger.workspace_id),
                 ("workspace", "members", "list", stranger.workspace_id),
                 ("workspace", "update", stranger.workspace_id, "--name", "Hijack"),
                 ("workspace", "members", "invite", stranger.workspace_id, "--email", "x@example.com",
                  "--role", "viewer")):
        r = cli(*args)
        assert r.code == 1 and _err_code(r) == "NOT_FOUND", (args, r)
    r = cli("workspace", "delete", stranger.workspace_id, "--yes")
    assert r.code == 0  # the client prints success on a 404 delete ...
    # ... but nothing happened
    assert httpx.get(f"{stranger.server.url}/api/v1/workspaces/{stranger.workspace_id}",
                     headers={"Authorization": f"Bearer {stranger.key}"}).status_code == 200


# --------------------------------------------------------------------------------------------------
# members and invites


def _members(cli, ws_id) -> list[dict]:
    r = cli("workspace", "members", "list", ws_id, "--json")
    assert r.code == 0, r
    return r.json()


def test_members_list_table_and_json(logged_in):
    acct, cli = logged_in
    r = cli("--no-color", "workspace", "members", "list", acct.workspace_id)
    assert r.code == 0, r
    header, rows = _table(r.out)
    assert header == ["id", "email", "role", "status", "last_active_at"]
    assert len(rows) == 1 and rows[0][1:4] == [acct.email, "admin", "active"], rows
    data = _members(cli, acct.workspace_id)
    assert data[0]["email"] == acct.email and data[0]["role"] == "admin" and data[0]["status"] == "active"
    assert data[0]["user_id"]


def test_invite_flow_invite_role_accept_set_role_remove(logged_in, signup, cli_factory, live_server, conf_db):
    owner, cli = logged_in
    ws = owner.workspace_id
    invitee_email = f"invitee-{uuid.uuid4().hex[:10]}@example.com"

    # invite (email normalised to lowercase)
    r = cli("workspace", "members", "invite", ws, "--email", invitee_email.upper(), "--role", "editor")
    assert r.code == 0, r
    assert r.out.strip() == f"Invited {invitee_email}."
    rows = _members(cli, ws)
    pending = [m for m in rows if m["status"] == "invited"]
    assert len(pending) == 1 and pending[0]["email"] == invitee_email and pending[0]["role"] == "editor"
    assert pending[0]["user_id"] is None
    invite_id = pending[0]["id"]

    r = cli("--no-color", "workspace", "members", "list", ws)
    _h, table_rows = _table(r.out)
    assert [invite_id, invitee_email, "editor", "invited"] in [row[:4] for row in table_rows], r.out

    # a second invite to the same address: 409 INVITE_PENDING, printed as sent (checked below: the SDK
    # retries 409s with a back-off, so the next steps run meanwhile)
    dup = cli.start("workspace", "members", "invite", ws, "--email", invitee_email, "--role", "viewer")

    # invite-role changes the pending invite
    r = cli("workspace", "members", "invite-role", ws, invite_id, "--role", "admin")
    assert r.code == 0, r
    assert r.out.strip() == f"Updated invite {invite_id}."
    r = cli("workspace", "members", "invite-role", ws, invite_id, "--role", "viewer", "--json")
    assert r.code == 0, r
    data = r.json()
    assert data["id"] == invite_id and data["role"] == "viewer" and data["email"] == invitee_email
    assert [m["role"] for m in _members(cli, ws) if m["id"] == invite_id] == ["viewer"]

    r = dup.result()
    assert r.code == 1 and _err_code(r) == "INVITE_PENDING", r
    assert len([m for m in _members(cli, ws) if m["status"] == "invited"]) == 1

    # the invitation email carries the token, both as a CLI command and as a link
    token, body = outbox_token(conf_db, invitee_email)
    assert f"{live_server.url}/invites/{token}" in body

    # the invitee signs up (own workspace + key made in the UI) and accepts with the CLI
    invitee = signup("invitee", email=invitee_email)
    icli = cli_factory("invitee")
    assert icli("login", "--base-url", live_server.url, "--key", invitee.key).code == 0
    r = icli("workspace", "members", "accept", token)
    assert r.code == 0, r
    assert r.out.strip() == "Accepted invite."
    # idempotent for an existing member
    r = icli("workspace", "members", "accept", token, "--json")
    assert r.code == 0 and r.json()["ok"] is True, r

    rows = _members(cli, ws)
    assert not [m for m in rows if m["status"] == "invited"]
    joined = [m for m in rows if m["email"] == invitee_email]
    assert len(joined) == 1 and joined[0]["status"] == "active" and joined[0]["role"] == "viewer", rows
    member_id = joined[0]["id"]
    assert rows[0]["email"] == owner.email  # the caller comes first

    # the invitee now sees the workspace
    assert ws in {w["id"] for w in icli("workspace", "list", "--json").json()}
    r = icli("workspace", "show", ws, "--json")
    assert r.code == 0 and r.json()["id"] == ws, r
    # ... but as a viewer cannot manage members
    r = icli("workspace", "members", "invite", ws, "--email", "someone@example.com", "--role", "viewer")
    assert r.code == 1 and _err_code(r) == "FORBIDDEN", r
    r = icli("--json", "workspace", "members", "set-role", ws, member_id, "--role", "admin")
    assert r.code == 1 and _json_err(r)["code"] == "FORBIDDEN", r

    # set-role
    r = cli("workspace", "members", "set-role", ws, member_id, "--role", "editor")
    assert r.code == 0, r
    assert r.out.strip() == f"Updated role for member {member_id}."
    assert [m["role"] for m in _members(cli, ws) if m["id"] == member_id] == ["editor"]
    r = cli("workspace", "members", "set-role", ws, member_id, "--role", "editor", "--json")  # same role: no-op
    assert r.code == 0 and r.json() == {"ok": True, "id": member_id}, r
    # ... but an editor still is not an admin
    r = icli("workspace", "members", "invite", ws, "--email", "someone@example.com", "--role", "viewer")
    assert r.code == 1 and _err_code(r) == "FORBIDDEN", r

    # remove
    r = cli("workspace", "members", "remove", ws, member_id)  # not interactive: aborted without --yes
    assert r.code != 0
    assert member_id in {m["id"] for m in _members(cli, ws)}
    r = cli("workspace", "members", "remove", ws, member_id, "--yes")
    assert r.code == 0, r
    assert r.out.strip() == f"Removed member {member_id}."
    assert invitee_email not in {m["email"] for m in _members(cli, ws)}
    r = icli("workspace", "show", ws)
    assert r.code == 1 and _err_code(r) == "NOT_FOUND", r
    # removing again is an error for this command (no client-side idempotency)
    r = cli("workspace", "members", "remove", ws, member_id, "--yes")
    assert r.code == 1 and _err_code(r) == "NOT_FOUND", r


def test_revoke_invite_then_accept_is_gone(logged_in, signup, cli_factory, live_server, conf_db):
    owner, cli = logged_in
    ws = owner.workspace_id
    email = f"revokee-{uuid.uuid4().hex[:10]}@example.com"
    r = cli("workspace", "members", "invite", ws, "--email", email, "--role", "viewer", "--json")
    assert r.code == 0, r
    data = r.json()
    assert data["email"] == email and data["role"] == "viewer" and data["status"] == "pending"
    invite_id = data["id"]
    token, _ = outbox_token(conf_db, email)

    r = cli("--json", "workspace", "members", "revoke-invite", ws, invite_id)
    assert r.code == 1 and _json_err(r, server=False)["code"] == "CONFIRMATION_REQUIRED", r
    r = cli("workspace", "members", "revoke-invite", ws, invite_id, "--yes")
    assert r.code == 0, r
    assert r.out.strip() == f"Revoked invite {invite_id}."
    assert invite_id not in {m["id"] for m in _members(cli, ws)}

    # revoking again: 404 reported as an error
    r = cli("workspace", "members", "revoke-invite", ws, invite_id, "--yes")
    assert r.code == 1 and _err_code(r) == "NOT_FOUND", r
    # a revoked invite cannot change role (409; runs in the background while the SDK retries it)
    role_change = cli.start("workspace", "members", "invite-role", ws, invite_id, "--role", "admin")

    revokee = signup("revokee", email=email)
    rcli = cli_factory("revokee")
    assert rcli("login", "--base-url", live_server.url, "--key", revokee.key).code == 0
    r = rcli("workspace", "members", "accept", token)
    assert r.code == 1 and _err_code(r) == "INVITE_REVOKED", r
    assert ws not in {w["id"] for w in rcli("workspace", "list", "--json").json()}

    r = role_change.result()
    assert r.code == 1 and _err_code(r) == "INVITE_NOT_PENDING", r


def test_accept_with_wrong_email_or_unknown_token(logged_in, signup, cli_factory, live_server, conf_db):
    owner, cli = logged_in
    email = f"target-{uuid.uuid4().hex[:10]}@example.com"
    assert cli("workspace", "members", "invite", owner.workspace_id, "--email", email, "--role", "editor").code == 0
    token, _ = outbox_token(conf_db, email)
    other = signup("other")
    ocli = cli_factory("other")
    assert ocli("login", "--base-url", live_server.url, "--key", other.key).code == 0
    r = ocli("workspace", "members", "accept", token)
    assert r.code == 1 and _err_code(r) == "INVITE_EMAIL_MISMATCH", r
    r = ocli("workspace", "members", "accept", "not-a-real-token")
    assert r.code == 1 and _err_code(r) == "NOT_FOUND", r
    # the invite is still pending for its real addressee
    assert email in {m["email"] for m in _members(cli, owner.workspace_id) if m["status"] == "invited"}


def test_owner_cannot_be_demoted_or_removed(logged_in):
    acct, cli = logged_in
    me = _members(cli, acct.workspace_id)[0]
    assert me["email"] == acct.email
    r = cli("workspace", "members", "remove", acct.workspace_id, me["id"], "--yes")
    assert r.code == 1 and _err_code(r) == "OWNER_PROTECTED", r
    assert [m["role"] for m in _members(cli, acct.workspace_id)] == ["admin"]


def test_read_only_key_cannot_manage(signup, cli_factory, live_server):
    acct = signup("readonly", scopes="workspace:read")
    cli = cli_factory()
    r = cli("login", "--base-url", live_server.url, "--key", acct.key)
    assert r.code == 0 and "Scopes: workspace:read" in r.out, r
    assert cli("workspace", "show", acct.workspace_id, "--json").code == 0
    assert len(_members(cli, acct.workspace_id)) == 1
    r = cli("workspace", "members", "invite", acct.workspace_id, "--email", "x@example.com", "--role", "viewer")
    assert r.code == 1 and _err_code(r) == "FORBIDDEN", r
    r = cli("workspace", "create", "--name", "Nope")
    assert r.code == 1 and _err_code(r) == "FORBIDDEN", r
