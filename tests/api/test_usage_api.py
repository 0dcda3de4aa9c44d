"""usage.* over HTTP: every parameter edge (422 naming the field), the member filter's 404, cursor
paging and tampering, scopes, workspace isolation, and what admins, editors and viewers see.
Responses are parsed with the official SDK's models, so a missing required field fails here."""
from datetime import timedelta

import pytest
from onepin.types import ApiListResponseUsageActivityOut, ApiResponseUsageByLanguageOut, ApiResponseUsageSummaryOut

from app.models import SCOPES
from app.models.base import utcnow
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_key, make_user, make_workspace
from tests.services import usage_data

SUMMARY, BY_LANGUAGE, ACTIVITY = "/api/v1/usage/summary", "/api/v1/usage/by-language", "/api/v1/usage/activity"
ALL = (SUMMARY, BY_LANGUAGE, ACTIVITY)


@pytest.fixture
def team(owner, workspace, api):
    """Owner (admin), an editor and a viewer of one workspace, each with a key (the viewer's read-only); a run by each
    of the first two an hour ago, and a few events carrying an IP address. Eight events in all: two
    workflow_run, three settings_changed, three api_key_created (the keys)."""
    editor = add_member(workspace, make_user(email="editor@example.com", name="Edna"), "editor")
    viewer = add_member(workspace, make_user(email="viewer@example.com", name="Vic"), "viewer")
    at = utcnow() - timedelta(hours=1)
    usage_data.run(workspace, owner, at, [{"locale": "en-us", "text": "Hello there.", "milli": 1500}], credits=2)
    usage_data.run(workspace, editor, at + timedelta(minutes=1), [{"locale": "de-de", "text": "Hallo.", "milli": 900}],
                   credits=1)
    for i in range(3):
        usage_data.event(workspace, owner, at + timedelta(minutes=2 + i), ip="192.0.2.7")
    keys = {who: make_key(workspace, u, scopes, name=who) for who, u, scopes in
            (("admin", owner, "all"), ("editor", editor, "all"), ("viewer", viewer, ["workspace:read"]))}
    return {"api": {who: api.as_(k) for who, k in keys.items()}, "editor": editor, "viewer": viewer}


def test_summary_parses_with_the_sdk_model_and_counts_the_workspace(team):
    body = assert_envelope(team["api"]["admin"].get(SUMMARY + "?timezone=Europe/Berlin&activity_view=weekly"))
    data = ApiResponseUsageSummaryOut.model_validate(body).data
    assert data.range == "30d" and data.activity_view == "weekly" and data.timezone == "Europe/Berlin"
    assert body["data"]["credits"]["workspace_total"] == 3 and data.runs.total == 2 and data.lines.total == 2
    assert data.characters.total == len("Hello there.Hallo.") and len(data.activity.buckets) == 12
    assert data.activity.bucket_unit == "week" and len(data.daily) == 30


def test_by_language_and_activity_parse_with_the_sdk_models(team):
    body = assert_envelope(team["api"]["viewer"].get(BY_LANGUAGE + "?range=90d"))
    data = ApiResponseUsageByLanguageOut.model_validate(body).data
    assert data.range == "90d" and data.activity_view is None
    assert {r.locale_code: r.credits for r in data.languages} == {"en-us": 2, "de-de": 1}
    body = assert_envelope(team["api"]["viewer"].get(BY_LANGUAGE + "?range=90d&activity_view=daily"))
    assert body["data"]["range"] is None and body["data"]["activity_view"] == "daily"
    body = assert_envelope(team["api"]["viewer"].get(ACTIVITY))
    feed = ApiListResponseUsageActivityOut.model_validate(body)
    assert len(feed.data) == 8 and feed.pagination.limit == 20 and feed.pagination.next is None
    assert [e.timestamp for e in feed.data] == sorted((e.timestamp for e in feed.data), reverse=True)


