"""A deterministic stand-in for a validator (the real ones are Part 4): lines containing "mumble"
score 20, everything else 90. Registered in the test process and, through ONEPIN_ENGINE_PLUGINS,
in the burst worker."""
from app.engine.plugins import register
from app.engine.plugins.base import NodePlugin, TakeOutput


class FakeNaturalness(NodePlugin):
    node_type = "validator_naturalness"

    def process(self, take, ctx) -> TakeOutput:
        threshold = float(ctx.config.get("threshold", 60))
        score = 20.0 if "mumble" in (take.text or "").lower() else 90.0
        return TakeOutput(port="pass" if score >= threshold else "fail",
                          scores={"score": score, "threshold": threshold, "status": "available"})


PLUGIN = register(FakeNaturalness())   # on import (the worker loads it via ONEPIN_ENGINE_PLUGINS)
