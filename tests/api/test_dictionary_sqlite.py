"""The dictionary on the embedded SQLite default: CRUD, case-insensitive 409, search with literal % and _,
the run-time version and the uses counter."""
import pytest


@pytest.fixture
def lite(tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db", "TESTING": True})
    ctx = application.app_context()
    ctx.push()
    try:
        upgrade()
        yield application
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def test_dictionary_on_sqlite(lite):
    from app.extensions import db
    from app.services import dictionary as d
    from tests.conftest import Api, _fresh_context_client_class, assert_envelope, assert_error
    from tests.factories import make_key, make_user, make_workspace
    user = make_user()
    ws = make_workspace(user)
    client = _fresh_context_client_class()(lite, lite.response_class, use_cookies=False)
    api = Api(client, make_key(ws, user))
    assert d.version_for(ws.id, "en-us") == "0"
    e = assert_envelope(api.post("/api/v1/dictionary", json={"word": "100%_sure", "method": "spelled",
                                                             "language": "EN-US", "pronunciation": "sure"}), 201)
    assert_error(api.post("/api/v1/dictionary", json={"word": "100%_SURE", "method": "ipa", "language": "en-us",
                                                      "ipa": "ʃʊɹ"}), 409, "CONFLICT")
    assert [x["word"] for x in assert_envelope(api.get("/api/v1/dictionary/search?search=%25_S"))["data"]] == \
        ["100%_sure"]
    assert assert_envelope(api.get("/api/v1/dictionary/search?search=0x_"))["data"] == []
    v1 = d.version_for(ws.id, "en-us")
    assert v1 != "0" and d.version_for(ws.id, "en-gb") == "0"
    d.add_uses({e["data"]["id"]: 3})
    db.session.commit()
    assert d.version_for(ws.id, "en-us") == v1                      # counting uses is not an edit
    out = assert_envelope(api.put(f"/api/v1/dictionary/{e['data']['id']}", json={"description": "x"}))["data"]
    assert out["uses_count"] == 3 and d.version_for(ws.id, "en-us") != v1
    assert assert_envelope(api.get("/api/v1/dictionary/languages"))["data"] == [{"code": "en-us", "count": 1}]
    assert assert_envelope(api.delete(f"/api/v1/dictionary/{e['data']['id']}"))["data"] == {}
    assert d.version_for(ws.id, "en-us") == "0"
