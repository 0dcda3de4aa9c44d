"""What a node implementation receives and returns."""
from __future__ import annotations

from dataclasses import dataclass, field


class TakeFailed(Exception):
    """The take cannot be produced (the reason is shown on the card); the line is not delivered."""


PROVIDER_PAUSE_REASONS = ("provider_outage", "provider_rate_limited", "provider_billing")


class PauseRun(Exception):
    """Nothing is wrong with this take, but a remote provider cannot serve it now (outage, rate limit,
    billing or key problem). The take is released unbilled (pending again) and the run pauses with
    `reason` (a PauseReason) until someone resumes it."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass
class TakeOutput:
    port: str = "lines"                        # lines | pass | fail
    text_out: str | None = None                # text operators: the text passed downstream
    fanout: dict[str, str] | None = None       # translator: {locale: text} sent downstream
    audio_key: str | None = None
    content_type: str | None = None
    duration_ms: int | None = None
    scores: dict | None = None
    cache_key: str | None = None
    reused_from: str | None = None
    units: int = 0
    unit: str | None = None
    synth_calls: int = 0
    meta: dict = field(default_factory=dict)


class NodePlugin:
    node_type: str = ""
    batch_size: int = 20          # takes per RQ job
    version: str = "1"

    def process(self, take, ctx) -> TakeOutput:  # pragma: no cover - interface
        raise NotImplementedError

    def prepare(self, takes: list, ctx) -> None:
        """Optional, once per batch before process(): look up what all of ``takes`` (this node's takes in
        the batch) need from the database in one query and leave it in ``ctx.memo``."""
