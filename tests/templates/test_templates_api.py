"""templates.* and users.list_my_templates: visibility, writes, publish, clone, favourites, lists."""
from sqlalchemy import select

from app.extensions import db
from app.models import ActivityEvent, Template
from tests.conftest import assert_envelope, assert_error
from tests.api.conftest import jwt_for
from tests.factories import add_member, make_key
from tests.templates.helpers import create, defn, gallery, text_of


def test_create_get_update_delete(owner_api, owner):
    t = create(owner_api, "Promo", description="Ad read", category="business")
    assert len(t["id"]) == 8 and t["id"].isalnum()
    assert t["is_public"] is False and t["is_starter"] is False and t["is_favorite"] is False
    assert t["uses_count"] == 0 and t["created_by"] == owner.id and t["category"] == "business"
    assert "workspace_id" not in t
    got = assert_envelope(owner_api.get(f"/api/v1/templates/{t['id']}"))["data"]
    assert got["definition"] == t["definition"]
    up = assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={
        "name": "Promo 2", "description": None, "category": "media", "definition": defn("Changed.")}))["data"]
    assert up["name"] == "Promo 2" and up["description"] is None and up["category"] == "media"
    assert text_of(up) == "Changed."
    assert_error(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"definition": None}), 422, "VALIDATION_ERROR")
    assert_error(owner_api.patch(f"/api/v1/templates/{t['id']}", json={}), 422, "VALIDATION_ERROR")
    assert_error(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"category": "sports"}), 422, "VALIDATION_ERROR")
    assert_error(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"name": "  "}), 422, "VALIDATION_ERROR")
    res = assert_envelope(owner_api.delete(f"/api/v1/templates/{t['id']}"))["data"]
    assert res == {"id": t["id"], "deleted": True}
    assert_error(owner_api.get(f"/api/v1/templates/{t['id']}"), 404, "NOT_FOUND")
    assert_error(owner_api.delete(f"/api/v1/templates/{t['id']}"), 404, "NOT_FOUND")
    assert db.session.get(Template, t["id"]).deleted_at is not None      # soft


def test_create_validates_the_definition(owner_api):
    bad = defn()
    bad["graph"]["edges"].append(dict(bad["graph"]["edges"][0]))       # duplicate edge id
    err = assert_error(owner_api.post("/api/v1/templates", json={"name": "Bad", "definition": bad}), 422, "VALIDATION_ERROR")
    assert any("edges" in (d.get("field") or "") for d in err["error"]["details"])
    assert_error(owner_api.post("/api/v1/templates", json={"definition": defn()}), 422, "VALIDATION_ERROR")
    empty = assert_envelope(owner_api.post("/api/v1/templates", json={"name": "Empty"}), 201)["data"]
    assert empty["definition"]["graph"] == {"nodes": [], "edges": []}


def test_roles_and_scopes(api, owner_api, workspace):
    t = create(owner_api)
    viewer = add_member(workspace, role="viewer")
    v = api.as_(jwt_for(viewer), workspace.id)          # a browser session: every scope, viewer role
    assert_envelope(v.get(f"/api/v1/templates/{t['id']}"))
    assert_error(v.post("/api/v1/templates", json={"name": "x"}), 403, "FORBIDDEN")
    assert_error(v.patch(f"/api/v1/templates/{t['id']}", json={"name": "x"}), 403, "FORBIDDEN")
    assert_error(v.delete(f"/api/v1/templates/{t['id']}"), 403, "FORBIDDEN")
    assert_error(v.post(f"/api/v1/templates/{t['id']}/clone"), 403, "FORBIDDEN")
    editor = add_member(workspace, role="editor")
    reader = api.as_(make_key(workspace, editor, "templates:read"))
    assert_envelope(reader.get("/api/v1/templates"))
    assert_envelope(reader.get(f"/api/v1/templates/{t['id']}/estimate"))
    assert_envelope(reader.post(f"/api/v1/templates/{t['id']}/favorite"))
    assert_error(reader.post("/api/v1/templates", json={"name": "x"}), 403, "FORBIDDEN")          # workflows:write
    assert_error(reader.post(f"/api/v1/templates/{t['id']}/clone"), 403, "FORBIDDEN")
    no_tpl = api.as_(make_key(workspace, editor, "workflows:read"))
    assert_error(no_tpl.get("/api/v1/templates"), 403, "FORBIDDEN")
    assert_error(api.get("/api/v1/templates"), 401)
    # a browser session without X-Workspace-Id: gallery, favourites, and its own drafts
    session = api.as_(jwt_for(editor))
    assert_envelope(session.get("/api/v1/templates"))
    assert assert_envelope(session.get(f"/api/v1/templates/{t['id']}"))["data"]["id"] == t["id"]
    assert_envelope(session.post(f"/api/v1/templates/{t['id']}/favorite"))
    assert_envelope(session.delete(f"/api/v1/templates/{t['id']}/favorite"))


