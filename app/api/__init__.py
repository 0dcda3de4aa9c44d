"""JSON API under /api: the contract of the official SDK/CLI (envelopes, errors, paging)."""
from flask import Blueprint

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
api_v2 = Blueprint("api_v2", __name__, url_prefix="/api/v2")
api_meta = Blueprint("api_meta", __name__, url_prefix="/api")


def register(app):
    from app.api import errors, openapi  # noqa: F401  (routes on api_meta)
    from app.api.v1 import auth, users, workspaces  # noqa: F401
    from app.extensions import csrf

    for bp in (api_v1, api_v2, api_meta):
        csrf.exempt(bp)  # bearer credentials only: no cookies are accepted on the API
        app.register_blueprint(bp)
    errors.register(app)
