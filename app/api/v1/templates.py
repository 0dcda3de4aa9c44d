"""templates.* and users.list_my_templates.

Scopes: reads (list, get, estimate) need templates:read; favourites are per-user preferences and
need templates:read too; create / update (incl. publish) / delete change workspace content and
need workflows:write plus the editor role; clone needs workflows:write (contract) and editor.
Publishing: PATCH {"is_public": true} snapshots the draft into the gallery (see services/templates).
"""
from flask import request

from app.api import api_v1
from app.api.context import principal, workspace
from app.api.envelope import ok, ok_list
from app.api.params import body, boolean, choice, many, paging
from app.api.registry import endpoint
from app.auth.principal import header_workspace_id, member_workspace
from app.extensions import db
from app.models import Membership, Workspace
from app.services import estimates
from app.services import templates as tpl_svc
from app.services import workflows as wf_svc

T = "Templates"
LIST_QUERY = {"category": "list[str]", "search": "str", "sort": "str", "offset": "int", "limit": "int",
              "favorites_only": "bool"}
WRITE_BODY = {"name": ("str", False), "description": ("str", False), "category": ("str", False),
              "definition": ("WorkflowDefinitionInput", False), "is_public": ("bool", False)}


def _own_ws_ids(scope: str) -> set[str]:
    """The workspaces whose drafts the caller sees (module docstring of services/templates)."""
    p = principal(scope)
    if p.api_key is not None:
        return {p.api_key.workspace_id}
    wanted = header_workspace_id()
    if wanted:
        ws, _m = member_workspace(wanted)
        return {ws.id}
    return set(db.session.scalars(db.select(Membership.workspace_id).join(
        Workspace, Workspace.id == Membership.workspace_id).where(
        Membership.user_id == p.user.id, Workspace.deleted_at.is_(None))))


def _list_args(sorts):
    return {"categories": many("category", tpl_svc.CATEGORIES), "search": request.args.get("search"),
            "sort": choice("sort", sorts, "recent"), "favorites_only": boolean("favorites_only", False)}


@endpoint(api_v1, "/templates", sdk="templates.list", scope="templates:read", tag=T, query=LIST_QUERY,
          response="list[TemplateOut]", workspace_header="none")
def list_templates():
    """Public gallery across all workspaces: starters and published snapshots (never drafts)."""
    p = principal("templates:read")
    tpl_svc.ensure_starters_lazily()
    args = _list_args(tpl_svc.GALLERY_SORTS)
    offset, limit = paging()
    rows, more = tpl_svc.list_gallery(p.user.id, offset=offset, limit=limit, **args)
    favs = tpl_svc.favorite_ids(p.user.id, [t.id for t in rows])
    return ok_list([tpl_svc.template_out(t, "published", t.id in favs) for t in rows], limit=limit,
                   offset=offset, has_more=more)


@endpoint(api_v1, "/users/me/templates", sdk="users.list_my_templates", scope="templates:read", tag="Users",
          query=LIST_QUERY, response="list[TemplateOut]")
def list_my_templates():
    """Templates the caller created in the current workspace (drafts); sort recent|name|uses|popular."""
    ws, _m = workspace("templates:read")
    user = principal().user
    args = _list_args(tpl_svc.MY_SORTS)
    offset, limit = paging()
    rows, more = tpl_svc.list_mine(ws, user.id, offset=offset, limit=limit, **args)
    return ok_list(tpl_svc.outs(rows, user.id, {ws.id}), limit=limit, offset=offset, has_more=more)


@endpoint(api_v1, "/templates", ("POST",), sdk="templates.create_template", scope="workflows:write", tag=T,
          status=201, body={**WRITE_BODY, "name": ("str", True)}, response="TemplateOut")
