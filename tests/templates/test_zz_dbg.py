import logging, traceback
def test_dbg(owner_api, caplog):
    from tests.templates.helpers import gallery
    t = gallery(owner_api, "?limit=100")["data"][0]
    r = owner_api.patch(f"/api/v1/templates/{t['id']}", json={"definition": t["definition"]})
    for rec in caplog.records:
        if rec.exc_info:
            print("".join(traceback.format_exception(*rec.exc_info)))
    assert 0
