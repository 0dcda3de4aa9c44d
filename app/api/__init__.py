"""JSON API under /api: the contract of the official SDK/CLI (envelopes, errors, paging)."""
import importlib

from flask import Blueprint

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
api_v2 = Blueprint("api_v2", __name__, url_prefix="/api/v2")
api_meta = Blueprint("api_meta", __name__, url_prefix="/api")

# One module per resource; each registers its routes on the blueprints above when imported.
RESOURCES = ("auth", "users", "workspaces", "nodes", "providers", "workflows", "estimates", "runs", "run_reads",
             "templates", "uploads", "dictionary", "voices", "usage")


def register(app):
    from app.api import errors, openapi  # noqa: F401  (routes on api_meta)
    from app.extensions import csrf

    for name in RESOURCES:
        try:
            importlib.import_module(f"app.api.v1.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.api.v1.{name}":
                raise
    for bp in (api_v1, api_v2, api_meta):
        csrf.exempt(bp)  # bearer credentials only: no cookies are accepted on the API
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    errors.register(app)
