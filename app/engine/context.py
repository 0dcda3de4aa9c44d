"""What a node implementation may use while processing one take."""
from __future__ import annotations

from dataclasses import dataclass

from app.engine.plan import Plan
from app.models import Run, Take
from app.storage import get_store, workspace_key


@dataclass
class TakeContext:
    run: Run
    plan: Plan
    node_id: str
    dictionary_version: str = "0"

    @property
    def config(self) -> dict:
        return self.plan.config(self.node_id)

    @property
    def store(self):
        return get_store()

    def audio_key(self, take: Take, ext: str) -> str:
        """A fresh key per take: a retry never overwrites an earlier take's file."""
        return workspace_key(take.workspace_id, "runs", take.run_id, "audio", take.node_id,
                             f"{take.line_index:05d}-{take.locale}-a{take.attempt}-{take.id[:8]}.{ext}")
