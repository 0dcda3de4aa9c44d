"""app.models.bulk.insert_rows stores exactly what a plain INSERT stores (PostgreSQL: COPY)."""
from datetime import datetime, timezone

from sqlalchemy import insert, select

from app.engine.scheduler import take_row
from app.extensions import db
from app.models import Run, Take
from app.models.base import new_id
from app.models.bulk import insert_rows
from tests.engine.conftest import espeak_definition, make_workflow, start

AWARE = datetime(2026, 11, 22, 19, 30, 5, 123456, tzinfo=timezone.utc)


def _rows(run: Run, node: str) -> list[dict]:
    """Every kind of value a take row holds: text with COPY's special characters, nested JSON, a JSON
    column left None (stored as JSON null, as the INSERT does), NULLs, booleans, big ints, datetimes."""
    texts = ["plain", "tab\tand\nnewline \\N backslash", "quote ' and \" , comma", "ünïcödé 日本語 🙂", ""]
    rows = []
    for i, text in enumerate(texts):
        rows.append(take_row(
            id=new_id(), run_id=run.id, workspace_id=run.workspace_id, node_id=node, node_type="sink_preview",
            line_index=i, locale="en-us", attempt=1 + i % 2, wave=2, status="done" if i % 2 else "pending",
            text=text, meta={"format": "wav", "nested": {"list": [1, 2.5, None, "x\ty"], "t": True}} if i else None,
            scores={"acc": {"score": 97.5}} if i == 2 else None, routed=bool(i % 2), accepted=i == 3,
            credits_milli=2 ** 40 + i, started_at=AWARE if i != 4 else None, finished_at=AWARE, created_at=AWARE))
    return rows


def _stored(node: str) -> list[tuple]:
    db.session.expire_all()
    takes = db.session.scalars(select(Take).where(Take.node_id == node).order_by(Take.line_index)).all()
    return [tuple(getattr(t, c.key) for c in Take.__table__.columns if c.key not in ("id", "node_id")) for t in takes]


def _same_as_insert(run: Run) -> None:
    insert_rows(Take.__table__, _rows(run, "bulk"))
    db.session.execute(insert(Take.__table__), _rows(run, "plain"))
    db.session.commit()
    bulk, plain = _stored("bulk"), _stored("plain")
    assert len(bulk) == 5 and bulk == plain
    stored = {t.line_index: t for t in db.session.scalars(select(Take).where(Take.node_id == "bulk"))}
    assert stored[1].text == "tab\tand\nnewline \\N backslash"
    assert stored[1].meta["nested"]["list"] == [1, 2.5, None, "x\ty"]
    assert stored[3].accepted is True and stored[0].meta is None and stored[4].started_at is None
    assert stored[2].credits_milli == 2 ** 40 + 2


def test_bulk_rows_equal_inserted_rows_on_postgresql(owner_api):
    assert db.engine.dialect.name == "postgresql"
    run = db.session.get(Run, start(owner_api, make_workflow(owner_api, espeak_definition("One line."))["id"])["id"])
    _same_as_insert(run)


def test_bulk_rows_equal_inserted_rows_on_sqlite(tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.services import accounts, workflows
    from app.services import workspaces as ws_svc
    from tests.factories import membership
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "TESTING": True})
    with application.app_context():
        try:
            upgrade()
            user = accounts.sign_up({"email": "bulk@example.com", "password": "bulk password 1"}, plan="custom")
            ws = ws_svc.create(user, {"name": "Bulk"}, enforce_plan=False)
            wf = workflows.create(ws, membership(ws, user), user,
                                  {"name": "bulk", "definition": espeak_definition("One line.")})
            run = Run(workspace_id=ws.id, workflow_id=wf.id, run_number=1, status="pending",
                      triggered_by=user.id, definition_snapshot={})
            db.session.add(run)
            db.session.commit()
            assert db.engine.dialect.name == "sqlite"
            _same_as_insert(run)
        finally:
            db.session.remove()
            db.engine.dispose()