def test_visibility_publish_and_foreign_writes(owner_api, other):
    _ws, _u, other_api = other
    t = create(owner_api, "Secret", definition=defn("Draft one."))
    assert_error(other_api.get(f"/api/v1/templates/{t['id']}"), 404, "NOT_FOUND")
    assert_error(other_api.patch(f"/api/v1/templates/{t['id']}", json={"name": "x"}), 404, "NOT_FOUND")
    assert_error(other_api.post(f"/api/v1/templates/{t['id']}/favorite"), 404, "NOT_FOUND")
    assert_error(other_api.post(f"/api/v1/templates/{t['id']}/clone"), 404, "NOT_FOUND")
    assert_error(other_api.get(f"/api/v1/templates/{t['id']}/estimate"), 404, "NOT_FOUND")
    assert t["id"] not in [x["id"] for x in gallery(owner_api, "?limit=100")["data"]]
    # publish: the draft becomes the gallery snapshot
    pub = assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"is_public": True}))["data"]
    assert pub["is_public"] is True
    # a later draft edit stays private
    assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"name": "Secret v2", "definition": defn("Draft two.")}))
    theirs = assert_envelope(other_api.get(f"/api/v1/templates/{t['id']}"))["data"]
    assert theirs["name"] == "Secret" and text_of(theirs) == "Draft one." and theirs["is_public"] is True
    mine = assert_envelope(owner_api.get(f"/api/v1/templates/{t['id']}"))["data"]
    assert mine["name"] == "Secret v2" and text_of(mine) == "Draft two."
    listed = [x for x in gallery(other_api, "?limit=100")["data"] if x["id"] == t["id"]]
    assert len(listed) == 1 and text_of(listed[0]) == "Draft one." and listed[0]["name"] == "Secret"
    own_listed = [x for x in gallery(owner_api, "?limit=100")["data"] if x["id"] == t["id"]]
    assert text_of(own_listed[0]) == "Draft one."                      # the gallery never shows drafts
    # foreign writes on a visible template: 403
    assert_error(other_api.patch(f"/api/v1/templates/{t['id']}", json={"name": "x"}), 403, "FORBIDDEN")
    assert_error(other_api.delete(f"/api/v1/templates/{t['id']}"), 403, "FORBIDDEN")
    # re-publish, then withdraw
    assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"is_public": True}))
    assert text_of(assert_envelope(other_api.get(f"/api/v1/templates/{t['id']}"))["data"]) == "Draft two."
    assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"is_public": False}))
    assert_error(other_api.get(f"/api/v1/templates/{t['id']}"), 404, "NOT_FOUND")
    assert_error(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"is_public": None}), 422, "VALIDATION_ERROR")


