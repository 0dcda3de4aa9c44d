"""Tenant isolation on the browser side: another workspace's object is a 404. Every web rule with an object
id in its path is asked for workspace A's object by the owner of workspace B (GET, and each state-changing
method with B's valid CSRF token, as a plain request and as HTMX); each answer is 404 and nothing changes.
A's owner gets through with the same paths, so the 404 is the workspace's and not a wrong path. Rules with
path parameters that name no object are listed with the reason; a new parameter name fails the suite
until it is decided here. Ids sent in a form or in a definition, rather than in the path, are checked
for the routes that take them."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Invite, ProviderCredential, Template, Voice
from app.services import templates as tpl_svc
from app.services import uploads as up_svc
from tests.api.conftest import dump
from tests.factories import membership
from tests.web.route_walk import DEFINITION, WRITES, Call, fill, make_world, path_params, send, web_rules

# Path parameters that name an object of a workspace: the walk fills them with A's objects.
OBJECT_PARAMS = {"workflow_id", "run_id", "upload_id", "key_id", "member_id", "invite_id"}
# Parts of an object named by one of the above in the same rule (a version number, a line, a node ...).
PART_PARAMS = {"number", "line_index", "locale", "audio", "node_id"}
# Rules whose parameters name no workspace object, with the reason.
NO_OBJECT = {
    "/invites/<token>": "the emailed token is the credential: whoever holds it sees the invitation; accepting "
                        "one addressed to someone else is 403 (test_b_cannot_accept_an_invite_of_a)",
    "/settings/provider-keys/<kind>/<provider>": "provider names, not ids: every provider-key route acts on the "
                                                 "caller's current workspace (test_provider_key_routes_stay_home)",
    "/settings/provider-keys/<kind>/<provider>/remove": "as above",
    "/settings/provider-keys/tts/<provider>/voices": "as above",
    "/_storage/get/<token>": "LocalStore's signed URL: the signature is the credential, no session is read",
    "/_storage/put/<token>": "as above",
    "/_waveforms/<token>": "a run-data card's signed waveform link, bound to one take and its workspace "
                           "(test_waveform_links_refuse_forged_expired_and_other_links)",
}
# GET rules with an object id, with the query a real page sends.
READS = {
    "/runs/<run_id>": "", "/runs/<run_id>/head": "", "/runs/<run_id>/graph": "", "/runs/<run_id>/lines": "",
    "/runs/<run_id>/cards/<int:line_index>/<locale>": "", "/runs/<run_id>/audio/<audio>": "",
    "/runs/<run_id>/events": "", "/runs/<run_id>/download": "", "/runs/<run_id>/download/<node_id>": "",
    "/runs/<run_id>/row": "",
    "/workflows/<workflow_id>/edit": "", "/workflows/<workflow_id>/export": "",
    "/workflows/<workflow_id>/runs": "", "/workflows/<workflow_id>/editor/versions": "",
    "/workflows/<workflow_id>/editor/latest": "",
    "/workflows/<workflow_id>/editor/voices": "?locale=en-us&node_id=gen",
}
CASES = sorted([("GET", r) for r in READS] +
               [(m, r) for m, r in WRITES if path_params(r) & OBJECT_PARAMS])


@pytest.fixture
def world(owner, workspace):
    return make_world(owner, workspace)


def test_every_rule_with_a_path_parameter_is_decided(app):
    for method, rule in web_rules(app):
        params = path_params(rule)
        if not params:
            continue
        unknown = params - OBJECT_PARAMS - PART_PARAMS - {"token", "kind", "provider"}
        assert not unknown, f"{method} {rule}: decide what {unknown} names (OBJECT_PARAMS or PART_PARAMS)"
        if params & OBJECT_PARAMS:
            assert (method, rule) in CASES, f"add {method} {rule} to READS (or route_walk.WRITES)"
        else:
            assert rule in NO_OBJECT, f"{method} {rule}: list it in NO_OBJECT with the reason"


def _paths(w, rule) -> list[str]:
    """A's object by A's path; an upload of A also through B's own workflow."""
    a = w.params()
    paths = [fill(rule, a)]
    if "upload_id" in path_params(rule) and "workflow_id" in path_params(rule):
        paths.append(fill(rule, {**a, "workflow_id": w.b_wf.id}))
    return paths


def _request(web, w, method, rule, path, *, htmx=False):
    if method == "GET":
        resp = web.client.get(path + READS[rule], headers={"HX-Request": "true"} if htmx else {})
        resp.close()          # the event stream is not read
        return resp
    return send(web.client, method, path, WRITES[(method, rule)], w, csrf=web.csrf, htmx=htmx)


def _present(app, method, rule):
    assert (method, rule) in web_rules(app), f"{method} {rule} is listed here but the app has no such rule"


@pytest.mark.parametrize("method,rule", CASES)
def test_b_gets_404_for_a_object(app, world, login_as, method, rule):
    _present(app, method, rule)
    b = login_as(world.b_user)
    before = dump()
    for path in _paths(world, rule):
        for htmx in (False, True):
            resp = _request(b, world, method, rule, path, htmx=htmx)
            assert resp.status_code == 404, (path, htmx, resp.status_code, resp.get_data(as_text=True)[:300])
    assert dump() == before
    # A's owner reaches the same object by the same path
    a = login_as(world.owner)
    resp = _request(a, world, method, rule, _paths(world, rule)[0])
    assert resp.status_code < 400 or resp.status_code == 409, (resp.status_code, resp.get_data(as_text=True)[:300])