def test_every_role_sees_the_same_workspace_figures_but_its_own_credits(team):
    sums = {who: assert_envelope(a.get(SUMMARY))["data"] for who, a in team["api"].items()}
    strip = [{k: v for k, v in s.items() if k != "credits"} for s in sums.values()]
    assert strip[0] == strip[1] == strip[2]
    assert {s["credits"]["workspace_total"] for s in sums.values()} == {3}
    assert sums["admin"]["credits"]["used"] == 2 and sums["editor"]["credits"]["used"] == 1
    assert sums["viewer"]["credits"]["used"] == 0


def test_ip_addresses_are_shown_to_admins_only(team):
    admin = assert_envelope(team["api"]["admin"].get(ACTIVITY + "?type=settings_changed"))["data"]
    assert len(admin) == 3 and {e["ip"] for e in admin} == {"192.0.2.7"}
    for who in ("editor", "viewer"):
        rows = assert_envelope(team["api"][who].get(ACTIVITY + "?type=settings_changed"))["data"]
        assert len(rows) == 3 and {e["ip"] for e in rows} == {None}


FRAME_CASES = [("timezone=Mars/Olympus", "timezone"), ("timezone=%2Fetc%2Fpasswd", "timezone"),
               ("timezone=" + "A" * 65, "timezone"), ("range=7d", "range"), ("range=30", "range"),
               ("activity_view=hourly", "activity_view")]


# usage_activity has no activity_view parameter (the contract's query list)
@pytest.mark.parametrize("path,query,field", [(p, q, f) for p in ALL for q, f in FRAME_CASES
                                              if not (p == ACTIVITY and f == "activity_view")])
def test_bad_frame_parameters_are_422_naming_the_field(team, path, query, field):
    body = assert_error(team["api"]["admin"].get(f"{path}?{query}"), 422, "VALIDATION_ERROR")
    assert field in {d["field"] for d in body["error"]["details"]}


@pytest.mark.parametrize("path", ALL)
@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Etc/GMT+12"])
def test_any_iana_timezone_is_accepted_and_echoed(team, path, tz):
    body = assert_envelope(team["api"]["admin"].get(path, query_string={"timezone": tz}))
    if path != ACTIVITY:
        assert body["data"]["timezone"] == tz


@pytest.mark.parametrize("query,field", [("limit=0", "limit"), ("limit=101", "limit"), ("limit=-1", "limit"),
                                         ("limit=1.5", "limit"), ("limit=many", "limit"), ("type=voice_cloned", "type"),
                                         ("cursor=garbage", "cursor")])
def test_bad_activity_parameters_are_422(team, query, field):
    body = assert_error(team["api"]["admin"].get(f"{ACTIVITY}?{query}"), 422, "VALIDATION_ERROR")
    assert field in {d["field"] for d in body["error"]["details"]}


def test_every_bad_parameter_is_named_at_once(team):
    body = assert_error(team["api"]["admin"].get(f"{ACTIVITY}?limit=0&timezone=Mars/Olympus&type=x"), 422)
    assert {d["field"] for d in body["error"]["details"]} == {"limit", "timezone", "type"}
    body = assert_error(team["api"]["admin"].get(f"{SUMMARY}?range=1y&timezone=Nowhere&activity_view=x"), 422)
    assert {d["field"] for d in body["error"]["details"]} == {"range", "timezone", "activity_view"}
    assert_envelope(team["api"]["admin"].get(f"{ACTIVITY}?activity_view=hourly"))   # not a feed parameter


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_bounds_are_inclusive(team, limit):
    body = assert_envelope(team["api"]["admin"].get(f"{ACTIVITY}?limit={limit}"))
    assert body["pagination"]["limit"] == limit and len(body["data"]) == min(limit, 8)


