"""The official onepin 0.16.1 SDK against a live server: the workspaces.* methods the CLI has no command for:
slug_available, get_workspace_plan_limits, get_workspace_subscription and create_workspace_org_checkout.

Billing is not part of a self-hosted server (docs/decisions.md): a workspace has no subscription (data null)
and checkout answers 400 BILLING_NOT_SUPPORTED, both after the usual membership check. Refusals reach the caller as ApiError with the
contract's status and error envelope."""
from __future__ import annotations

import uuid

import pytest

from tests.conformance.conftest import outbox_token
from tests.conformance.sdk_helpers import refused, sdk

pytestmark = pytest.mark.conformance


@pytest.fixture
def team(live_server, signup, conf_db):
    """(owner, owner client, member client bound to the owner's workspace, stranger client): the member
    joined as an editor through create_invite + accept_invite."""
    owner, member, stranger = signup("owner"), signup("member"), signup("stranger")
    c = sdk(live_server, owner.key)
    c.workspace_members.create_invite(owner.workspace_id, email=member.email, role="editor")
    token, _body = outbox_token(conf_db, member.email)
    joined = sdk(live_server, member.key).workspace_members.accept_invite(token).data
    assert joined["workspace_id"] == owner.workspace_id
    member_key = live_server.server_cli("create-api-key", "--email", member.email, "--workspace",
                                        owner.workspace_id, "--scopes", "all", "--name", "member")
    return owner, c, sdk(live_server, member_key), sdk(live_server, stranger.key), member


def test_slug_available_for_the_workspace_in_the_header(team):
    owner, c, member_c, stranger_c, _member = team
    ws = owner.workspace_id
    own_slug = c.workspaces.get_workspace(ws).data.slug
    other_slug = stranger_c.workspaces.list_workspaces().data[0].slug

    def check(slug):
        return c.workspaces.slug_available(slug=slug, workspace_id=ws).data

    assert check(own_slug).available is True                  # its own slug never reads as taken
    fresh = f"desk-{uuid.uuid4().hex[:8]}"
    got = check(f"  {fresh.upper()}  ")                          # stripped and lowered before the checks
    assert got.available is True and got.reason is None
    for slug, reason in ((other_slug, "taken"), ("admin", "reserved"), ("Bad Slug!", "invalid"),
                         ("-lead", "invalid"), ("x" * 51, "invalid")):
        res = check(slug)
        assert (res.available, res.reason) == (False, reason), slug

    # what it said is what an update does: the free slug is taken by this workspace, then by nobody else
    c.workspaces.update_workspace(ws, slug=fresh)
    assert check(fresh).available is True
    taken = stranger_c.workspaces.slug_available(slug=fresh, workspace_id=stranger_c.workspaces.list_workspaces()
                                                 .data[0].id).data
    assert (taken.available, taken.reason) == (False, "taken")

    # the header is required; admins only; a key's own workspace only (docs/decisions.md: 403 otherwise)
    refused(lambda: c.workspaces.slug_available(slug=fresh), 400, "BAD_REQUEST")
    refused(lambda: c.workspaces.slug_available(slug=fresh, workspace_id="not-a-workspace"), 400, "BAD_REQUEST")
    err = refused(lambda: member_c.workspaces.slug_available(slug=fresh, workspace_id=ws), 403, "FORBIDDEN")
    assert "admin" in err["message"].lower()
    refused(lambda: stranger_c.workspaces.slug_available(slug=fresh, workspace_id=ws), 403, "FORBIDDEN")


def test_workspace_plan_is_the_owners_plan(team, live_server):
    owner, c, member_c, stranger_c, member = team
    ws = owner.workspace_id
    assert c.workspaces.get_workspace_plan_limits(ws).data.model_dump() == c.users.get_my_plan_limits().data.model_dump()
    assert c.workspaces.get_workspace_plan_limits(ws).data.monthly_credits == 10_000

    # the owner moves to Pro: every member reads Pro for this workspace, while their own plan stays Free
    live_server.server_cli("set-plan", "--email", owner.email, "--plan", "pro")
    for client in (c, member_c):
        plan = client.workspaces.get_workspace_plan_limits(ws).data
        assert (plan.monthly_credits, plan.concurrent_runs_per_user) == (200_000, 5)
    assert member_c.users.get_my_plan_limits().data.monthly_credits == 10_000
    own_ws = sdk(live_server, member.key).workspaces.list_workspaces().data
    member_own = next(w.id for w in own_ws if w.id != ws)
    assert sdk(live_server, member.key).workspaces.get_workspace_plan_limits(member_own).data.monthly_credits == 10_000

    refused(lambda: stranger_c.workspaces.get_workspace_plan_limits(ws), 404, "NOT_FOUND")
    narrow = sdk(live_server, owner.mint_key("workflows:read", name="narrow"))
    refused(lambda: narrow.workspaces.get_workspace_plan_limits(ws), 403, "FORBIDDEN")


def test_subscription_and_checkout_are_not_offered(team, live_server):
    owner, c, member_c, stranger_c, _member = team
    ws = owner.workspace_id
    for client in (c, member_c):       # no subscription: the SDK's documented null, which it reads as None
        assert client.workspaces.get_workspace_subscription(ws).data is None
    refused(lambda: c.workspaces.create_workspace_org_checkout(ws, plan_price_id="price_pro",
                                                               return_url="https://example.com/back"),
            400, "BILLING_NOT_SUPPORTED")

    # membership (and, for checkout, a management key) is checked first
    refused(lambda: stranger_c.workspaces.get_workspace_subscription(ws), 404, "NOT_FOUND")
    refused(lambda: stranger_c.workspaces.create_workspace_org_checkout(ws, plan_price_id="price_pro",
                                                                        return_url="https://example.com/back"),
            404, "NOT_FOUND")
    reader = sdk(live_server, owner.mint_key("workspace:read", name="reader"))
    refused(lambda: reader.workspaces.create_workspace_org_checkout(ws, plan_price_id="price_pro",
                                                                    return_url="https://example.com/back"),
            403, "FORBIDDEN")
