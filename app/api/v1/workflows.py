"""workflows.* (everything but runs): list, create, read, replace, patch, delete, duplicate,
name availability, validate, markdown."""
from flask import request

from app.api import api_v1
from app.api.context import principal, workspace
from app.api.envelope import ok, ok_list
from app.api.params import aware_datetime, body, boolean, choice, many, paging
from app.api.registry import endpoint
from app.errors import ValidationFailed
from app.extensions import db
from app.services import workflows as wf_svc
from app.services.workflow_markdown import render_markdown
from app.validation import Validation
from app.workflows.validation import validation_report

T = "Workflows"
DEFN = ("WorkflowDefinitionInput", False)


@endpoint(api_v1, "/workflows", sdk="workflows.list", scope="workflows:read", tag=T,
          query={"status": "str", "search": "str", "sort": "list[str]", "order": "list[str]",
                 "last_run_after": "datetime", "last_run_before": "datetime", "has_failed_run": "bool",
                 "include_definition": "bool", "offset": "int", "limit": "int"},
          response="list[WorkflowListItem]")
def list_workflows():
    """Counted list of the workspace's workflows with run statistics."""
    ws, _m = workspace("workflows:read")
    status = choice("status", wf_svc.LIST_STATUSES)
    sort = many("sort", tuple(wf_svc.LIST_SORTS))
    order = many("order", ("asc", "desc"))
    if len(order) > len(sort) and sort:
        raise ValidationFailed([{"field": "order", "message": "has more entries than sort"}])
    after, before = aware_datetime("last_run_after"), aware_datetime("last_run_before")
    if after and before and after > before:
        raise ValidationFailed([{"field": "last_run_before", "message": "must not be earlier than last_run_after"}])
    has_failed = boolean("has_failed_run", None)
    include_definition = boolean("include_definition", False)
    offset, limit = paging()
    rows, total = wf_svc.list_workflows(ws, status=status, search=request.args.get("search"), sort=sort,
                                        order=order, last_run_after=after, last_run_before=before,
                                        has_failed_run=has_failed, offset=offset, limit=limit)
    stats = wf_svc.run_stats([w.id for w in rows])
    items = [wf_svc.workflow_out(w, stats[w.id], include_definition=include_definition) for w in rows]
    return ok_list(items, limit=limit, offset=offset, total=total)


@endpoint(api_v1, "/workflows", ("POST",), sdk="workflows.create_workflow", scope="workflows:write", tag=T,
          status=201, body={"name": ("str", False), "description": ("str", False), "definition": DEFN},
          response="WorkflowOut")
def create_workflow():
    """Create a workflow (definition validated; an omitted name becomes a placeholder)."""
    ws, m = workspace("workflows:write")
    wf = wf_svc.create(ws, m, principal().user, body())
    db.session.commit()
    return ok(wf_svc.workflow_out(wf), 201)


@endpoint(api_v1, "/workflows/name-availability", sdk="workflows.check_workflow_name_availability",
          scope="workflows:read", tag=T, query={"name": "str", "exclude_id": "str"},
          response="WorkflowNameAvailabilityOut")
def name_availability():
    """Names are not unique: any name passing the name policy is available."""
    workspace("workflows:read")
    v = Validation(request.args)
    name = wf_svc.check_name(v, required=True)
    v.raise_if_invalid()
    return ok({"name": name, "available": True})


@endpoint(api_v1, "/workflows/validate", ("POST",), sdk="workflows.validate_workflow", scope="workflows:write",
          tag=T, body={"definition": ("WorkflowDefinitionInput", True)}, response="WorkflowValidateOut")
def validate_workflow():
    """Check a definition against every run-start gate without saving (always 200 unless malformed)."""
    workspace("workflows:write")
    data = body()
    if not isinstance(data.get("definition"), dict):
        raise ValidationFailed([{"field": "definition", "message": "is required and must be an object"}])
    return ok(validation_report(data["definition"], wf_svc.catalog(), for_run=True))


@endpoint(api_v1, "/workflows/<workflow_id>", sdk="workflows.get", scope="workflows:read", tag=T,
          response="WorkflowOut")
def get_workflow(workflow_id):
    """The workflow with its (config-migrated) definition and run statistics."""
    ws, _m = workspace("workflows:read")
    return ok(wf_svc.workflow_out(wf_svc.get(ws, workflow_id)))


@endpoint(api_v1, "/workflows/<workflow_id>", ("PUT",), sdk="workflows.update_workflow", scope="workflows:write",
          tag=T, body={"name": ("str", True), "description": ("str", False), "definition": ("WorkflowDefinitionInput", True)},
          response="WorkflowOut")
def replace_workflow(workflow_id):
    """Full replace of name, description and definition."""
    ws, m = workspace("workflows:write")
    wf = wf_svc.replace(wf_svc.get(ws, workflow_id), m, principal().user, body())
    db.session.commit()
    return ok(wf_svc.workflow_out(wf))


@endpoint(api_v1, "/workflows/<workflow_id>", ("PATCH",), sdk="workflows.patch_workflow", scope="workflows:write",
          tag=T, body={"name": ("str", False), "description": ("str", False), "definition": DEFN},
          response="WorkflowOut")
def patch_workflow(workflow_id):
    """Partial update; at least one field."""
    ws, m = workspace("workflows:write")
    wf = wf_svc.patch(wf_svc.get(ws, workflow_id), m, principal().user, body())
    db.session.commit()
    return ok(wf_svc.workflow_out(wf))


@endpoint(api_v1, "/workflows/<workflow_id>", ("DELETE",), sdk="workflows.delete_workflow",
          scope="workflows:write", tag=T, response="dict")
def delete_workflow(workflow_id):
    """Soft delete: afterwards every call on the id is a 404."""
    ws, m = workspace("workflows:write")
    wf = wf_svc.get(ws, workflow_id)
    wf_svc.delete(wf, m)
    db.session.commit()
    return ok({"id": wf.id, "deleted": True})


@endpoint(api_v1, "/workflows/<workflow_id>/duplicate", ("POST",), sdk="workflows.duplicate_workflow",
          scope="workflows:write", tag=T, status=201, response="WorkflowOut")
def duplicate_workflow(workflow_id):
    """Copy in the same workspace: name + ' (Copy)', no runs."""
    ws, m = workspace("workflows:write")
    wf = wf_svc.duplicate(wf_svc.get(ws, workflow_id), m, principal().user)
    db.session.commit()
    return ok(wf_svc.workflow_out(wf), 201)


@endpoint(api_v1, "/workflows/<workflow_id>/markdown", sdk="workflows.get_workflow_markdown",
          scope="workflows:read", tag=T, response="WorkflowMarkdownOut")
def workflow_markdown(workflow_id):
    """GitHub-flavoured markdown of the workflow: pipeline order, retry loops, nodes, voices, gates."""
    ws, _m = workspace("workflows:read")
    wf = wf_svc.get(ws, workflow_id)
    out = wf_svc.workflow_out(wf)
    return ok({"workflow_id": wf.id, "name": wf.name, "markdown": render_markdown(wf.name, wf.description,
                                                                                  out["definition"])})
