"""The official onepin 0.16.1 SDK against a live server: users.* (me) — credits, plan limits and notification
preferences (the CLI has no command for them; users.list_my_templates is in test_sdk_templates.py).

The figures are checked against what they depend on: a real run's debit, the plan the operator assigns with
`onepin-server set-plan`. Refusals reach the caller as ApiError with the contract's status and error envelope."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.conformance.cli_helpers import definition
from tests.conformance.sdk_helpers import refused, sdk, wait_run

pytestmark = pytest.mark.conformance

FREE = {"monthly_credits": 10_000, "workspaces_per_owner": 3, "concurrent_runs_per_user": 2,
        "storage_bytes_per_workspace": 1024 ** 3}
PRO = {"monthly_credits": 200_000, "workspaces_per_owner": 20, "concurrent_runs_per_user": 5,
       "storage_bytes_per_workspace": 50 * 1024 ** 3}


def _quotas(limits) -> dict:
    return {k: getattr(limits, k) for k in FREE}


def test_credits_follow_a_run_and_limits_follow_the_plan(live_server, signup):
    owner = signup("credits")
    c = sdk(live_server, owner.key)

    fresh = c.users.get_my_credits().data
    limits = c.users.get_my_plan_limits().data
    assert _quotas(limits) == FREE and limits.credits_renewal == "monthly"
    assert (fresh.plan_tier, fresh.plan_grant, fresh.used) == ("free", FREE["monthly_credits"], 0)
    assert fresh.balance == fresh.remaining == fresh.quota == fresh.plan_grant
    now = datetime.now(timezone.utc)
    assert fresh.period_start <= now < fresh.period_end
    assert (fresh.period_start.day, fresh.period_start.hour) == (1, 0)        # the calendar month (UTC)

    # a real run debits its credits: balance down, used up, by exactly the run's `credits`
    wf = c.workflows.create_workflow(name="Spend", definition=definition("Good morning.\nGood night.")).data
    run = c.workflows.runs.start(wf.id).data
    done = wait_run(c, wf.id, run.id)
    assert done.status == "completed" and done.credits >= 1
    after = c.users.get_my_credits().data
    assert after.used == done.credits and after.balance == after.remaining == fresh.balance - done.credits
    assert after.percent > 0

    # the operator moves the user to another plan: limits and the plan grant follow
    live_server.server_cli("set-plan", "--email", owner.email, "--plan", "pro")
    pro = c.users.get_my_plan_limits().data
    assert _quotas(pro) == PRO
    moved = c.users.get_my_credits().data
    assert (moved.plan_tier, moved.plan_grant) == ("paid", PRO["monthly_credits"]) and moved.used == done.credits

    # workspace:read is the scope
    reader = sdk(live_server, owner.mint_key("workspace:read", name="reader"))
    assert reader.users.get_my_credits().data.used == done.credits
    narrow = sdk(live_server, owner.mint_key("workflows:read", name="narrow"))
    refused(lambda: narrow.users.get_my_credits(), 403, "FORBIDDEN")
    refused(lambda: narrow.users.get_my_plan_limits(), 403, "FORBIDDEN")


def test_notification_preferences_partial_update(live_server, signup):
    owner = signup("prefs")
    c = sdk(live_server, owner.key)

    start = c.users.get_current_notification_preferences().data
    assert (start.completed_generation_email, start.failed_generation_email) == (True, True)

    # partial: only the fields sent change, and the whole object comes back
    one = c.users.update_current_notification_preferences(failed_generation_email=False).data
    assert (one.completed_generation_email, one.failed_generation_email) == (True, False)
    both = c.users.update_current_notification_preferences(completed_generation_email=False,
                                                           failed_generation_email=True).data
    assert (both.completed_generation_email, both.failed_generation_email) == (False, True)
    nothing = c.users.update_current_notification_preferences().data
    assert nothing.model_dump() == both.model_dump()
    assert c.users.get_current_notification_preferences().data.model_dump() == both.model_dump()

    # explicit null is refused and changes nothing
    err = refused(lambda: c.users.update_current_notification_preferences(completed_generation_email=None),
                  422, "VALIDATION_ERROR")
    assert err["details"][0]["field"] == "completed_generation_email"
    assert c.users.get_current_notification_preferences().data.model_dump() == both.model_dump()

    # they are per user
    other = sdk(live_server, signup("other").key).users.get_current_notification_preferences().data
    assert (other.completed_generation_email, other.failed_generation_email) == (True, True)

    # reading needs workspace:read; changing them is outside ApiKeyScope: only an all-scopes key may
    reader = sdk(live_server, owner.mint_key("workspace:read", name="reader"))
    assert reader.users.get_current_notification_preferences().data.model_dump() == both.model_dump()
    refused(lambda: reader.users.update_current_notification_preferences(failed_generation_email=False),
            403, "FORBIDDEN")
    assert c.users.get_current_notification_preferences().data.failed_generation_email is True
