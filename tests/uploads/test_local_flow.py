"""The two-step upload flow on LocalStore through the Flask test client (PUT to /_storage/put/<token>)."""
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Upload
from app.services import plans
from app.services import uploads as up_svc
from app.storage import get_store
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_key, make_user, make_workspace
from tests.uploads import corpus
from tests.uploads.conftest import confirm, create, jwt_for, local_put, make_workflow


def _object_exists(upload_id) -> bool:
    u = db.session.get(Upload, upload_id)
    db.session.refresh(u)
    return get_store().head(u.storage_key) is not None


def test_script_flow_put_confirm_download(client, owner_api, workspace, upload_file):
    wf = make_workflow(owner_api)
    up, url = upload_file("lines.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHello there, how are you?\n\n"
                                       b"2\n00:00:02,500 --> 00:00:04,000\nThe weather is fine.\n")
    assert up["status"] == "pending" and up["download_url"] is None and up["size_bytes"] is None
    assert up["content_type"] == "application/x-subrip" and up["format"] == "srt"
    assert urlsplit(url).path.startswith("/_storage/put/")
    key = db.session.get(Upload, up["id"]).storage_key
    assert key.startswith(f"ws/{workspace.id}/uploads/{up['id']}/")
    out = assert_envelope(confirm(owner_api, up["id"], wf))["data"]
    assert out["status"] == "uploaded" and out["context_type"] == "workflow" and out["context_id"] == wf
    assert out["line_count"] == 2 and out["char_count"] == len("Hello there, how are you?") + len("The weather is fine.")
    assert out["detected_language"] == "en" and out["size_bytes"] > 0
    got = client.get(urlsplit(out["download_url"]).path)
    assert got.status_code == 200 and got.data.startswith(b"1\n00:00:01,000")
    lines = up_svc.lines_for_upload(workspace, up["id"])
    assert lines[0] == {"text": "Hello there, how are you?", "meta": {"index": 1, "start_ms": 1000, "end_ms": 2000}}
    # idempotent: confirming again returns the same state
    again = assert_envelope(confirm(owner_api, up["id"], wf))["data"]
    assert {k: again[k] for k in ("status", "size_bytes", "line_count", "updated_at")} == \
           {k: out[k] for k in ("status", "size_bytes", "line_count", "updated_at")}


def test_dictionary_audio_magic_bytes(owner_api, upload_file):
    wf = make_workflow(owner_api)
    up, _ = upload_file("word.wav", corpus.wav(), category="dictionary")
    assert up["content_type"] == "audio/wav"
    out = assert_envelope(confirm(owner_api, up["id"], wf))["data"]
    assert out["status"] == "uploaded" and out["line_count"] is None
    bad, _ = upload_file("fake.mp3", b"this is not audio at all", category="dictionary")
    body = assert_error(confirm(owner_api, bad["id"], wf), 422, "VALIDATION_ERROR")
    assert "wrong magic bytes" in body["error"]["message"]
    assert not _object_exists(bad["id"])


@pytest.mark.parametrize("filename,category,message", [
    ("notes", "script", "must have an extension"),
    ("voice.mp3", "script", ".mp3 is not allowed for script uploads"),
    ("script.txt", "dictionary", ".txt is not allowed for dictionary uploads"),
    ("script.txt", "video", "must be one of"),
])
def test_create_validation(owner_api, filename, category, message):
    body = assert_error(owner_api.post("/api/v1/uploads", json={"filename": filename, "category": category}), 422)
    assert message in body["error"]["message"]


def test_filenames_are_sanitized_and_xlf_is_xliff(owner_api, workspace):
    up, _ = create(owner_api, "../../etc/pass..wd x.txt")
    assert up["filename"] == "../../etc/pass..wd x.txt"
    key = db.session.get(Upload, up["id"]).storage_key
    assert key == f"ws/{workspace.id}/uploads/{up['id']}/pass.wd_x.txt"
    xlf, _ = create(owner_api, "Übersetzung.XLF")
    assert xlf["format"] == "xliff" and xlf["content_type"] == "application/xliff+xml"


def test_put_refuses_wrong_type_expired_and_oversize(client, owner_api, monkeypatch):
    up, url = create(owner_api, "a.txt")
    assert local_put(client, url, b"hello", "application/octet-stream").status_code == 403
    monkeypatch.setitem(up_svc.MAX_BYTES, "script", 10)
    _up2, url2 = create(owner_api, "b.txt")
    assert local_put(client, url2, b"x" * 11, "text/plain").status_code == 413
    monkeypatch.setattr(up_svc, "UPLOAD_URL_TTL", -1)
    _up3, url3 = create(owner_api, "c.txt")
    resp = local_put(client, url3, b"hello", "text/plain")
    assert resp.status_code == 403 and b"expired" in resp.data
    # nothing was PUT: confirm says so and the upload stays pending
    wf = make_workflow(owner_api)
    body = assert_error(confirm(owner_api, up["id"], wf), 422)
    assert "not uploaded" in body["error"]["message"]
    assert db.session.get(Upload, up["id"]).status == "pending"


