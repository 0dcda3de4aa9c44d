"""uploads.* (create, confirm, delete) and workflows.list_workflow_uploads."""
from app.api import api_v1
from app.api.context import principal, workspace
from app.api.envelope import ok, ok_list
from app.api.params import body, paging
from app.api.registry import endpoint
from app.auth.principal import header_workspace_id, member_workspace
from app.errors import NotFound
from app.extensions import db
from app.services import uploads as up_svc
from app.services import workflows as wf_svc

T = "Uploads"
SCOPE = "uploads:write"


def _upload_workspace(upload_id: str):
    """The workspace to act in: the header's / the API key's, else the one of the caller's upload."""
    p = principal(SCOPE)
    if p.api_key is not None or header_workspace_id():
        return workspace(SCOPE)
    ws_id = up_svc.upload_workspace_id(p.user, upload_id)
    if ws_id is None:
        raise NotFound("Upload not found.")
    return member_workspace(ws_id)


@endpoint(api_v1, "/uploads", ("POST",), sdk="uploads.create", scope=SCOPE, tag=T,
          body={"filename": ("str", True), "category": ("UploadRequestCategory", True)},
          response="UploadCreateResponse")
def create_upload():
    """Step 1 of 2: register a file (pending) and get a signed upload_url to PUT its bytes to."""
    ws, m = workspace(SCOPE)
    u, url = up_svc.create(ws, m, principal().user, body())
    db.session.commit()
    return ok({"upload": up_svc.upload_out(u), "upload_url": url})


@endpoint(api_v1, "/uploads/<upload_id>", ("POST",), sdk="uploads.confirm", scope=SCOPE, tag=T,
          body={"context_type": ("UploadConfirmRequestContextType", True), "context_id": ("str", True)},
          response="UploadOut")
def confirm_upload(upload_id):
    """Step 2 of 2: check the uploaded bytes and bind them to a workflow (idempotent)."""
    ws, m = _upload_workspace(upload_id)
    u = up_svc.confirm(ws, m, principal().user, upload_id, body())
    db.session.commit()
    return ok(up_svc.upload_out(u))


@endpoint(api_v1, "/uploads/<upload_id>", ("DELETE",), sdk="uploads.delete", scope=SCOPE, tag=T,
          response="dict")
def delete_upload(upload_id):
    """Delete one of your uploads in any state; its storage is released."""
    ws, m = _upload_workspace(upload_id)
    key = up_svc.delete(ws, m, principal().user, upload_id)
    db.session.commit()
    up_svc.delete_object(key)
    return ok({})


@endpoint(api_v1, "/workflows/<workflow_id>/uploads", sdk="workflows.list_workflow_uploads",
          scope="workflows:read", tag="Workflows", query={"offset": "int", "limit": "int"},
          response="list[UploadOut]")
def list_workflow_uploads(workflow_id):
    """Confirmed uploads attached to the workflow or used by its script nodes, with download URLs."""
    ws, _m = workspace("workflows:read")
    wf = wf_svc.get(ws, workflow_id)
    offset, limit = paging()
    rows, has_more = up_svc.workflow_uploads(ws, wf, offset=offset, limit=limit)
    return ok_list([up_svc.upload_out(u) for u in rows], limit=limit, offset=offset, has_more=has_more)
