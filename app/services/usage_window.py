"""The time frames of the usage figures, in the caller's IANA timezone.

Rolling ranges (30d | 60d | 90d) are whole local calendar days: today and the days before it, from
local midnight to the next local midnight. Activity views are the dashboard chart's frames:
daily = the last 7 local days, weekly = the last 12 Monday-start weeks (this one included),
monthly = the last 12 calendar months (this one included). Every boundary is a local midnight
turned into a UTC instant, so "today" follows the caller's clock, DST included.

The query parameters are read here once, for the JSON API and the HTML dashboard alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.models.base import utcnow
from app.validation import Validation

RANGES = {"30d": 30, "60d": 60, "90d": 90}
VIEWS = ("daily", "weekly", "monthly")
VIEW_UNITS = {"daily": "day", "weekly": "week", "monthly": "month"}
VIEW_LABELS = {"daily": "Last 7 days", "weekly": "Last 12 weeks", "monthly": "Last 12 months"}
DEFAULT_RANGE, DEFAULT_VIEW, DEFAULT_TZ = "30d", "daily", "UTC"


@dataclass(frozen=True)
class Bucket:
    label: str
    start: datetime        # UTC instant of the local boundary (inclusive)
    end: datetime          # exclusive
    day: date              # the local date the bucket starts on


@dataclass(frozen=True)
class Frame:
    """A period [start, end) cut into buckets (local days, weeks or months)."""
    start: datetime
    end: datetime
    buckets: tuple[Bucket, ...]


_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*")


def zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone, or None when the name is not one (paths, empty strings and the like included)."""
    if not name or len(name) > 64 or not _ZONE_NAME.fullmatch(name) or name == "localtime":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@dataclass(frozen=True)
class UsageQuery:
    range: str | None          # None when an activity view replaces it (by-language)
    view: str
    tz_name: str
    tz: ZoneInfo
    view_given: bool


def read(v: Validation, *, with_view: bool = True) -> UsageQuery | None:
    """range, activity_view (unless the endpoint has none) and timezone, errors collected in `v`."""
    rng = v.optional("range", str, DEFAULT_RANGE, choices=tuple(RANGES))
    view = v.optional("activity_view", str, None, choices=VIEWS) if with_view else None
    tz_name = v.optional("timezone", str, DEFAULT_TZ, max_len=64)
    tz = zone(tz_name)
    if tz_name is not None:
        v.expect(tz is not None, "must be an IANA timezone name such as UTC or America/New_York", field="timezone")
    if rng is None or tz is None or (with_view and v.message_for("activity_view")):
        return None
    return UsageQuery(range=rng, view=view or DEFAULT_VIEW, tz_name=tz_name, tz=tz, view_given=view is not None)


def given(args, names) -> dict:
    """The non-empty query parameters among `names` (an empty value means "not given", as the SDK sends it)."""
    return {k: args.get(k) for k in names if args.get(k) not in (None, "")}


def parse(args, *, with_view: bool = True) -> UsageQuery:
    """range, activity_view and timezone from a query string (422 naming each bad parameter)."""
    v = Validation(given(args, ("range", "activity_view", "timezone")), form=True)
    q = read(v, with_view=with_view)
    v.raise_if_invalid()
    return q


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def today(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(tz).date()


def _month_start(day: date, back: int) -> date:
    m = day.year * 12 + day.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def range_frame(rng: str, tz: ZoneInfo, now: datetime | None = None) -> Frame:
    """The rolling range, one bucket per local day (oldest first)."""
    last = today(tz, now)
    days = [last - timedelta(days=n) for n in range(RANGES[rng] - 1, -1, -1)]
    return _frame([(d, d + timedelta(days=1), d.isoformat()) for d in days], tz)


def view_frame(view: str, tz: ZoneInfo, now: datetime | None = None) -> Frame:
    """The activity chart's frame: 7 local days, 12 Monday-start weeks or 12 months (oldest first)."""
    last = today(tz, now)
    if view == "daily":
        spans = [(d, d + timedelta(days=1), d.isoformat()) for d in (last - timedelta(days=n) for n in range(6, -1, -1))]
    elif view == "weekly":
        monday = last - timedelta(days=last.weekday())
        spans = []
        for n in range(11, -1, -1):
            d = monday - timedelta(weeks=n)
            year, week, _ = d.isocalendar()
            spans.append((d, d + timedelta(weeks=1), f"{year}-W{week:02d}"))
    else:
        spans = [(_month_start(last, n), _month_start(last, n - 1), f"{_month_start(last, n):%Y-%m}")
                 for n in range(11, -1, -1)]
    return _frame(spans, tz)


def _frame(spans: list[tuple[date, date, str]], tz: ZoneInfo) -> Frame:
    buckets = tuple(Bucket(label=label, start=local_midnight(a, tz), end=local_midnight(b, tz), day=a)
                    for a, b, label in spans)
    return Frame(start=buckets[0].start, end=buckets[-1].end, buckets=buckets)
