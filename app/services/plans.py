"""Plan tiers and their limits (the contract's PlanLimits, plus seats per workspace)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from app.errors import ValidationFailed

GIB = 1024 ** 3


@dataclass(frozen=True)
class Plan:
    tier: str                    # PlanTier: free | paid | custom
    name: str
    monthly_credits: int
    workspaces_per_owner: int
    concurrent_runs_per_user: int
    storage_bytes_per_workspace: int
    seats_per_workspace: int
    retention_days: int
    byok_enabled: bool
    auto_fix_enabled: bool
    downloads_enabled: bool
    credits_renewal: str = "monthly"
    overage_rate_cents_per_credit: float | None = None

    def limits(self) -> dict:
        data = asdict(self)
        data.pop("tier")
        data.pop("name")
        data["plan_tier"] = self.tier
        data["plan_name"] = self.name
        return data


PLANS: dict[str, Plan] = {
    "free": Plan("free", "Free", monthly_credits=10_000, workspaces_per_owner=3, concurrent_runs_per_user=2,
                 storage_bytes_per_workspace=1 * GIB, seats_per_workspace=5, retention_days=30,
                 byok_enabled=True, auto_fix_enabled=True, downloads_enabled=True),
    "pro": Plan("paid", "Pro", monthly_credits=200_000, workspaces_per_owner=20, concurrent_runs_per_user=5,
                storage_bytes_per_workspace=50 * GIB, seats_per_workspace=50, retention_days=365,
                byok_enabled=True, auto_fix_enabled=True, downloads_enabled=True),
    "custom": Plan("custom", "Self-hosted unlimited", monthly_credits=10_000_000, workspaces_per_owner=1000,
                   concurrent_runs_per_user=50, storage_bytes_per_workspace=10_000 * GIB,
                   seats_per_workspace=10_000, retention_days=3650, byok_enabled=True, auto_fix_enabled=True,
                   downloads_enabled=True),
}


def get_plan(name: str | None) -> Plan:
    return PLANS.get(name or "free", PLANS["free"])


def check_plan_name(name: str) -> str:
    if name not in PLANS:
        raise ValidationFailed([{"field": "plan", "message": "must be one of: " + ", ".join(PLANS)}])
    return name
