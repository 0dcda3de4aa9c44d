"""auth.whoami"""
from app.api import api_v1
from app.api.context import principal
from app.api.envelope import ok
from app.api.registry import endpoint
from app.auth.principal import header_workspace_id


@endpoint(api_v1, "/auth/whoami", sdk="auth.whoami", tag="Auth", response="AuthWhoamiOut",
          workspace_header="none")
def whoami():
    """Echo the resolved credential: auth kind, user, workspace and scopes."""
    p = principal()
    return ok({
        "auth_kind": p.auth_kind,
        "user_id": p.user.id,
        "workspace_id": p.api_key.workspace_id if p.api_key else header_workspace_id(),
        "api_key_id": p.api_key.id if p.api_key else None,
        "scopes": sorted(set(p.scopes)),
        "email": p.user.email,
    })
