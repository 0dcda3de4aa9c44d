"""The browser side's rules, for the route-walking tests (test_csrf_everywhere, test_web_isolation,
test_viewer_everywhere), in the manner of tests/api/test_access.py.

WRITES lists every state-changing rule outside the JSON API with a request that an admin of workspace A
(or, for accepting an invitation, its invitee) gets through, so that only the thing under test (a missing CSRF token, another workspace, a viewer's role)
can refuse it. `web_rules(app)` reads app.url_map; each test first checks that its table names every rule
there, so a route added without a decision fails the suite.

`make_world` builds workspace A (owner, editor, viewer, pending invite, API key, workflow with two
versions, a run with audio and a failed line, a pending upload with its bytes, provider keys) and
workspace B (its owner, a workflow of its own, and an invite to A's viewer).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import ApiKey, Take, Template, Voice
from app.services import api_keys, members, provider_credentials
from app.services import templates as tpl_svc
from app.services import uploads as up_svc
from app.services import workflows as wf_svc
from app.services.playback import audio_id
from app.storage import get_store
from tests.factories import add_member, make_user, make_workspace, membership
from tests.web.run_page_data import built_run, naturalness_definition

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PARAM_RE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
DEFINITION = naturalness_definition("One.\nTwo.")


def web_rules(app) -> set[tuple[str, str]]:
    """(method, rule) for every rule outside the JSON API and the static files."""
    out = set()
    for r in app.url_map.iter_rules():
        if r.rule.startswith("/api/") or r.endpoint == "static":
            continue
        out |= {(m, r.rule) for m in r.methods - {"HEAD", "OPTIONS"}}
    return out


def unsafe_rules(app) -> set[tuple[str, str]]:
    return {(m, r) for m, r in web_rules(app) if m in UNSAFE}


@dataclass(frozen=True)
class Call:
    """One request: form fields or a JSON body, path parameters that differ from World.params (e.g. a TTS
    provider where the rule only takes TTS), each a function of the World; and who sends it when it is
    not A's owner."""
    form: Callable | None = None
    json: Callable | None = None
    params: Callable = lambda w: {}
    by: str = "owner"

    def path(self, rule: str, w: "World") -> str:
        return fill(rule, {**w.params(), **self.params(w)})


def _defn(w) -> str:
    return json.dumps(DEFINITION)


