"""Every run read is workspace-scoped: another workspace's workflow or run is a 404; scopes apply."""
from tests.conftest import assert_envelope, assert_error
from tests.factories import make_key


def test_every_endpoint_is_404_from_another_workspace(owner_api, other_api, three_line_run, api, workspace, owner):
    wf, run = three_line_run
    base = f"/api/v1/workflows/{wf['id']}/runs"
    card = assert_envelope(owner_api.get(f"{base}/{run['id']}/data"))["data"]["rows"][0]["cards"][0]
    paths = [f"{base}/summary", f"{base}/{run['id']}/data", f"{base}/{run['id']}/overview",
             f"{base}/{run['id']}/analysis", f"{base}/{run['id']}/outputs", f"{base}/{run['id']}/download",
             f"{base}/{run['id']}/nodes/out/download", f"{base}/{run['id']}/audio/{card['audio_id']}/url"]
    for path in paths:
        assert_envelope(owner_api.get(path))
        assert_error(other_api.get(path), 404, "NOT_FOUND")
    # the other workspace's own workflow does not open this run either
    other_wf = assert_envelope(other_api.post("/api/v1/workflows", json={
        "name": "Theirs", "definition": {"graph": {"nodes": [], "edges": []}}}), 201)["data"]
    for path in paths[1:]:
        assert_error(other_api.get(path.replace(wf["id"], other_wf["id"])), 404, "NOT_FOUND")
    # an unknown run id of the right workflow is a 404 too
    for path in paths[1:]:
        assert_error(owner_api.get(path.replace(run["id"], "00000000-0000-0000-0000-000000000000")), 404,
                     "NOT_FOUND")
    # workflows:read is needed; a run-only key is refused
    run_only = api.as_(make_key(workspace, owner, ["workflows:run"], name="run only"))
    for path in paths:
        assert_error(run_only.get(path), 403, "FORBIDDEN")
    # no credentials at all
    assert api.get(paths[1]).status_code == 401
