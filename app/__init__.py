"""OnePin Server: create_app() builds the Flask application."""
from __future__ import annotations

import logging
import mimetypes

from flask import Flask, g, request

from app import sqlite  # noqa: F401 - SQLite connection settings (WAL, busy timeout)
from app.config import ROOT, Config
from app.extensions import csrf, db, limiter, login_manager, migrate


# The editor is ES modules, which browsers refuse unless served as JavaScript: don't depend on the host's
# /etc/mime.types for that.
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_mapping(Config(overrides).as_dict())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from app import models as _models  # noqa: F401  (register every table)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login_GET"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"

    from app import api as api_pkg, web as web_pkg
    api_pkg.register(app)
    web_pkg.register(app)
    from app.storage.routes import bp as storage_bp
    csrf.exempt(storage_bp)  # signed URLs are the credential; no cookies are used
    app.register_blueprint(storage_bp)

    from app.cli import register_flask_commands
    register_flask_commands(app)

    @app.before_request
    def _request_id():
        from app.api.envelope import request_id
        request_id()

    @app.after_request
    def _headers(resp):
        resp.headers["X-Request-Id"] = g.get("request_id", "")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not request.path.startswith("/api/"):
            resp.headers.add("Vary", "HX-Request")
            resp.headers.setdefault("X-Frame-Options", "DENY")
            resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    @app.teardown_appcontext
    def _teardown(exc):
        if exc is not None:
            db.session.rollback()

    return app
