"""New workspace, switching, settings (admins only) and the live slug check."""
from __future__ import annotations

from app.extensions import db
from app.models import User, Workspace, WorkspaceSettings


def _ws(ws_id) -> Workspace:
    db.session.expire_all()
    return db.session.get(Workspace, ws_id)


def test_create_workspace_switches_to_it(admin_web, owner):
    resp = admin_web.post("/workspaces/new", {"name": "Podcast studio", "slug": "podcast", "color_idx": "3"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/home")
    ws = db.session.scalar(db.select(Workspace).filter_by(slug="podcast"))
    assert ws.name == "Podcast studio" and ws.color_idx == 3 and ws.owner_id == owner.id
    db.session.expire_all()
    assert db.session.get(User, owner.id).current_workspace_id == ws.id
    home = admin_web.text("/home")
    assert "<h1>" in home and "Podcast studio" in home.split("<h1>")[1].split("</h1>")[0]


def test_create_workspace_shows_field_errors(admin_web):
    before = db.session.scalar(db.select(db.func.count()).select_from(Workspace))
    resp = admin_web.post("/workspaces/new", {"name": "", "slug": "Bad Slug!"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="name-error"' in html and "Name is required" in html
    assert 'id="slug-error"' in html and "kebab-case" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Workspace)) == before


def test_create_workspace_plan_limit_is_readable(admin_web):
    for n in range(2):  # the free plan allows 3 owned workspaces
        assert admin_web.post("/workspaces/new", {"name": f"Extra {n}"}).status_code == 302
    resp = admin_web.post("/workspaces/new", {"name": "One too many"})
    assert resp.status_code == 402
    assert "plan allows 3 workspaces" in resp.get_data(as_text=True)


def test_switch_workspace(admin_web, owner, workspace):
    from tests.factories import make_workspace
    other = make_workspace(owner, name="Zeta")
    resp = admin_web.post("/workspaces/switch", {"workspace_id": other.id})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, owner.id).current_workspace_id == other.id
    assert admin_web.post("/workspaces/switch", {"workspace_id": "nope"}).status_code == 404


def test_cannot_switch_to_a_foreign_workspace(admin_web, owner):
    from tests.factories import make_workspace
    foreign = make_workspace(name="Not mine")
    assert admin_web.post("/workspaces/switch", {"workspace_id": foreign.id}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, owner.id).current_workspace_id != foreign.id


def test_admin_updates_settings(admin_web, workspace):
    resp = admin_web.post("/settings/workspace", {
        "name": "Acme Sound", "slug": "acme-sound", "color_idx": "5",
        "routing_price_sensitivity": "0.8", "routing_llm_fit": ["false", "true"]}, htmx=True)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card" id="ws-general">') and "Workspace settings saved." in html
    ws = _ws(workspace.id)
    assert (ws.name, ws.slug, ws.color_idx, ws.routing_price_sensitivity, ws.routing_llm_fit) == \
        ("Acme Sound", "acme-sound", 5, 0.8, True)
    # unchecking sends only the hidden "false"
    admin_web.post("/settings/workspace", {"name": "Acme Sound", "routing_llm_fit": "false"})
    assert _ws(workspace.id).routing_llm_fit is False


def test_settings_validation_and_conflict_are_inline(admin_web, workspace):
    from tests.factories import make_workspace
    make_workspace(name="Other", slug="taken-slug")
    resp = admin_web.post("/settings/workspace", {"name": "X", "slug": "taken-slug"}, htmx=True)
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert 'id="slug-error"' in html and "Slug is already taken" in html
    resp = admin_web.post("/settings/workspace", {"name": "X", "routing_price_sensitivity": "3"})
    assert resp.status_code == 422
    assert "Price sensitivity must be at most 1.0" in resp.get_data(as_text=True)
    ws = _ws(workspace.id)
    assert (ws.name, ws.slug, ws.routing_price_sensitivity) == ("Acme Audio", "acme-audio", 0.5)


def test_non_admins_cannot_update_settings(login_as, workspace, editor, viewer):
    for user in (editor, viewer):
        web = login_as(user)
        resp = web.post("/settings/workspace", {"name": "Hijacked", "slug": "hijacked"})
        assert resp.status_code == 404
        assert web.post("/settings/workspace/defaults", {"theme": "dark"}).status_code == 403
    ws = _ws(workspace.id)
    assert ws.name == "Acme Audio" and ws.slug == "acme-audio"
    s = db.session.get(WorkspaceSettings, workspace.id)
    assert s is None or s.theme != "dark"


def test_defaults(admin_web, workspace):
    resp = admin_web.post("/settings/workspace/defaults", {"default_language": "de-de", "theme": "dark"}, htmx=True)
    assert resp.status_code == 200 and "Defaults saved." in resp.get_data(as_text=True)
    db.session.expire_all()
    s = db.session.get(WorkspaceSettings, workspace.id)
    assert (s.default_language, s.theme) == ("de-de", "dark")
    resp = admin_web.post("/settings/workspace/defaults", {"theme": "neon"})
    assert resp.status_code == 422 and "Theme must be one of" in resp.get_data(as_text=True)


def test_slug_check(admin_web, workspace):
    from tests.factories import make_workspace
    make_workspace(name="Other", slug="other-team")

    def state(slug, **extra):
        resp = admin_web.get("/settings/workspace/slug-check", query_string={"slug": slug, **extra},
                             headers={"HX-Request": "true"})
        assert resp.status_code == 200
        return resp.get_data(as_text=True).split('data-state="')[1].split('"')[0]

    assert state("brand-new") == "available"
    assert state("acme-audio") == "available"  # its own slug
    assert state("acme-audio", new="1") == "taken"
    assert state("other-team") == "taken"
    assert state("Other-Team") == "taken"  # normalized
    assert state("settings") == "reserved"
    assert state("no spaces") == "invalid"