def test_cursor_pages_to_the_end_and_refuses_tampering(team, workspace):
    a = team["api"]["admin"]
    first = assert_envelope(a.get(f"{ACTIVITY}?limit=3"))
    cursor = first["pagination"]["next"]
    assert cursor and len(first["data"]) == 3
    second = assert_envelope(a.get(ACTIVITY, query_string={"limit": 3, "cursor": cursor}))
    third = assert_envelope(a.get(ACTIVITY, query_string={"limit": 3, "cursor": second["pagination"]["next"]}))
    assert third["pagination"]["next"] is None and len(third["data"]) == 2
    ids = [e["id"] for page in (first, second, third) for e in page["data"]]
    assert len(set(ids)) == 8
    for bad in (cursor[:-1] + ("A" if cursor[-1] != "A" else "B"), "x" + cursor, cursor[::-1]):
        body = assert_error(a.get(ACTIVITY, query_string={"limit": 2, "cursor": bad}), 422, "VALIDATION_ERROR")
        assert body["error"]["details"][0]["field"] == "cursor"
    # a cursor of this workspace is no cursor in another one
    other = make_workspace(make_user(email="solo@example.com"))
    other_owner = other.owner_id
    from app.extensions import db
    from app.models import User
    key = make_key(other, db.session.get(User, other_owner), "all")
    assert_error(a.as_(key).get(ACTIVITY, query_string={"cursor": cursor}), 422, "VALIDATION_ERROR")


def test_member_filter_404s_for_anyone_who_is_not_a_member(team, workspace):
    a = team["api"]["admin"]
    rows = assert_envelope(a.get(ACTIVITY, query_string={"user_id": team["editor"].id}))["data"]
    assert sorted(r["action"] for r in rows) == ["api_key_created", "workflow_run"]
    assert {r["user"]["id"] for r in rows} == {team["editor"].id} and rows[0]["user"]["name"] == "Edna"
    combined = assert_envelope(a.get(ACTIVITY, query_string={"user_id": team["editor"].id,
                                                               "type": "settings_changed"}))["data"]
    assert combined == []
    outsider = make_user(email="outsider@example.com")
    make_workspace(outsider)
    for uid in (outsider.id, "00000000-0000-4000-8000-000000000000", "nope"):
        assert_error(a.get(ACTIVITY, query_string={"user_id": uid}), 404, "NOT_FOUND")


@pytest.mark.parametrize("path", ALL)
def test_scope_workspace_read_is_needed_and_enough(api, owner, workspace, team, path):
    without = make_key(workspace, owner, [s for s in SCOPES if s != "workspace:read"])
    assert_error(api.as_(without).get(path), 403, "FORBIDDEN")
    only = make_key(workspace, owner, ["workspace:read"])
    assert_envelope(api.as_(only).get(path))


@pytest.mark.parametrize("path", ALL)
def test_another_workspace_is_404_and_no_credentials_401(api, owner, workspace, team, path):
    from tests.api.conftest import jwt_for
    stranger = make_user(email="stranger@example.com")
    theirs = make_workspace(stranger)
    session = api.as_(jwt_for(owner))
    assert_envelope(session.get(path, headers={"X-Workspace-Id": workspace.id}))
    assert_error(session.get(path, headers={"X-Workspace-Id": theirs.id}), 404, "NOT_FOUND")
    assert_error(api.get(path), 401)


def test_another_workspace_sees_none_of_these_figures(api, team):
    stranger = make_user(email="stranger2@example.com")
    theirs = make_workspace(stranger)
    key = make_key(theirs, stranger, "all")
    s = assert_envelope(api.as_(key).get(SUMMARY))["data"]
    assert s["credits"]["workspace_total"] == 0 and s["runs"]["total"] == 0 and s["characters"]["total"] == 0
    assert assert_envelope(api.as_(key).get(BY_LANGUAGE))["data"]["languages"] == []
    assert all(e["action"] != "workflow_run" for e in assert_envelope(api.as_(key).get(ACTIVITY))["data"])
