"""RQ entry points: thin functions that load ids and call services/ or engine/.

Each worker process builds the Flask app once (see app_context()).
"""
from __future__ import annotations

import os
from contextlib import contextmanager

_app = None
_pid = None


@contextmanager
def app_context():
    global _app, _pid
    if _app is None:
        from app import create_app
        _app = create_app()
    if _pid != os.getpid():
        # A forked work-horse must not share the parent's database connections.
        with _app.app_context():
            from app.extensions import db
            db.engine.dispose(close=False)
        _pid = os.getpid()
    with _app.app_context():
        from app.extensions import db
        try:
            yield _app
        finally:
            db.session.remove()