# Every state-changing browser rule, with a body an admin of A gets through.
WRITES: dict[tuple[str, str], Call] = {
    ("POST", "/auth/token"): Call(),
    ("POST", "/login"): Call(form=lambda w: {"email": "owner@example.com", "password": "correct horse battery"}),
    ("POST", "/signup"): Call(form=lambda w: {"email": "new-person@example.com", "password": "another good password",
                                              "display_name": "New Person"}),
    ("POST", "/logout"): Call(),
    # the invitee accepts: B's invitation to A's viewer
    ("POST", "/invites/<token>"): Call(params=lambda w: {"token": w.viewer_invite_token}, by="viewer"),
    ("POST", "/workspaces/new"): Call(form=lambda w: {"name": "Third space", "slug": "third-space"}),
    ("POST", "/workspaces/switch"): Call(form=lambda w: {"workspace_id": w.a.id}),
    ("POST", "/settings/workspace"): Call(form=lambda w: {"name": "Renamed", "slug": "renamed"}),
    ("POST", "/settings/workspace/defaults"): Call(form=lambda w: {"theme": "dark", "default_language": "en-us"}),
    ("POST", "/settings/profile/password"): Call(form=lambda w: {
        "current_password": "correct horse battery", "new_password": "a brand new password",
        "confirm_password": "a brand new password"}),
    ("POST", "/settings/profile/notifications"): Call(form=lambda w: {"failed_generation_email": "false"}),
    ("POST", "/settings/api-keys"): Call(form=lambda w: {"name": "CI", "scopes": "workflows:read"}),
    ("POST", "/settings/api-keys/<key_id>/revoke"): Call(),
    ("POST", "/settings/members/invite"): Call(form=lambda w: {"email": "fresh@example.com", "role": "viewer"}),
    ("POST", "/settings/members/<member_id>/role"): Call(form=lambda w: {"role": "viewer"}),
    ("POST", "/settings/members/<member_id>/remove"): Call(),
    ("POST", "/settings/invites/<invite_id>/revoke"): Call(),
    ("POST", "/settings/invites/<invite_id>/role"): Call(form=lambda w: {"role": "admin"}),
    ("POST", "/settings/provider-keys/<kind>/<provider>"): Call(form=lambda w: {"secret": "dk-replaced-0000"}),
    ("POST", "/settings/provider-keys/<kind>/<provider>/remove"): Call(),
    ("POST", "/settings/provider-keys/tts/<provider>/voices"): Call(params=lambda w: {"provider": "openai"}),
    ("POST", "/workflows/new"): Call(form=lambda w: {"name": "Fresh"}),
    ("POST", "/workflows/from-template"): Call(form=lambda w: {"template_id": w.template_id}),
    ("POST", "/workflows/<workflow_id>/duplicate"): Call(),
    ("POST", "/workflows/<workflow_id>/rename"): Call(form=lambda w: {"new_name": "Renamed workflow"}),
    ("POST", "/workflows/<workflow_id>/delete"): Call(),
    ("POST", "/workflows/<workflow_id>/editor/save"): Call(json=lambda w: {
        "name": "Saved name", "definition": DEFINITION, "base_version": 2}),
    ("POST", "/workflows/<workflow_id>/editor/layout"): Call(json=lambda w: {"definition": DEFINITION}),
    ("POST", "/workflows/<workflow_id>/editor/import"): Call(json=lambda w: {"text": "{}"}),
    ("POST", "/workflows/<workflow_id>/editor/panel"): Call(form=lambda w: {"definition": _defn(w), "node_id": "nat"}),
    ("POST", "/workflows/<workflow_id>/editor/config"): Call(form=lambda w: {
        "node_type": "validator_naturalness", "node_id": "nat", "config": "{}"}),
    ("POST", "/workflows/<workflow_id>/editor/voices/choose"): Call(form=lambda w: {
        "locale": "en-us", "voice_id": w.voice_id, "node_id": "gen"}),
    ("POST", "/workflows/<workflow_id>/editor/uploads"): Call(json=lambda w: {"filename": "lines.txt"}),
    ("POST", "/workflows/<workflow_id>/editor/uploads/<upload_id>/confirm"): Call(),
    ("POST", "/workflows/<workflow_id>/editor/versions/<int:number>/restore"): Call(),
    ("POST", "/workflows/<workflow_id>/editor/estimate"): Call(form=lambda w: {"definition": _defn(w)}),
    ("POST", "/workflows/<workflow_id>/run/preview"): Call(form=lambda w: {"use_script": "false"}),
    ("POST", "/workflows/<workflow_id>/run"): Call(form=lambda w: {"use_script": "false"}),
    ("POST", "/runs/<run_id>/pause"): Call(),
    ("POST", "/runs/<run_id>/resume"): Call(),
    ("POST", "/runs/<run_id>/cancel"): Call(),
    ("POST", "/runs/<run_id>/retry-failed"): Call(),
    ("POST", "/runs/<run_id>/run-again"): Call(),
    ("PUT", "/_storage/put/<token>"): Call(),
}


@dataclass
class World:
    a: object
    owner: object
    editor: object
    viewer: object
    invite: object
    invite_token: str
    key: ApiKey
    wf: object
    run: object
    audio: str
    upload: object
    template_id: str
    voice_id: str
    b: object
    b_user: object
    b_wf: object
    viewer_invite_token: str


    def params(self) -> dict:
        """A's objects, by the names the rules give their path parameters."""
        return {"workflow_id": self.wf.id, "run_id": self.run.id, "upload_id": self.upload.id,
                "key_id": self.key.id, "member_id": membership(self.a, self.editor).id,
                "invite_id": self.invite.id, "token": self.invite_token, "number": 1, "line_index": 0,
                "locale": "en-us", "audio": self.audio, "node_id": "out", "kind": "mt", "provider": "deepl"}