def test_quota_402_stays_pending_then_delete_releases(client, owner, owner_api, workspace, upload_file, monkeypatch):
    monkeypatch.setitem(plans.PLANS, owner.plan, replace(plans.get_plan(owner.plan), storage_bytes_per_workspace=40))
    wf = make_workflow(owner_api)
    first, _ = upload_file("one.txt", b"Twenty-five bytes of text")
    assert assert_envelope(confirm(owner_api, first["id"], wf))["data"]["size_bytes"] == 25
    second, _ = upload_file("two.txt", b"Another twenty-five bytes")
    body = assert_error(confirm(owner_api, second["id"], wf), 402, "PAYMENT_REQUIRED")
    assert "quota" in body["error"]["message"].lower()
    row = db.session.get(Upload, second["id"])
    db.session.refresh(row)
    assert row.status == "pending" and row.size_bytes is None and _object_exists(second["id"])
    assert up_svc.storage_used(workspace.id) == 25
    # deleting the first releases its bytes; the second now fits
    assert assert_envelope(owner_api.delete(f"/api/v1/uploads/{first['id']}"))["data"] == {}
    assert up_svc.storage_used(workspace.id) == 0
    assert db.session.get(Upload, first["id"]) is None
    assert assert_envelope(confirm(owner_api, second["id"], wf))["data"]["status"] == "uploaded"


def test_delete_pending_removes_object_and_row(owner_api, upload_file):
    up, _ = upload_file("p.txt", b"pending text")
    key = db.session.get(Upload, up["id"]).storage_key
    assert_envelope(owner_api.delete(f"/api/v1/uploads/{up['id']}"))
    assert get_store().head(key) is None
    assert_error(owner_api.delete(f"/api/v1/uploads/{up['id']}"), 404)


MALFORMED_API = [
    ("bad.txt", b"line one\nline two\n\xc3\x28 broken", "Invalid UTF-8 at line 3"),
    ("image.txt", corpus.PNG, "PNG image"),
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"   \n\n", "no text"),
    ("subs.srt", b"1\n00:00:01 --> 00:00:02\nHi\n", "Line 2: malformed timing"),
    ("rows.csv", b"text,de-de\nHello,Hallo\nA,B,C\n", "CSV line 3"),
    ("lines.json", b"[\"a\",", "Invalid JSON"),
    ("doc.xliff", corpus.XLIFF_BROKEN, "Broken XML"),
    ("xxe.xlf", corpus.XLIFF_XXE, "DTD or entities"),
    ("bomb.docx", corpus.zip_bomb(), "zip bomb"),
    ("fake.docx", b"plain text pretending", "not a ZIP archive"),
    ("fake.pdf", b"plain text pretending", "%PDF-"),
    ("locked.pdf", corpus.encrypted_pdf(), "encrypted"),
]


@pytest.mark.parametrize("filename,data,message", MALFORMED_API, ids=[m[0] for m in MALFORMED_API])
def test_malformed_corpus_rejected_nothing_stored(owner_api, workspace, upload_file, filename, data, message):
    wf = make_workflow(owner_api)
    up, _ = upload_file(filename, data)
    body = assert_error(confirm(owner_api, up["id"], wf), 422, "VALIDATION_ERROR")
    assert message in body["error"]["message"]
    row = db.session.get(Upload, up["id"])
    db.session.refresh(row)
    assert row.status == "pending" and row.size_bytes is None and row.lines is None
    assert not _object_exists(up["id"])
    assert up_svc.storage_used(workspace.id) == 0


