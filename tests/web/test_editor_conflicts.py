"""The editor's autosave does not save over someone else's save: each save names the version the tab
started from (base_version) and the server refuses (409 EDIT_CONFLICT, nothing written) when the
workflow moved on since, from another tab, the API or the CLI. "Keep mine" (force) saves anyway as a
new version, so the other edits stay in the history. The public API is not involved: it still saves
without any base."""
from __future__ import annotations

import threading
import time

import pytest

from app.extensions import db
from app.models import Workflow, WorkflowVersion
from app.services import workflows as wf_svc
from tests.factories import membership
from tests.web.test_editor_endpoints import _data, _json, definition


@pytest.fixture
def wf(workspace, owner):
    w = wf_svc.create(workspace, membership(workspace, owner), owner, {"name": "Shared", "definition": definition()})
    db.session.commit()
    return w


def _save(web, wf, **body):
    return _json(web, f"/workflows/{wf.id}/editor/save", body)


def _stored(wf) -> tuple[dict, str, list]:
    """What is stored now: the definition, the name and every version's (number, note, first line)."""
    db.session.expire_all()
    w = db.session.get(Workflow, wf.id)
    rows = db.session.scalars(db.select(WorkflowVersion).filter_by(workflow_id=wf.id).order_by(WorkflowVersion.number))
    return w.definition, w.name, [(v.number, v.note, v.definition["graph"]["nodes"][0]["config"]["text"]) for v in rows]


def test_a_stale_base_is_refused_and_nothing_is_written(login_as, admin_web, editor, wf):
    other = login_as(editor)
    assert _save(other, wf, definition=definition(text="From tab A."), base_version=1).get_json()["version"] == 2
    before = _stored(wf)

    res = _save(admin_web, wf, definition=definition(text="From tab B."), base_version=1)   # B still at version 1
    assert res.status_code == 409
    err = res.get_json()["error"]
    assert err["code"] == "EDIT_CONFLICT" and "changed elsewhere" in err["message"]
    assert err["latest"]["number"] == 2 and err["latest"]["by"] == editor.display_name
    assert err["latest"]["by_you"] is False and err["latest"]["at"]
    # a name alone is refused too: it would move B's base past A's edit
    assert _save(admin_web, wf, name="Renamed in B", base_version=1).status_code == 409
    # so is a save whose definition blocks (the conflict is said first)
    assert _save(admin_web, wf, definition=definition(threshold=30), base_version=1).status_code == 409
    assert _stored(wf) == before
    assert before[1] == "Shared" and [n for n, _note, _t in before[2]] == [1, 2]


def test_saves_from_the_same_tab_in_a_row_build_on_each_other(admin_web, wf):
    base = 1
    for text in ("One.", "Two.", "Three."):
        res = _save(admin_web, wf, definition=definition(text=text), base_version=base).get_json()
        assert res["saved"] and res["new_version"] and res["version"] == base + 1
        base = res["version"]
    same = _save(admin_web, wf, definition=definition(text="Three."), base_version=base).get_json()
    assert same["saved"] and not same["new_version"] and same["version"] == base          # no change, same base
    blocked = _save(admin_web, wf, definition=definition(threshold=30), base_version=base).get_json()
    assert not blocked["saved"] and blocked["version"] == base                            # nothing written
    named = _save(admin_web, wf, name="Renamed", base_version=base).get_json()
    assert named["version"] == base + 1
    assert _save(admin_web, wf, definition=definition(text="Four."), base_version=base + 1).get_json()["saved"]
    _defn, name, history = _stored(wf)
    assert name == "Renamed" and [(n, t) for n, _note, t in history] == [
        (1, "Hello there.\nSecond line."), (2, "One."), (3, "Two."), (4, "Three."), (5, "Three."), (6, "Four.")]


def test_an_api_edit_while_the_page_is_open_is_a_conflict(admin_web, owner_api, wf):
    patched = owner_api.patch(f"/api/v1/workflows/{wf.id}", json={"definition": definition(text="From the CLI.")})
    assert patched.status_code == 200                          # the API saves as before, with no base
    res = _save(admin_web, wf, definition=definition(text="From the page."), base_version=1)
    assert res.status_code == 409
    latest = res.get_json()["error"]["latest"]
    assert latest["number"] == 2 and latest["by_you"] is True   # the same person, elsewhere
    assert _stored(wf)[0]["graph"]["nodes"][0]["config"]["text"] == "From the CLI."


def test_keep_mine_overwrites_as_a_new_version_and_the_other_edit_stays_in_history(login_as, admin_web, editor, wf):
    _save(login_as(editor), wf, definition=definition(text="From tab A."), base_version=1)
    mine = definition(text="From tab B.")
    assert _save(admin_web, wf, definition=mine, base_version=1).status_code == 409
    res = _save(admin_web, wf, definition=mine, base_version=1, force=True).get_json()
    assert res["saved"] and res["new_version"] and res["version"] == 3
    defn, _name, history = _stored(wf)
    assert defn == mine
    assert history[1:] == [(2, "edited", "From tab A."), (3, "edited, kept over version 2", "From tab B.")]
    # the answer's version is the tab's new base: the next save goes through
    assert _save(admin_web, wf, definition=definition(text="Later."), base_version=3).get_json()["version"] == 4


def test_a_save_waits_for_a_save_in_progress_then_sees_it(admin_web, editor, workspace, wf):
    """The compare happens under the workflow's row lock: a save that arrives while another transaction
    is writing a version waits for it and then answers 409, instead of comparing with what was
    committed before and overwriting it."""
    db.session.refresh(wf, with_for_update=True)              # another save, not committed yet
    wf_svc.patch(wf, membership(workspace, editor), editor, {"definition": definition(text="Slow save.")})
    answer = {}
    t = threading.Thread(target=lambda: answer.update(
        res=_save(admin_web, wf, definition=definition(text="Meanwhile."), base_version=1)))
    t.start()
    time.sleep(0.5)
    assert t.is_alive() and not answer                          # waiting on the lock
    db.session.commit()
    t.join(timeout=10)
    assert answer["res"].status_code == 409 and answer["res"].get_json()["error"]["latest"]["number"] == 2
    assert _stored(wf)[0]["graph"]["nodes"][0]["config"]["text"] == "Slow save."


def test_viewers_and_forged_requests_are_still_refused(login_as, admin_web, viewer, wf):
    before = _stored(wf)
    web = login_as(viewer)
    for body in ({"base_version": 1}, {"base_version": 7}, {"base_version": 1, "force": True}):
        res = _save(web, wf, definition=definition(text="Forged"), **body)
        assert res.status_code == 403 and res.get_json()["error"]["code"] == "FORBIDDEN"   # the role, not the base
    no_token = _json(admin_web, f"/workflows/{wf.id}/editor/save",
                     {"definition": definition(text="No token"), "base_version": 1}, csrf=False)
    assert no_token.status_code == 400
    missing = _save(admin_web, wf, definition=definition(text="No base"))
    assert missing.status_code == 422 and missing.get_json()["error"]["details"][0]["field"] == "base_version"
    assert _save(admin_web, wf, definition=definition(text="Odd base"), base_version="1").status_code == 422
    assert _stored(wf) == before


def test_the_page_gives_the_tab_its_base(admin_web, wf):
    _save(admin_web, wf, definition=definition(text="Two."), base_version=1)
    assert _data(admin_web.text(f"/workflows/{wf.id}/edit"))["version"] == 2

