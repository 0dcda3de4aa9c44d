"""The usage figures on the embedded SQLite default: the same bucketing (naive UTC storage), language
split and keyset paging as on PostgreSQL."""
from datetime import datetime, timezone

from werkzeug.datastructures import MultiDict

from app.services import usage, usage_activity, usage_window
from tests.services import usage_data
from tests.test_sqlite import sqlite_app  # noqa: F401  (the fixture)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def test_usage_on_sqlite(sqlite_app):  # noqa: F811
    from app.extensions import db
    from tests.factories import make_user, make_workspace, membership
    assert db.engine.dialect.name == "sqlite"
    owner = make_user(email="lite@example.com")
    ws = make_workspace(owner, name="Lite")
    usage_data.run(ws, owner, datetime(2026, 3, 8, 14, 30, tzinfo=timezone.utc),
                   [{"locale": "en-us", "text": "Hello.", "milli": 700}, {"locale": "de-de", "text": "Hallo.", "milli": 300}],
                   credits=3)
    usage_data.run(ws, owner, datetime(2026, 3, 8, 15, 30, tzinfo=timezone.utc),
                   [{"locale": "de-de", "text": "Tschüss.", "milli": 100}], credits=1, number=2)
    for i in range(5):
        usage_data.event(ws, owner, datetime(2026, 3, 9, 8, i, tzinfo=timezone.utc))
    tokyo = usage_window.parse(MultiDict({"timezone": "Asia/Tokyo"}))
    days = {b["label"]: b["credits"] for b in usage.activity_summary(ws.id, tokyo, NOW)["buckets"]}
    assert days["2026-03-08"] == 3 and days["2026-03-09"] == 1
    s = usage.summary(ws, owner, usage_window.parse(MultiDict({})), NOW)
    assert s["credits"]["workspace_total"] == 4 and s["characters"]["total"] == len("Hello.Hallo.Tschüss.")
    rows = {r["locale_code"]: r["credits"] for r in usage.by_language(ws, tokyo, NOW)["languages"]}
    assert rows == {"en-us": 2, "de-de": 2}                   # 3 by 7:3 -> 2.1 / 0.9 -> 2 / 1, then + 1
    m = membership(ws, owner)
    seen, cursor = [], None
    while True:
        page, cursor = usage_activity.feed(ws, m, tokyo, {"limit": 3, "cursor": cursor}, NOW)
        seen += page
        if cursor is None:
            break
    assert len(seen) == 7 == len({e["id"] for e in seen})     # 5 events + the two runs' launches
    assert [e["timestamp"] for e in seen] == sorted((e["timestamp"] for e in seen), reverse=True)
