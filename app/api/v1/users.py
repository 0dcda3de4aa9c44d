"""users.* (me): credits, plan limits, notification preferences."""
from app.api import api_v1
from app.api.context import management, principal
from app.api.envelope import ok
from app.api.params import body
from app.api.registry import endpoint
from app.extensions import db
from app.services import accounts, credits
from app.services.plans import get_plan

T = "Users"


@endpoint(api_v1, "/users/me/credits", sdk="users.get_my_credits", scope="workspace:read", tag=T,
          response="BalanceResponse", workspace_header="none")
def my_credits():
    """Spendable balance, period usage and the plan grant of the caller's credit account."""
    p = principal("workspace:read")
    view = credits.view(p.user)
    db.session.commit()
    return ok(view.as_contract())


@endpoint(api_v1, "/users/me/limits", sdk="users.get_my_plan_limits", scope="workspace:read", tag=T,
          response="PlanLimits", workspace_header="none")
def my_limits():
    """The caller's plan limits."""
    p = principal("workspace:read")
    return ok(get_plan(p.user.plan).limits())


@endpoint(api_v1, "/users/me/notification-preferences", sdk="users.get_current_notification_preferences",
          scope="workspace:read", tag=T, response="EmailNotificationPreferencesOut", workspace_header="none")
def get_notification_preferences():
    """Email on completed / failed generations."""
    p = principal("workspace:read")
    return ok(accounts.notification_preferences(p.user))


@endpoint(api_v1, "/users/me/notification-preferences", ("PATCH",),
          sdk="users.update_current_notification_preferences", tag=T,
          body={"completed_generation_email": ("bool", False), "failed_generation_email": ("bool", False)},
          response="EmailNotificationPreferencesOut", workspace_header="none")
def update_notification_preferences():
    """Partial update; explicit null is refused (422)."""
    p = management("changing preferences")
    accounts.update_notification_preferences(p.user, body())
    db.session.commit()
    return ok(accounts.notification_preferences(p.user))
