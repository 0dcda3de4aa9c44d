"""Typed errors of the cloud TTS adapters, each tied to what the run engine does with it.

| error                 | raised for                                                   | run engine          |
|-----------------------|--------------------------------------------------------------|---------------------|
| ProviderAuthError     | 401/403: key missing, invalid, revoked or not allowed        | pause: provider_billing |
| ProviderBilling       | 402, or a quota/credit error the vendor sends with 401/429   | pause: provider_billing |
| ProviderRateLimited   | 429 still there after the bounded retries                    | pause: provider_rate_limited |
| ProviderOutage        | 5xx, timeouts and connection errors after the retries        | pause: provider_outage |
| ProviderRequestError  | 400/404/413/422 ...: this request is wrong (voice, text)      | the take fails      |

A pausing error means "nothing is wrong with this line; the provider account or service needs
attention": the take is released, not billed, and runs again when the run is resumed.
"""
from __future__ import annotations


class ProviderError(Exception):
    """A cloud provider could not synthesize. `pause_reason` is the run's PauseReason, or None when
    only this take fails."""

    pause_reason: str | None = None

    def __init__(self, provider: str, message: str, *, status: int | None = None,
                 retry_after: float | None = None, code: str | None = None):
        super().__init__(message)
        self.provider, self.message, self.status = provider, message, status
        self.retry_after, self.code = retry_after, code

    def __str__(self) -> str:
        return self.message


class ProviderAuthError(ProviderError):
    pause_reason = "provider_billing"


class ProviderBilling(ProviderError):
    pause_reason = "provider_billing"


class ProviderRateLimited(ProviderError):
    pause_reason = "provider_rate_limited"


class ProviderOutage(ProviderError):
    pause_reason = "provider_outage"


class ProviderRequestError(ProviderError):
    pause_reason = None


PAUSE_REASONS = ("provider_outage", "provider_rate_limited", "provider_billing")
