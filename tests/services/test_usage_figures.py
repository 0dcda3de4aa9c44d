"""Usage figures over synthetic rows at chosen instants: local-day buckets in a timezone (DST included),
weekly and monthly frames, the per-language split of the ledger, and the activity feed's paging."""
from datetime import datetime, timezone

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import NotFound, ValidationFailed
from app.services import usage, usage_activity, usage_window
from tests.factories import add_member, make_user, make_workspace, membership
from tests.services import usage_data

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)          # a Tuesday; US DST began on Sunday the 8th


def utc(*a):
    return datetime(*a, tzinfo=timezone.utc)


def q(**args):
    return usage_window.parse(MultiDict(args))


def line(locale, text, milli=0, ms=1000, attempts=1, delivered=True):
    return {"locale": locale, "text": text, "milli": milli, "ms": ms, "attempts": attempts, "delivered": delivered}


@pytest.fixture
def scene(owner, workspace):
    """Two runs 1 h apart that share a UTC day but not a Tokyo day, one just after a New York local
    midnight (in EDT, an hour after the first DST day), and one 54 days back."""
    editor = add_member(workspace, make_user(email="ed@example.com", name="Ed"), "editor")
    r1 = usage_data.run(workspace, owner, utc(2026, 3, 8, 14, 30),
                        [line("en-us", "Hello there.", milli=1500, ms=900), line("en-us", "Second line!", 1000, 1100)],
                        credits=3)
    r2 = usage_data.run(workspace, editor, utc(2026, 3, 8, 15, 30), [line("de-de", "Guten Tag.", 800, 700, attempts=2)],
                        credits=2)
    r3 = usage_data.run(workspace, owner, utc(2026, 3, 9, 4, 30), [line("en-us", "Late night.", 400, 500)], credits=1)
    old = usage_data.run(workspace, editor, utc(2026, 1, 15, 9, 0), [line("fr-fr", "Bonjour.", 300, 400)], credits=1)
    return {"editor": editor, "runs": (r1, r2, r3, old)}


def by_label(buckets):
    return {b["label"]: b for b in buckets}


def test_daily_buckets_follow_the_local_day(workspace, scene):
    tokyo = by_label(usage.activity_summary(workspace.id, q(timezone="Asia/Tokyo"), NOW)["buckets"])
    assert list(tokyo) == [f"2026-03-{d:02d}" for d in range(4, 11)]
    assert tokyo["2026-03-08"]["credits"] == 3 and tokyo["2026-03-09"]["credits"] == 2 + 1
    assert tokyo["2026-03-08"]["start"] == "2026-03-07T15:00:00Z"           # Tokyo midnight in UTC
    in_utc = by_label(usage.activity_summary(workspace.id, q(), NOW)["buckets"])
    assert in_utc["2026-03-08"]["credits"] == 3 + 2 and in_utc["2026-03-09"]["credits"] == 1
    assert in_utc["2026-03-08"]["characters"] == len("Hello there.Second line!") + 2 * len("Guten Tag.")
    assert in_utc["2026-03-08"]["lines"] == 3 and in_utc["2026-03-08"]["runs"] == 2
    ny = by_label(usage.activity_summary(workspace.id, q(timezone="America/New_York"), NOW)["buckets"])
    # Mar 8 in New York is 23 h long (05:00Z to 04:00Z): the 04:30Z run is already on the 9th
    assert (ny["2026-03-08"]["start"], ny["2026-03-08"]["end"]) == ("2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z")
    assert ny["2026-03-08"]["credits"] == 5 and ny["2026-03-09"]["credits"] == 1


def test_activity_total_avg_and_peak(workspace, scene):
    act = usage.activity_summary(workspace.id, q(timezone="Asia/Tokyo"), NOW)
    assert act["view"] == "daily" and act["bucket_unit"] == "day" and act["range_label"] == "Last 7 days"
    assert act["total"] == 6 and act["avg"] == round(6 / 7, 2)
    assert act["peak"]["value"] == 3 and act["peak"]["label"] in ("2026-03-08", "2026-03-09")


def test_weekly_buckets_start_on_monday_and_monthly_cover_twelve_months(workspace, scene):
    weekly = usage.activity_summary(workspace.id, q(activity_view="weekly", timezone="Asia/Tokyo"), NOW)
    assert len(weekly["buckets"]) == 12 and weekly["bucket_unit"] == "week"
    last, before = weekly["buckets"][-1], weekly["buckets"][-2]
    assert last["label"] == "2026-W11" and last["start"] == "2026-03-08T15:00:00Z"     # Monday 9 March, Tokyo
    assert last["credits"] == 2 + 1 and before["credits"] == 3           # Sunday 23:30 belongs to the week before
    utc_weeks = usage.activity_summary(workspace.id, q(activity_view="weekly"), NOW)["buckets"]
    assert utc_weeks[-1]["credits"] == 1 and utc_weeks[-2]["credits"] == 5
    assert sum(b["credits"] for b in utc_weeks) == 7                       # the January run is 8 weeks back
    monthly = usage.activity_summary(workspace.id, q(activity_view="monthly"), NOW)
    assert [b["label"] for b in monthly["buckets"]][0::11] == ["2025-04", "2026-03"]
    assert by_label(monthly["buckets"])["2026-01"]["credits"] == 1 and monthly["total"] == 7


