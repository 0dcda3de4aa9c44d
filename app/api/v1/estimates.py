"""workflows.estimate_workflow and workflows.preview_run: credit estimates, nothing created or charged.

Both take the run's optional body {script_text?, source_language?} (an empty body with a JSON
content type is fine; null means "not given") and price exactly the text a run with that body
would speak. No text to price -> 422 VALIDATION_ERROR.
"""
from app.api import api_v1
from app.api.context import principal, workspace
from app.api.envelope import ok
from app.api.params import body
from app.api.registry import endpoint
from app.errors import ValidationFailed
from app.extensions import db
from app.services import estimates
from app.services import workflows as wf_svc

T = "Workflows"
RUN_BODY = {"script_text": ("str", False), "source_language": ("str", False)}


def _estimate(workflow_id: str):
    ws, _m = workspace("workflows:read")
    wf = wf_svc.get(ws, workflow_id)
    data = body()
    errors = [{"field": k, "message": "must be a string"} for k in ("script_text", "source_language")
              if data.get(k) is not None and not isinstance(data.get(k), str)]
    if errors:
        raise ValidationFailed(errors)
    out = estimates.estimate(ws, principal().user, wf.definition, script_text=data.get("script_text"),
                             source_language=data.get("source_language"))
    db.session.commit()  # only the lazily posted monthly credit grant, if any
    return ok(out)


@endpoint(api_v1, "/workflows/<workflow_id>/estimate", ("POST",), sdk="workflows.estimate_workflow",
          scope="workflows:read", tag=T, body=RUN_BODY, response="EstimateResponse")
def estimate_workflow(workflow_id):
    """Credit estimate of the current definition per node (min / expected / max); no side effects."""
    return _estimate(workflow_id)


@endpoint(api_v1, "/workflows/<workflow_id>/runs/preview", ("POST",), sdk="workflows.preview_run",
          scope="workflows:read", tag=T, body=RUN_BODY, response="EstimateResponse")
def preview_run(workflow_id):
    """Dry-run estimate with the run's script_text / source_language overrides; no run is created."""
    return _estimate(workflow_id)
