"""The workflows list page: filters, sort, paging, run stats; new, from template, duplicate, rename,
delete. Viewers see no controls and the server refuses their changes anyway."""
from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.models import Run, Workflow
from app.models.base import utcnow
from app.services import workflows as wf_svc
from tests.factories import membership
from tests.web.conftest import unlabelled_controls


def _wf(ws, user, name, description=None):
    wf = wf_svc.create(ws, membership(ws, user), user, {"name": name, "description": description})
    db.session.commit()
    return wf


def _run(wf, user, status, days_ago=0, number=None):
    n = number or (db.session.scalar(db.select(db.func.count()).select_from(Run).filter_by(workflow_id=wf.id)) + 1)
    r = Run(workspace_id=wf.workspace_id, workflow_id=wf.id, version_id=wf.current_version_id, run_number=n,
            status=status, definition_snapshot={}, triggered_by=user.id)
    db.session.add(r)
    db.session.flush()
    r.created_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return r


def _names(html: str) -> list[str]:
    return re.findall(r'<tr data-workflow-id="[^"]+" data-name="([^"]+)"', html)


def test_list_filters_sort_and_stats(admin_web, workspace, owner):
    a = _wf(workspace, owner, "Alpha narration", "Audiobook chapter one")
    b = _wf(workspace, owner, "Beta prompts")
    _wf(workspace, owner, "Gamma ads")
    _run(a, owner, "completed", days_ago=20)
    _run(a, owner, "failed", days_ago=10)
    _run(a, owner, "completed", days_ago=0)
    _run(b, owner, "failed", days_ago=3)
    html = admin_web.text("/workflows")
    assert set(_names(html)) == {"Alpha narration", "Beta prompts", "Gamma ads"}
    row_a = html.split('data-name="Alpha narration"')[1].split("</tr>")[0]
    assert 'data-last-run="completed"' in row_a and "3" in row_a and "(1 failed)" in row_a
    assert f'href="/workflows/{a.id}/runs"' in row_a          # the run count opens the workflow's run history
    assert f'href="/workflows/{a.id}/runs"' in admin_web.text(f"/workflows/{a.id}/edit")
    assert 'data-last-run="none"' in html.split('data-name="Gamma ads"')[1].split("</tr>")[0]
    assert unlabelled_controls(html) == []

    assert _names(admin_web.text("/workflows?sort=name")) == ["Alpha narration", "Beta prompts", "Gamma ads"]
    assert _names(admin_web.text("/workflows?sort=runs_count"))[0] == "Alpha narration"
    assert _names(admin_web.text("/workflows?search=audiobook")) == ["Alpha narration"]
    assert _names(admin_web.text("/workflows?status=draft")) == ["Gamma ads"]
    assert _names(admin_web.text("/workflows?status=failed")) == ["Beta prompts"]
    assert set(_names(admin_web.text("/workflows?has_failed=true"))) == {"Alpha narration", "Beta prompts"}
    assert _names(admin_web.text("/workflows?has_failed=false")) == ["Gamma ads"]
    assert set(_names(admin_web.text("/workflows?last_run=7"))) == {"Alpha narration", "Beta prompts"}
    assert _names(admin_web.text("/workflows?last_run=1")) == ["Alpha narration"]
    assert "No workflow matches these filters." in admin_web.text("/workflows?search=zzz")