@pytest.mark.parametrize("method,rule", CASES)
def test_odd_ids_are_404_not_500(app, world, login_as, method, rule):
    """A's owner with an id that cannot exist (too long for the column, a NUL byte): 404, not a server error."""
    _present(app, method, rule)
    web = login_as(world.owner)
    for param in sorted(path_params(rule) & OBJECT_PARAMS):
        for bad in ("x" * 40, "%00", "a%00b"):
            path = fill(rule, {**world.params(), param: bad})
            resp = _request(web, world, method, rule, path)
            assert resp.status_code == 404, (param, bad, resp.status_code)


# ---------------------------------------------------------------- rules without object ids in the path


def test_b_cannot_accept_an_invite_of_a(world, login_as):
    b = login_as(world.b_user)
    resp = send(b.client, "POST", f"/invites/{world.invite_token}", Call(), world, csrf=b.csrf)
    assert resp.status_code == 403
    db.session.rollback()
    assert db.session.get(Invite, world.invite.id).status == "pending"
    assert membership(world.a, world.b_user) is None


def _a_keys(w) -> list[tuple]:
    db.session.rollback()
    return sorted((c.kind, c.provider, c.secret_encrypted, c.base_url) for c in db.session.scalars(
        select(ProviderCredential).where(ProviderCredential.workspace_id == w.a.id)))


def test_provider_key_routes_stay_home(world, login_as):
    """B's admin saving, re-importing and removing the providers A has keys for changes B only."""
    before = _a_keys(world)
    assert len(before) == 2
    b = login_as(world.b_user)
    for kind, provider in (("mt", "deepl"), ("tts", "openai")):
        base = f"/settings/provider-keys/{kind}/{provider}"
        send(b.client, "POST", base + "/remove", Call(), world, csrf=b.csrf)                  # B has none: 404
        assert send(b.client, "POST", base, Call(form=lambda w: {"secret": "b-own-key-9999"}), world,
                    csrf=b.csrf).status_code == 302
        send(b.client, "POST", "/settings/provider-keys/tts/openai/voices", Call(), world, csrf=b.csrf)
        assert send(b.client, "POST", base + "/remove", Call(), world, csrf=b.csrf).status_code == 302
    assert _a_keys(world) == before


# ---------------------------------------------------------------- ids in forms and definitions


def test_b_cannot_switch_to_a(world, login_as):
    b = login_as(world.b_user)
    resp = send(b.client, "POST", "/workspaces/switch", Call(form=lambda w: {"workspace_id": w.a.id}), world,
                csrf=b.csrf)
    assert resp.status_code == 404
    db.session.rollback()
    assert world.b_user.current_workspace_id != world.a.id


def test_b_cannot_clone_a_private_template_or_choose_a_voice_of_a(world, login_as):
    m = membership(world.a, world.owner)
    private = tpl_svc.create(world.a, m, world.owner, {"name": "A's secret template", "definition": DEFINITION})
    voice = Voice(workspace_id=world.a.id, source="cloned", provider="espeak", provider_voice_id="en-us",
                  name="A's own voice", supported_languages=["en-us"])
    db.session.add(voice)
    db.session.commit()
    private_id, voice_id = private.id, voice.id
    b = login_as(world.b_user)
    before = dump()
    resp = send(b.client, "POST", "/workflows/from-template", Call(form=lambda w: {"template_id": private_id}),
                world, csrf=b.csrf)
    assert resp.status_code == 404
    resp = send(b.client, "POST", f"/workflows/{world.b_wf.id}/editor/voices/choose",
                Call(form=lambda w: {"locale": "en-us", "voice_id": voice_id, "node_id": "gen"}), world, csrf=b.csrf)
    assert resp.status_code == 404 and "A's own voice" not in resp.get_data(as_text=True)
    assert dump() == before
    assert db.session.get(Template, private_id).deleted_at is None


def test_b_cannot_read_a_upload_through_a_definition(world, login_as):
    """A source node naming A's (confirmed) upload, sent on B's own workflow: no line of it comes back."""
    m = membership(world.a, world.owner)
    up_svc.confirm(world.a, m, world.owner, world.upload.id, {"context_type": "workflow", "context_id": world.wf.id})
    db.session.commit()
    defn = json.loads(json.dumps(DEFINITION))
    src = defn["graph"]["nodes"][0]
    src["config"] = {"upload_id": world.upload.id}
    b = login_as(world.b_user)
    base = f"/workflows/{world.b_wf.id}"
    answers = [
        send(b.client, "POST", base + "/editor/panel", Call(form=lambda w: {"definition": json.dumps(defn),
                                                                            "node_id": "src"}), world, csrf=b.csrf),
        send(b.client, "POST", base + "/editor/config", Call(form=lambda w: {
            "node_type": "source_script", "node_id": "src", "config": json.dumps(src["config"])}), world, csrf=b.csrf),
        send(b.client, "POST", base + "/editor/estimate", Call(form=lambda w: {"definition": json.dumps(defn)}),
             world, csrf=b.csrf),
    ]
    for resp in answers:
        html = resp.get_data(as_text=True)
        assert resp.status_code < 500 and "First line." not in html and "lines.txt" not in html, html[:300]
    # ... while A's owner sees the lines on A's workflow
    a = login_as(world.owner)
    resp = send(a.client, "POST", f"/workflows/{world.wf.id}/editor/panel",
                Call(form=lambda w: {"definition": json.dumps(defn), "node_id": "src"}), world, csrf=a.csrf)
    assert "First line." in resp.get_data(as_text=True)