def fill(rule: str, values: dict) -> str:
    return PARAM_RE.sub(lambda m: str(values[m.group(1)]), rule)


def path_params(rule: str) -> set[str]:
    return set(PARAM_RE.findall(rule))


def send(client, method: str, path: str, call: Call, w: World, *, csrf: str | None = None, htmx: bool = False):
    """The request as the browser sends it: a form post carries csrf_token; HTMX and the editor's fetch()
    carry X-CSRFToken (layout.html's hx-headers, static/js/editor/server.js). csrf=None sends neither."""
    headers = {"HX-Request": "true"} if htmx else {}
    if call.json is not None:
        if csrf:
            headers["X-CSRFToken"] = csrf
        return client.open(path, method=method, json=call.json(w), headers=headers)
    data = dict(call.form(w)) if call.form else {}
    if csrf and htmx:
        headers["X-CSRFToken"] = csrf
    elif csrf:
        data["csrf_token"] = csrf
    return client.open(path, method=method, data=data, headers=headers)


def is_csrf_refusal(resp) -> bool:
    """The app's CSRF answer (app/web/errors.py): 400 with the "Form expired" page or partial."""
    return resp.status_code == 400 and "security token is missing or expired" in resp.get_data(as_text=True)


def make_world(owner, workspace) -> World:
    from tests.api.conftest import make_invite
    a, m = workspace, membership(workspace, owner)
    editor = add_member(a, make_user(email="editor@example.com"), "editor")
    viewer = add_member(a, make_user(email="viewer@example.com"), "viewer")
    invite, token = make_invite(a, owner, "invitee@example.com", role="editor")
    key, _plaintext = api_keys.create(a, m, owner, {"name": "A's key", "scopes": "all"})
    wf = wf_svc.create(a, m, owner, {"name": "A's workflow", "definition": DEFINITION})
    wf_svc.patch(wf, m, owner, {"name": "A's workflow, v2"})          # version 2: version 1 can be restored
    db.session.commit()
    run = built_run(wf, owner, lines=["One.", "Two."], outcomes={(1, "en-us"): "failed"})
    take = db.session.scalar(select(Take).where(Take.run_id == run.id, Take.audio_key.is_not(None)).limit(1))
    with current_app.test_request_context():
        upload, _url = up_svc.create(a, m, owner, {"filename": "lines.txt", "category": "script"})
    get_store().put_bytes(upload.storage_key, b"First line.\nSecond line.\n", upload.content_type or "text/plain")
    provider_credentials.save(a.id, "mt", "deepl", secret="dk-a-secret-1111", user_id=owner.id)
    # a port nobody listens on: re-importing voices fails at once, without leaving the machine
    provider_credentials.save(a.id, "tts", "openai", secret="sk-a-secret-2222", base_url="http://127.0.0.1:9/v1",
                              user_id=owner.id)
    db.session.commit()
    tpl_svc.ensure_starters_lazily()
    template_id = db.session.scalar(select(Template.id).where(Template.is_starter.is_(True)).limit(1))
    voice = Voice(provider="espeak", provider_voice_id="en-us", name="eSpeak English", supported_languages=["en-us"],
                  model_capabilities=[{"model": "espeak-ng", "languages_known": True, "supported_languages": ["en-us"]}])
    db.session.add(voice)
    b_user = make_user(email="b@example.com")
    b = make_workspace(b_user, name="B space", slug="b-space")
    b_wf = wf_svc.create(b, membership(b, b_user), b_user, {"name": "B's workflow", "definition": DEFINITION})
    db.session.commit()
    _inv, viewer_invite_token = make_invite(b, b_user, "viewer@example.com", role="viewer")   # B invites A's viewer
    return World(a=a, owner=owner, editor=editor, viewer=viewer, invite=invite, invite_token=token, key=key,
                 wf=wf, run=run, audio=audio_id(take), upload=upload, template_id=template_id, voice_id=voice.id, b=b,
                 b_user=b_user, b_wf=b_wf, viewer_invite_token=viewer_invite_token)