def test_list_pages_and_htmx_partial(admin_web, workspace, owner):
    for i in range(23):
        _wf(workspace, owner, f"Flow {i:02d}")
    first = admin_web.text("/workflows?sort=name")
    assert len(_names(first)) == 20 and "Page 1 of 2" in first and 'rel="next"' in first
    second = admin_web.text("/workflows?sort=name&page=2")
    assert _names(second) == ["Flow 20", "Flow 21", "Flow 22"] and 'rel="prev"' in second
    assert _names(admin_web.text("/workflows?sort=name&page=9")) == ["Flow 20", "Flow 21", "Flow 22"]
    resp = admin_web.get("/workflows?sort=name&search=Flow 0", headers={"HX-Request": "true",
                                                                      "HX-Target": "workflows-panel"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div id="workflows-panel">')
    assert len(_names(body)) == 10
    assert resp.headers["HX-Push-Url"] == "/workflows?search=Flow+0&sort=name"
    assert "HX-Request" in resp.headers.get("Vary", "")


def test_new_blank_and_from_template(admin_web, workspace):
    resp = admin_web.post("/workflows/new", {})
    assert resp.status_code == 302 and re.search(r"/workflows/[0-9a-f-]{36}/edit$", resp.headers["Location"])
    wf = db.session.scalar(db.select(Workflow))
    assert wf.name == "Untitled workflow" and wf.definition == {"graph": {"nodes": [], "edges": []}}

    picker = admin_web.get("/workflows/templates", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Quick English preview" in picker and "credits per 1,000 characters" in picker
    assert "<html" not in picker                                      # the dialog's partial ...
    page = admin_web.get("/workflows/templates").get_data(as_text=True)
    assert "<html" in page and "<h1>Start from a template</h1>" in page   # ... or, opened directly, a page
    assert page.count('class="template-item"') == picker.count('class="template-item"') >= 7
    assert unlabelled_controls(picker) == []
    item = next(li for li in picker.split("<li ")[1:] if "<h3>Quick English preview</h3>" in li)
    template_id = re.search(r'data-template-id="([^"]+)"', item).group(1)
    resp = admin_web.post("/workflows/from-template", {"template_id": template_id}, htmx=True)
    assert resp.status_code == 204 and resp.headers["HX-Redirect"].endswith("/edit")
    made = db.session.scalar(db.select(Workflow).filter_by(name="Quick English preview"))
    assert [n["type"] for n in made.definition["graph"]["nodes"]] == ["source_script", "operator_generator", "sink_preview"]


def test_duplicate_rename_delete_keep_filters(admin_web, workspace, owner):
    wf = _wf(workspace, owner, "Original")
    _wf(workspace, owner, "Other")
    filters = {"search": "orig", "sort": "name"}
    resp = admin_web.post(f"/workflows/{wf.id}/duplicate", filters, htmx=True, headers={"HX-Target": "workflows-panel"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Duplicated as “Original (Copy)”." in html
    assert _names(html) == ["Original", "Original (Copy)"]          # the filters were kept

    resp = admin_web.post(f"/workflows/{wf.id}/rename", {"new_name": "  ", **filters}, htmx=True,
                          headers={"HX-Target": "workflows-panel"})
    assert resp.status_code == 422 and "may not be blank" in resp.get_data(as_text=True)
    resp = admin_web.post(f"/workflows/{wf.id}/rename", {"new_name": "Origin story", **filters}, htmx=True,
                          headers={"HX-Target": "workflows-panel"})
    assert "Renamed to “Origin story”." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Workflow, wf.id).name == "Origin story"

    resp = admin_web.post(f"/workflows/{wf.id}/delete", {}, htmx=True, headers={"HX-Target": "workflows-panel"})
    assert "Deleted “Origin story”." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Workflow, wf.id).deleted_at is not None
    assert admin_web.get(f"/workflows/{wf.id}/edit").status_code == 404


def test_viewer_sees_no_controls_and_is_refused(login_as, workspace, owner, viewer):
    wf = _wf(workspace, owner, "Read me")
    web = login_as(viewer)
    html = web.text("/workflows")
    assert "Read me" in html and "New workflow" not in html and "New from template" not in html
    assert "/duplicate" not in html and "/delete" not in html and "/rename" not in html and ">View<" in html
    gallery = web.text("/workflows/templates")            # the templates page shows them, with no way to use one
    assert "Quick English preview" in gallery and "Editors can start a workflow" in gallery
    assert "/workflows/from-template" not in gallery
    for path, data in ((f"/workflows/{wf.id}/duplicate", {}), (f"/workflows/{wf.id}/rename", {"new_name": "x"}),
                       (f"/workflows/{wf.id}/delete", {}), ("/workflows/new", {})):
        assert web.post(path, data).status_code == 403, path
        assert web.post(path, data, csrf=False).status_code == 400, path   # no CSRF token: refused first
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Workflow)) == 1
    assert db.session.get(Workflow, wf.id).name == "Read me" and db.session.get(Workflow, wf.id).deleted_at is None


def test_other_workspace_workflow_is_404(login_as, admin_web, owner):
    from tests.factories import make_user, make_workspace
    stranger = make_user(email="stranger@example.com")
    other_ws = make_workspace(stranger, name="Elsewhere")
    theirs = _wf(other_ws, stranger, "Theirs")
    for path in (f"/workflows/{theirs.id}/edit", f"/workflows/{theirs.id}/export"):
        assert admin_web.get(path).status_code == 404
    assert admin_web.post(f"/workflows/{theirs.id}/delete", {}).status_code == 404