def test_tenancy_and_roles(client, api, owner, owner_api, workspace, upload_file):
    wf = make_workflow(owner_api)
    up, _ = upload_file("mine.txt", b"Hello there.")
    # another workspace: its workflow is a 404 as a context, and our upload is a 404 for them
    other_owner = make_user()
    other_ws = make_workspace(other_owner)
    other_api = api.as_(make_key(other_ws, other_owner))
    other_wf = make_workflow(other_api)
    assert_error(confirm(owner_api, up["id"], other_wf), 404)
    assert_error(confirm(other_api, up["id"], other_wf), 404)
    assert_error(other_api.delete(f"/api/v1/uploads/{up['id']}"), 404)
    assert_error(other_api.get(f"/api/v1/workflows/{wf}/uploads"), 404)
    # another member of the same workspace cannot confirm or delete my upload
    editor = add_member(workspace, role="editor")
    editor_api = api.as_(make_key(workspace, editor))
    assert_error(confirm(editor_api, up["id"], wf), 404)
    assert_error(editor_api.delete(f"/api/v1/uploads/{up['id']}"), 404)
    # viewers cannot create, confirm or delete
    viewer = add_member(workspace, role="viewer")
    viewer_api = api.as_(jwt_for(viewer), workspace.id)
    assert_error(viewer_api.post("/api/v1/uploads", json={"filename": "v.txt", "category": "script"}), 403)
    assert_error(confirm(viewer_api, up["id"], wf), 403)
    assert_error(viewer_api.delete(f"/api/v1/uploads/{up['id']}"), 403)
    # a key without uploads:write
    ro = api.as_(make_key(workspace, owner, ["workflows:read"]))
    assert_error(ro.post("/api/v1/uploads", json={"filename": "r.txt", "category": "script"}), 403)
    # a browser token without X-Workspace-Id: the workspace is inferred from the upload
    browser = api.as_(jwt_for(owner))
    assert assert_envelope(confirm(browser, up["id"], wf))["data"]["status"] == "uploaded"
    assert db.session.scalar(select(Upload.status).where(Upload.id == up["id"])) == "uploaded"


def test_confirm_body_validation(owner_api, upload_file):
    up, _ = upload_file("v.txt", b"Hello.")
    assert_error(owner_api.post(f"/api/v1/uploads/{up['id']}", json={"context_type": "board", "context_id": "x"}), 422)
    assert_error(owner_api.post(f"/api/v1/uploads/{up['id']}", json={"context_type": "workflow"}), 422)
    out = assert_envelope(owner_api.post(f"/api/v1/uploads/{up['id']}",
                                         json={"context_type": "playground", "context_id": "pg-1"}))["data"]
    assert out["context_type"] == "playground" and out["context_id"] == "pg-1"


def test_list_workflow_uploads(client, owner_api, workspace, upload_file):
    wf = make_workflow(owner_api)
    attached, _ = upload_file("attached.txt", b"Attached to the workflow.")
    assert_envelope(confirm(owner_api, attached["id"], wf))
    referenced, _ = upload_file("referenced.txt", b"Referenced by the script node.")
    assert_envelope(owner_api.post(f"/api/v1/uploads/{referenced['id']}",
                                   json={"context_type": "playground", "context_id": "p1"}))
    pending, _ = upload_file("pending.txt", b"Never confirmed.")
    unrelated, _ = upload_file("unrelated.txt", b"Somewhere else.")
    assert_envelope(owner_api.post(f"/api/v1/uploads/{unrelated['id']}",
                                   json={"context_type": "playground", "context_id": "p2"}))
    defn = {"graph": {"nodes": [{"id": "src", "type": "source_script", "position": {"x": 0, "y": 0},
                                 "config": {"upload_id": referenced["id"]}},
                                {"id": "src2", "type": "source_script", "position": {"x": 0, "y": 200},
                                 "config": {"upload_id": pending["id"]}}], "edges": []}}
    assert_envelope(owner_api.patch(f"/api/v1/workflows/{wf}", json={"definition": defn}))
    body = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf}/uploads"))
    ids = {u["id"] for u in body["data"]}
    assert ids == {attached["id"], referenced["id"]}
    assert "total" not in body["pagination"] and body["pagination"]["next"] is None
    for item in body["data"]:
        got = client.get(urlsplit(item["download_url"]).path)
        assert got.status_code == 200 and got.data in (b"Attached to the workflow.", b"Referenced by the script node.")
    page = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf}/uploads?limit=1"))
    assert len(page["data"]) == 1 and page["pagination"]["next"]
    assert_error(owner_api.get(f"/api/v1/workflows/{wf}/uploads?limit=101"), 422)
    assert_error(owner_api.get(f"/api/v1/workflows/{wf}/uploads?limit=0"), 422)


def test_lines_for_upload_errors(owner_api, workspace, upload_file):
    from app.errors import NotFound, ValidationFailed
    up, _ = upload_file("later.txt", b"Not yet confirmed.")
    with pytest.raises(ValidationFailed):
        up_svc.lines_for_upload(workspace, up["id"])
    with pytest.raises(NotFound):
        up_svc.lines_for_upload(make_workspace(), up["id"])
    with pytest.raises(NotFound):
        up_svc.lines_for_upload(workspace, "no-such-id")