def test_summary_totals_are_the_sums_of_the_daily_rows(owner, workspace, scene):
    s = usage.summary(workspace, owner, q(range="30d"), NOW)
    assert len(s["daily"]) == 30 and s["daily"][-1]["date"] == "2026-03-10"
    assert s["credits"]["workspace_total"] == sum(d["credits"] for d in s["daily"]) == 6
    chars = len("Hello there.Second line!") + 2 * len("Guten Tag.") + len("Late night.")
    assert s["characters"]["total"] == sum(d["characters"] for d in s["daily"]) == chars
    assert s["lines"]["total"] == 4 and s["audio"]["total_ms"] == 900 + 1100 + 700 + 500
    assert s["lines"]["avg_chars_per_line"] == round(chars / 5, 2)          # 5 generator takes (one retry)
    assert s["corrected"]["total"] == 1
    assert s["runs"] == {"total": 3, "completed": 3, "failed": 0, "cancelled": 0, "running": 0, "pending": 0,
                         "paused": 0}
    s60 = usage.summary(workspace, owner, q(range="60d"), NOW)
    assert s60["credits"]["workspace_total"] == 7 and s60["runs"]["total"] == 4 and len(s60["daily"]) == 60


def test_allocate_adds_up_and_breaks_ties_by_key():
    assert usage.allocate(1, {"en-us": 700, "de-de": 300}) == {"en-us": 1, "de-de": 0}
    assert usage.allocate(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert usage.allocate(7, {"a": 0, "b": 5}) == {"b": 7}
    assert usage.allocate(3, {"a": 0}) == {} and usage.allocate(0, {"a": 4}) == {}
    for total in range(0, 40):
        parts = usage.allocate(total, {"x": 333, "y": 333, "z": 334})
        assert sum(parts.values()) == (total if total else 0)


def test_by_language_splits_the_ledger_to_the_credit(owner, workspace, scene):
    when = utc(2026, 3, 10, 1, 0)
    mixed = usage_data.run(workspace, owner, when, [line("en-us", "One two.", 700), line("de-de", "Eins.", 300)],
                           credits=1, number=2)          # the run minimum, split by metered cost
    unmetered = usage_data.run(workspace, owner, when, [line("en-us", "abc", 0), line("de-de", "abcdefghi", 0)],
                               credits=4, number=3)      # no metered cost: split by characters
    empty = usage_data.run(workspace, owner, when, [], credits=2, number=4)   # nothing to split by
    out = usage.by_language(workspace, q(range="30d"), NOW)
    rows = {r["locale_code"]: r for r in out["languages"]}
    assert out["total_credits"] == 6 + 1 + 4 + 2 and out["untagged_credits"] == 2
    assert sum(r["credits"] for r in rows.values()) + out["untagged_credits"] == out["total_credits"]
    assert rows["en-us"]["credits"] == 3 + 1 + 1 + 1      # r1, r3, the mixed run's minimum, 1 of 4 by characters
    assert rows["de-de"]["credits"] == 2 + 0 + 3
    assert rows["en-us"]["allocation_basis"] == "mixed" and rows["de-de"]["allocation_basis"] == "mixed"
    assert rows["de-de"]["corrected"] == 1 and rows["de-de"]["lines"] == 3
    assert rows["en-us"]["display_name"] == "English (United States)"
    assert rows["en-us"]["share"] == round(6 / 13, 6)
    assert [r["locale_code"] for r in out["languages"]] == ["en-us", "de-de"]      # by credits
    assert "fr-fr" not in rows                                                      # 54 days back
    assert out["range"] == "30d" and out["activity_view"] is None
    del mixed, unmetered, empty


def test_by_language_with_an_activity_view_ignores_the_range(workspace, scene):
    out = usage.by_language(workspace, q(range="30d", activity_view="monthly"), NOW)
    assert out["range"] is None and out["activity_view"] == "monthly"
    assert {r["locale_code"] for r in out["languages"]} == {"en-us", "de-de", "fr-fr"}
    assert out["period"] == {"start": "2025-04-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}


def test_caller_credits_are_the_callers_own(owner, workspace, scene):
    from app.services import credits
    start, end = credits.period_bounds()
    assert usage.caller_credits(owner)["used"] == credits.used_in_period(owner.id, start, end)
    assert usage.caller_credits(owner)["quota"] == 10_000


@pytest.mark.parametrize("args,field", [({"timezone": "Mars/Olympus"}, "timezone"), ({"timezone": "../etc"}, "timezone"),
                                        ({"range": "7d"}, "range"), ({"activity_view": "hourly"}, "activity_view")])
def test_bad_frame_parameters_name_the_field(args, field):
    with pytest.raises(ValidationFailed) as e:
        q(**args)
    assert e.value.for_field(field)


# ---- the activity feed --------------------------------------------------------------------------------

@pytest.fixture
def feed_scene(owner, workspace):
    other = add_member(workspace, make_user(email="viewer@example.com"), "viewer")
    evs = [usage_data.event(workspace, owner if i % 3 else other, utc(2026, 3, 10, 11, 0, i),
                            "api_key_created" if i % 5 == 0 else "settings_changed", ip="10.0.0.1") for i in range(45)]
    usage_data.event(workspace, owner, utc(2026, 1, 1))                  # outside 30d, inside 90d
    return {"other": other, "events": evs}


def page_through(ws, m, query, filters):
    seen, cursor = [], None
    while True:
        rows, cursor = usage_activity.feed(ws, m, query, {**filters, "cursor": cursor}, NOW)
        seen += rows
        if cursor is None:
            return seen


def test_feed_pages_newest_first_without_gaps_or_repeats(owner, workspace, feed_scene):
    m = membership(workspace, owner)
    rows, cursor = usage_activity.feed(workspace, m, q(), {"limit": 20}, NOW)
    assert len(rows) == 20 and cursor
    everything = page_through(workspace, m, q(), {"limit": 20})
    ids = [r["id"] for r in everything]
    assert len(ids) == 45 == len(set(ids))
    assert ids == [e.id for e in sorted(feed_scene["events"], key=lambda e: e.created_at, reverse=True)]
    assert len(page_through(workspace, m, q(range="90d"), {"limit": 100})) == 46
    assert everything[0]["ip"] == "10.0.0.1" and everything[0]["user"]["name"]


def test_feed_filters_combine_and_refuse_non_members(owner, workspace, feed_scene):
    m = membership(workspace, owner)
    other = feed_scene["other"]
    keys = page_through(workspace, m, q(), {"limit": 7, "type": "api_key_created"})
    assert len(keys) == 9 and {r["action"] for r in keys} == {"api_key_created"}
    theirs = page_through(workspace, m, q(), {"limit": 5, "user_id": other.id})
    assert len(theirs) == 15 and {r["user"]["id"] for r in theirs} == {other.id}
    both = page_through(workspace, m, q(), {"limit": 5, "user_id": other.id, "type": "api_key_created"})
    assert len(both) == 3                      # i in 0, 15, 30
    stranger = make_user(email="stranger@example.com")
    make_workspace(stranger)
    for uid in (stranger.id, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            usage_activity.feed(workspace, m, q(), {"limit": 5, "user_id": uid}, NOW)


def test_ip_is_for_admins_only(owner, workspace, feed_scene):
    rows, _ = usage_activity.feed(workspace, membership(workspace, feed_scene["other"]), q(), {"limit": 3}, NOW)
    assert rows and all(r["ip"] is None for r in rows)


def test_cursor_tampering_and_reuse_elsewhere_are_refused(owner, workspace, feed_scene):
    m = membership(workspace, owner)
    _rows, cursor = usage_activity.feed(workspace, m, q(), {"limit": 10}, NOW)
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in (flipped, cursor + "x", "garbage", cursor.rsplit(".", 1)[0]):
        with pytest.raises(ValidationFailed) as e:
            usage_activity.feed(workspace, m, q(), {"limit": 10, "cursor": bad}, NOW)
        assert e.value.for_field("cursor")
    # every one-character change anywhere in the token (the last character's spare bits included)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    for i, ch in enumerate(cursor):
        for other in {alphabet[(alphabet.index(ch) + 1) % len(alphabet)], "A" if ch != "A" else "B"}:
            with pytest.raises(ValidationFailed):
                usage_activity.decode_cursor(workspace.id, cursor[:i] + other + cursor[i + 1:])
    assert usage_activity.decode_cursor(workspace.id, cursor)[1] == _rows[-1]["id"]
    other_ws = make_workspace(owner, name="Second")
    with pytest.raises(ValidationFailed):
        usage_activity.feed(other_ws, membership(other_ws, owner), q(), {"limit": 10, "cursor": cursor}, NOW)


@pytest.mark.parametrize("args,field", [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"),
                                        ({"limit": "ten"}, "limit"), ({"type": "voice_cloned"}, "type")])
def test_bad_feed_parameters_name_the_field(args, field):
    with pytest.raises(ValidationFailed) as e:
        usage_activity.parse(MultiDict(args))
    assert e.value.for_field(field)
    assert usage_activity.parse(MultiDict({"limit": "100"}))[1]["limit"] == 100
    assert usage_activity.parse(MultiDict({}))[1]["limit"] == 20


def test_feed_parameters_report_every_bad_one_and_ignore_activity_view():
    with pytest.raises(ValidationFailed) as e:
        usage_activity.parse(MultiDict({"limit": "0", "timezone": "Nowhere", "range": "1y", "type": "x"}))
    assert {d["field"] for d in e.value.details} == {"limit", "timezone", "range", "type"}
    q_, filters = usage_activity.parse(MultiDict({"activity_view": "hourly", "timezone": "Asia/Tokyo", "range": "90d"}))
    assert (q_.range, q_.tz_name, q_.view_given, filters["limit"]) == ("90d", "Asia/Tokyo", False, 20)
