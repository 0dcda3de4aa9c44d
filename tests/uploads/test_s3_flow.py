"""The same flow against S3Store on a local S3 endpoint (moto ThreadedMotoServer).

moto does not enforce the presigned policy (content type, size, expiry), so these tests prove that
confirm's HEAD check catches what real S3 would have refused at PUT time.
"""
import os

import boto3
import httpx
import pytest

from app.extensions import db
from app.models import Upload
from app.services import uploads as up_svc
from app.storage.s3 import S3Store
from tests.conftest import (
    TEST_REDIS,
    Api,
    _fresh_context_client_class,
    assert_envelope,
    assert_error,
)
from tests.uploads import corpus
from tests.uploads.conftest import make_workflow

BUCKET = "onepin-test"


@pytest.fixture(scope="module")
def s3_url():
    from moto.server import ThreadedMotoServer
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"})
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    yield f"s3://{BUCKET}/tenants?endpoint={endpoint}"
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="module")
def s3_app(app, s3_url):
    from app import create_app
    application = create_app({"STORAGE_URL": s3_url, "TESTING": True, "RATELIMIT_STORAGE_URI": TEST_REDIS})
    application.test_client_class = _fresh_context_client_class()
    return application


@pytest.fixture
def s3(s3_url):
    return S3Store.from_url(s3_url)


@pytest.fixture
def s3_api(s3_app, owner_key):
    return Api(s3_app.test_client(), owner_key)


def _create_and_put(s3_api, filename, data, category="script", content_type=None):
    resp = assert_envelope(s3_api.post("/api/v1/uploads", json={"filename": filename, "category": category}))["data"]
    up, url = resp["upload"], resp["upload_url"]
    put = httpx.put(url, content=data, headers={"Content-Type": content_type or up["content_type"]},
                    follow_redirects=False, timeout=10)
    assert put.status_code == 200, put.text
    return up, url


def _confirm(s3_api, upload_id, wf):
    return s3_api.post(f"/api/v1/uploads/{upload_id}", json={"context_type": "workflow", "context_id": wf})


def test_s3_flow_presigned_put_confirm_download_delete(s3_api, s3, workspace):
    wf = make_workflow(s3_api)
    data = "text,de-de\nGood morning everyone.,Guten Morgen zusammen.\nSee you soon.,Bis bald.\n".encode()
    up, url = _create_and_put(s3_api, "bilingual.csv", data)
    assert "X-Amz-Signature=" in url and f"/{BUCKET}/tenants/ws/{workspace.id}/uploads/{up['id']}/" in url
    out = assert_envelope(_confirm(s3_api, up["id"], wf))["data"]
    assert out["status"] == "uploaded" and out["line_count"] == 2 and out["size_bytes"] == len(data)
    got = httpx.get(out["download_url"], timeout=10)
    assert got.status_code == 200 and got.content == data
    lines = up_svc.lines_for_upload(workspace, up["id"])
    assert lines[1] == {"text": "See you soon.", "meta": {"translations": {"de-de": "Bis bald."}}}
    listed = assert_envelope(s3_api.get(f"/api/v1/workflows/{wf}/uploads"))["data"]
    assert [u["id"] for u in listed] == [up["id"]] and httpx.get(listed[0]["download_url"]).content == data
    key = db.session.get(Upload, up["id"]).storage_key
    assert s3.head(key) is not None
    assert_envelope(s3_api.delete(f"/api/v1/uploads/{up['id']}"))
    assert s3.head(key) is None and db.session.get(Upload, up["id"]) is None


def test_s3_wrong_content_type_caught_at_confirm(s3_api, s3):
    wf = make_workflow(s3_api)
    up, _ = _create_and_put(s3_api, "script.txt", b"Hello there.", content_type="application/octet-stream")
    body = assert_error(_confirm(s3_api, up["id"], wf), 422, "VALIDATION_ERROR")
    assert "expected text/plain" in body["error"]["message"]
    row = db.session.get(Upload, up["id"])
    assert row.status == "pending" and s3.head(row.storage_key) is None


def test_s3_oversize_caught_at_confirm(s3_api, s3, monkeypatch):
    monkeypatch.setitem(up_svc.MAX_BYTES, "dictionary", 1000)
    wf = make_workflow(s3_api)
    up, _ = _create_and_put(s3_api, "word.wav", corpus.wav(seconds=0.5), category="dictionary")
    body = assert_error(_confirm(s3_api, up["id"], wf), 422)
    assert "at most 1000 bytes" in body["error"]["message"]
    row = db.session.get(Upload, up["id"])
    assert row.status == "pending" and s3.head(row.storage_key) is None


def test_s3_not_uploaded_and_malformed(s3_api, s3, workspace):
    wf = make_workflow(s3_api)
    resp = assert_envelope(s3_api.post("/api/v1/uploads", json={"filename": "never.txt", "category": "script"}))
    assert "not uploaded" in assert_error(_confirm(s3_api, resp["data"]["upload"]["id"], wf), 422)["error"]["message"]
    up, _ = _create_and_put(s3_api, "picture.txt", corpus.PNG)
    assert "PNG image" in assert_error(_confirm(s3_api, up["id"], wf), 422)["error"]["message"]
    assert s3.head(db.session.get(Upload, up["id"]).storage_key) is None
    assert up_svc.storage_used(workspace.id) == 0