def test_clone_same_and_cross_workspace(owner_api, other, workspace):
    ows, _u, other_api = other
    t = create(owner_api, "Narration", description="desc", definition=defn("Published text."))
    assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"is_public": True}))
    assert_envelope(owner_api.patch(f"/api/v1/templates/{t['id']}", json={"definition": defn("Draft text.")}))
    same = assert_envelope(owner_api.post(f"/api/v1/templates/{t['id']}/clone"), 201)["data"]
    assert same["name"] == "Narration" and same["workspace_id"] == workspace.id and text_of(same) == "Draft text."
    assert same["description"] == "desc" and same["runs_count"] == 0
    cross = assert_envelope(other_api.post(f"/api/v1/templates/{t['id']}/clone", json={"name": "Mine"}), 201)["data"]
    assert cross["name"] == "Mine" and cross["workspace_id"] == ows.id and text_of(cross) == "Published text."
    blank = assert_envelope(other_api.post(f"/api/v1/templates/{t['id']}/clone", json={"name": "   "}), 201)["data"]
    assert blank["name"] == "Narration"
    assert assert_envelope(owner_api.get(f"/api/v1/templates/{t['id']}"))["data"]["uses_count"] == 3
    assert_envelope(other_api.get(f"/api/v1/workflows/{cross['id']}"))
    ev = db.session.scalars(select(ActivityEvent).where(ActivityEvent.action == "template_applied")).all()
    assert len(ev) == 3
    # deleting the template leaves clones alone
    assert_envelope(owner_api.delete(f"/api/v1/templates/{t['id']}"))
    assert_envelope(other_api.get(f"/api/v1/workflows/{cross['id']}"))
    assert_error(other_api.post(f"/api/v1/templates/{t['id']}/clone"), 404, "NOT_FOUND")


def test_favorites_are_per_user_and_idempotent(api, owner_api, owner, workspace, other):
    _ows, _u, other_api = other
    starter = gallery(owner_api, "?limit=1&sort=name")["data"][0]
    fav = assert_envelope(owner_api.post(f"/api/v1/templates/{starter['id']}/favorite"))["data"]
    assert fav["is_favorite"] is True and fav["id"] == starter["id"]
    assert assert_envelope(owner_api.post(f"/api/v1/templates/{starter['id']}/favorite"))["data"]["is_favorite"] is True
    favs = gallery(owner_api, "?favorites_only=true")["data"]
    assert [x["id"] for x in favs] == [starter["id"]] and favs[0]["is_favorite"] is True
    assert assert_envelope(owner_api.get(f"/api/v1/templates/{starter['id']}"))["data"]["is_favorite"] is True
    # another user does not see it as a favourite
    assert gallery(other_api, "?favorites_only=true")["data"] == []
    # the same user in another workspace does
    from tests.factories import make_workspace
    ws2 = make_workspace(owner)
    assert [x["id"] for x in gallery(api.as_(make_key(ws2, owner, "all")), "?favorites_only=true")["data"]] == [starter["id"]]
    # own private templates can be favourited too
    mine = create(owner_api, "Mine")
    assert assert_envelope(owner_api.post(f"/api/v1/templates/{mine['id']}/favorite"))["data"]["is_favorite"] is True
    mine_list = assert_envelope(owner_api.get("/api/v1/users/me/templates?favorites_only=true"))["data"]
    assert [x["id"] for x in mine_list] == [mine["id"]]
    # unfavourite: always an empty success
    assert assert_envelope(owner_api.delete(f"/api/v1/templates/{starter['id']}/favorite"))["data"] == {}
    assert_envelope(owner_api.delete(f"/api/v1/templates/{starter['id']}/favorite"))
    assert_envelope(owner_api.delete("/api/v1/templates/nope1234/favorite"))
    assert assert_envelope(owner_api.get(f"/api/v1/templates/{starter['id']}"))["data"]["is_favorite"] is False
    assert_error(owner_api.post("/api/v1/templates/nope1234/favorite"), 404, "NOT_FOUND")


