"""operator_normalizer: numbers, dates, times, money, units and abbreviations written out as spoken.

The node's flags (expand_numbers, expand_dates, ...) switch rule families on and off. Pronunciation
markup (⟦word|ipa⟧) passes through untouched. A locale without rules passes its text on unchanged and
the take's meta says so (normalizer.status = "unsupported"), so the card never shows a silent no-op.
Billed per character of the text it reads (pricing table, operator_normalizer); an unsupported
locale's pass-through is not billed.
"""
from __future__ import annotations

import logging

from app.engine.plugins import register
from app.engine.plugins.base import NodePlugin, TakeOutput
from app.services import pricing
from app.speech.text.normalize import VERSION, Options, normalize_ex

log = logging.getLogger("onepin.engine.normalizer")


class Normalizer(NodePlugin):
    node_type = "operator_normalizer"
    batch_size = 50
    version = VERSION

    def process(self, take, ctx) -> TakeOutput:
        text = take.text or ""
        result = normalize_ex(text, take.locale, Options.from_config(ctx.config))
        if not result.supported:
            log.info("normalizer: no rules for locale=%s take=%s run=%s: text passed on unchanged",
                     take.locale, take.id, take.run_id)
        rate = pricing.rate_for(self.node_type)
        units = pricing.units_in(text, rate.unit) if result.supported else 0     # a pass-through is not billed
        return TakeOutput(text_out=result.text, units=units, unit=rate.unit, meta={"normalizer": result.meta()})


register(Normalizer())
