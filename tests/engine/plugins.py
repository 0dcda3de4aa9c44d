"""TEST node plugins (loaded only by workers started with ONEPIN_ENGINE_PLUGINS=tests.engine.plugins,
and by the test process itself so that launches of workflows containing them pass the engine check).

validator_noise here is a stand-in for the real Clarity validator (Part 4): its verdict is driven by
its config only. It scores every take at CLARITY (50) and passes when the score reaches `threshold`:
threshold 100 → always fail, 0 → always pass. It logs one line per judgement so tests can count them.
"""
from __future__ import annotations

import logging

from app.engine.plugins import TakeFailed, TakeOutput, register
from app.engine.plugins.base import NodePlugin

log = logging.getLogger("onepin.engine.test_validator")
CLARITY = 50.0


class ConfigDrivenValidator(NodePlugin):
    batch_size = 25
    version = "test-1"

    def __init__(self, node_type: str):
        self.node_type = node_type

    def process(self, take, ctx) -> TakeOutput:
        if not take.audio_take_id:
            raise TakeFailed("No audio to judge.")
        threshold = float(ctx.config.get("threshold", 70))
        verdict = "pass" if CLARITY >= threshold else "fail"
        log.info("judged take=%s run=%s node=%s line=%s locale=%s attempt=%s verdict=%s",
                 take.id, take.run_id, take.node_id, take.line_index, take.locale, take.attempt, verdict)
        return TakeOutput(port=verdict, scores={"clarity": CLARITY, "threshold": threshold, "passed": verdict == "pass"})


VALIDATOR_NOISE = register(ConfigDrivenValidator("validator_noise"))
