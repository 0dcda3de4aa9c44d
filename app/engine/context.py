"""What a node implementation may use while processing one take."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.engine.plan import Plan
from app.models import Run, Take
from app.storage import get_store, workspace_key


@dataclass
class TakeContext:
    run: Run
    plan: Plan
    node_id: str
    locale: str | None = None
    memo: dict = field(default_factory=dict)      # shared by the takes of one batch (the executor passes it)

    @property
    def dictionary_version(self) -> str:
        """Version of the pronunciation dictionary entries that apply to this take's workspace and
        locale ("0" when there are none); one query per batch and locale (memo)."""
        if not self.locale:
            return "0"
        key = ("dictionary_version", self.run.workspace_id, self.locale)
        if key not in self.memo:
            from app.services.dictionary import version_for
            self.memo[key] = version_for(self.run.workspace_id, self.locale)
        return self.memo[key]

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

    def audio_take(self, take):
        """The generator take whose audio this take works on (validators, corrector, sink)."""
        from app.extensions import db
        if not take.audio_take_id:
            return None
        return db.session.get(Take, take.audio_take_id)

    def input_audio(self, take):
        """The decoded audio this take works on, or TakeFailed when there is none or it is undecodable."""
        from app.engine.plugins.base import TakeFailed
        from app.speech import audio as audio_ops
        source = self.audio_take(take)
        if source is None or not source.audio_key:
            raise TakeFailed("There is no audio to check for this line.")
        try:
            return audio_ops.decode(self.store.get_bytes(source.audio_key))
        except Exception as exc:  # noqa: BLE001 - any decoder error means the file is unusable
            raise TakeFailed(f"The audio cannot be decoded: {type(exc).__name__}") from None