def create_template():
    """Create a workspace-private template (editor role; definition validated, 422 otherwise)."""
    ws, m = workspace("workflows:write")
    user = principal().user
    t = tpl_svc.create(ws, m, user, body())
    db.session.commit()
    return ok(tpl_svc.template_out(t, "draft", False), 201)


@endpoint(api_v1, "/templates/<template_id>", sdk="templates.get", scope="templates:read", tag=T,
          response="TemplateOut")
def get_template(template_id):
    """Own workspace: the live draft; starters and published templates: the published snapshot."""
    own = _own_ws_ids("templates:read")
    tpl_svc.ensure_starters_lazily()
    t = tpl_svc.find(template_id, own)
    return ok(tpl_svc.outs([t], principal().user.id, own)[0])


@endpoint(api_v1, "/templates/<template_id>", ("PATCH",), sdk="templates.update_template",
          scope="workflows:write", tag=T, body=WRITE_BODY, response="TemplateOut")
def update_template(template_id):
    """Edit the draft (definition is a full replace); is_public true publishes it, false withdraws it."""
    ws, m = workspace("workflows:write")
    t = tpl_svc.update(tpl_svc.find(template_id, {ws.id}), ws, m, body())
    db.session.commit()
    return ok(tpl_svc.outs([t], principal().user.id, {ws.id})[0])


@endpoint(api_v1, "/templates/<template_id>", ("DELETE",), sdk="templates.delete_template",
          scope="workflows:write", tag=T, response="dict")
def delete_template(template_id):
    """Soft delete (owner workspace only; starters cannot be deleted)."""
    ws, m = workspace("workflows:write")
    t = tpl_svc.find(template_id, {ws.id})
    tpl_svc.delete(t, ws, m)
    db.session.commit()
    return ok({"id": t.id, "deleted": True})


@endpoint(api_v1, "/templates/<template_id>/estimate", sdk="templates.estimate_template",
          scope="templates:read", tag=T, response="TemplateEstimateResponse")
def estimate_template(template_id):
    """Credits per unit_chars (1,000) input characters, cached per definition + rates."""
    own = _own_ws_ids("templates:read")
    tpl_svc.ensure_starters_lazily()
    t = tpl_svc.find(template_id, own)
    out = estimates.template_estimate(t, tpl_svc.snapshot_for(t, own))
    db.session.commit()
    return ok(out)


@endpoint(api_v1, "/templates/<template_id>/clone", ("POST",), sdk="templates.clone", scope="workflows:write",
          tag=T, status=201, body={"name": ("str", False)}, response="WorkflowOut")
def clone_template(template_id):
    """A new workflow in the caller's workspace (same workspace: the draft; else the published snapshot)."""
    ws, m = workspace("workflows:write")
    tpl_svc.ensure_starters_lazily()
    t = tpl_svc.find(template_id, {ws.id})
    wf = tpl_svc.clone(t, ws, m, principal().user, body())
    db.session.commit()
    return ok(wf_svc.workflow_out(wf), 201)


@endpoint(api_v1, "/templates/<template_id>/favorite", ("POST",), sdk="templates.favorite_template",
          scope="templates:read", tag=T, response="TemplateOut", workspace_header="none")
def favorite_template(template_id):
    """Per-user favourite of any visible template; idempotent."""
    own = _own_ws_ids("templates:read")
    tpl_svc.ensure_starters_lazily()
    t = tpl_svc.find(template_id, own)
    user_id = principal().user.id
    tpl_svc.favorite(t, user_id)
    db.session.commit()
    return ok(tpl_svc.outs([t], user_id, own)[0])


@endpoint(api_v1, "/templates/<template_id>/favorite", ("DELETE",), sdk="templates.unfavorite_template",
          scope="templates:read", tag=T, response="dict", workspace_header="none")
def unfavorite_template(template_id):
    """Always an empty success, whether or not the favourite or the template exists."""
    p = principal("templates:read")
    tpl_svc.unfavorite(template_id, p.user.id)
    db.session.commit()
    return ok({})
