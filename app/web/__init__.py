"""Server-rendered HTML UI (Jinja + HTMX). One module per area, each a blueprint."""
from __future__ import annotations

import importlib

# area modules; each defines `bp`
AREAS = ("auth", "dashboard", "workspaces", "members", "api_keys", "profile", "outbox", "invites", "runs",
         "run_actions", "run_history",
         "provider_keys", "workflows", "editor", "editor_panels", "editor_run", "usage", "waveform_links")


def register(app):
    from app.web import context, session  # noqa: F401  (login manager hooks, template globals)
    context.register(app)
    for area in AREAS:
        try:
            module = importlib.import_module(f"app.web.{area}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.web.{area}":
                raise
            continue
        app.register_blueprint(module.bp)