def test_gallery_filters_sorts_and_paging(owner_api, other):
    _ows, _u, other_api = other
    gallery(owner_api)                                   # seeds the starters first
    names = {"Zebra podcast intro": "creative", "Alpha lesson": "education", "Mid spa welcome": "wellness"}
    ids = {}
    for name, cat in names.items():
        t = create(other_api, name, category=cat, description=f"About {name.split()[0].lower()}")
        assert_envelope(other_api.patch(f"/api/v1/templates/{t['id']}", json={"is_public": True}))
        ids[name] = t["id"]
    body = gallery(owner_api, "?category=creative&category=education&limit=100")
    got = {x["id"] for x in body["data"]}
    assert {ids["Zebra podcast intro"], ids["Alpha lesson"]} <= got and ids["Mid spa welcome"] not in got
    assert all(x["category"] in ("creative", "education") for x in body["data"])
    assert "total" not in body["pagination"]
    assert [x["id"] for x in gallery(owner_api, "?search=ZEBRA")["data"]] == [ids["Zebra podcast intro"]]
    assert [x["id"] for x in gallery(owner_api, "?search=about%20alpha")["data"]] == [ids["Alpha lesson"]]
    by_name = [x["name"] for x in gallery(owner_api, "?sort=name&limit=100")["data"]]
    assert by_name == sorted(by_name, key=str.lower)
    recent = gallery(owner_api, "?sort=recent&limit=1")["data"]
    assert recent[0]["id"] == ids["Mid spa welcome"]
    assert_envelope(owner_api.post(f"/api/v1/templates/{ids['Alpha lesson']}/clone"), 201)
    assert gallery(owner_api, "?sort=popular&limit=1")["data"][0]["id"] == ids["Alpha lesson"]
    page = gallery(owner_api, "?limit=2&offset=0")
    assert len(page["data"]) == 2 and page["pagination"]["next"]
    assert gallery(owner_api, "?limit=100&offset=9")["pagination"]["next"] is None
    for bad in ("?limit=0", "?limit=101", "?sort=uses", "?category=sports", "?favorites_only=maybe", "?offset=-1"):
        assert_error(owner_api.get("/api/v1/templates" + bad), 422, "VALIDATION_ERROR")


def test_list_my_templates(api, owner_api, workspace, other):
    _ows, _u, other_api = other
    a = create(owner_api, "Beta", category="media")
    b = create(owner_api, "alpha", category="business")
    teammate = add_member(workspace, role="editor")
    create(api.as_(make_key(workspace, teammate, "all")), "Teammate's")
    create(other_api, "Elsewhere")
    assert_envelope(owner_api.post(f"/api/v1/templates/{a['id']}/clone"), 201)
    mine = assert_envelope(owner_api.get("/api/v1/users/me/templates"))
    assert {x["id"] for x in mine["data"]} == {a["id"], b["id"]}
    assert all(x["is_starter"] is False for x in mine["data"])
    assert [x["id"] for x in assert_envelope(owner_api.get("/api/v1/users/me/templates?sort=name"))["data"]] == [b["id"], a["id"]]
    for sort in ("uses", "popular"):
        assert assert_envelope(owner_api.get(f"/api/v1/users/me/templates?sort={sort}"))["data"][0]["id"] == a["id"]
    assert [x["id"] for x in assert_envelope(owner_api.get("/api/v1/users/me/templates?category=business"))["data"]] == [b["id"]]
    assert [x["id"] for x in assert_envelope(owner_api.get("/api/v1/users/me/templates?search=bet"))["data"]] == [a["id"]]
    # drafts are returned (not published snapshots)
    assert_envelope(owner_api.patch(f"/api/v1/templates/{a['id']}", json={"is_public": True}))
    assert_envelope(owner_api.patch(f"/api/v1/templates/{a['id']}", json={"definition": defn("Newer.")}))
    got = {x["id"]: x for x in assert_envelope(owner_api.get("/api/v1/users/me/templates"))["data"]}
    assert text_of(got[a["id"]]) == "Newer."
    assert_error(owner_api.get("/api/v1/users/me/templates?limit=0"), 422, "VALIDATION_ERROR")
