"""usage.* : workspace usage figures and the activity feed (rules in services/usage*).

Every member may read them (scope workspace:read); credits.used is the caller's own billing-period
usage, everything else is workspace-wide. Day boundaries follow the `timezone` parameter (IANA).
"""
from flask import request

from app.api import api_v1
from app.api.context import principal, workspace
from app.api.envelope import ok, ok_list
from app.api.registry import endpoint
from app.services import usage as usage_svc
from app.services import usage_activity, usage_window

T = "Usage"
READ = "workspace:read"
FRAME_QUERY = {"range": "str", "activity_view": "str", "timezone": "str"}


@endpoint(api_v1, "/usage/summary", sdk="usage.usage_summary", scope=READ, tag=T, query=FRAME_QUERY,
          response="UsageSummaryOut")
def usage_summary():
    """Totals for the rolling range plus the activity chart (daily, weekly or monthly buckets)."""
    ws, _m = workspace(READ)
    q = usage_window.parse(request.args)
    return ok(usage_svc.summary(ws, principal().user, q))


@endpoint(api_v1, "/usage/by-language", sdk="usage.usage_by_language", scope=READ, tag=T, query=FRAME_QUERY,
          response="UsageByLanguageOut")
def usage_by_language():
    """One row per locale with its share; activity_view (when given) replaces range, echoed as null."""
    ws, _m = workspace(READ)
    q = usage_window.parse(request.args)
    return ok(usage_svc.by_language(ws, q))


@endpoint(api_v1, "/usage/activity", sdk="usage.usage_activity", scope=READ, tag=T,
          query={"range": "str", "type": "str", "user_id": "str", "limit": "int", "cursor": "str",
                 "timezone": "str"}, response="list[UsageActivityOut]")
def usage_activity_feed():
    """Newest-first events; type and user_id (404 for a non-member) combine; cursor paging, limit 1-100."""
    ws, m = workspace(READ)
    q, filters = usage_activity.parse(request.args)
    rows, cursor = usage_activity.feed(ws, m, q, filters)
    return ok_list(rows, limit=filters["limit"], next_cursor=cursor, has_more=cursor is not None)
