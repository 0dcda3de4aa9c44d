"""operator_translator: one take in the script's language in, one line per language out (fanout).

No network here: the launch gate (app.services.translations.prepare_launch) made sure every line has
every target language, and the run start wrote them into run.lines[i]["translations"]. This plugin
reads them (once per run and process) and fans the line out as {source locale: text, target: text, ...};
the scheduler then creates one downstream take per locale.

A take arriving in a locale other than its line's source locale (an upstream translator already
made it) passes through unchanged, so chained translators never duplicate a language.
Billing: the node's unit (characters by default) of the take's text, once per language added.
"""
from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import select

from app.engine.plugins import register
from app.engine.plugins.base import NodePlugin, TakeFailed, TakeOutput
from app.extensions import db
from app.models import Run
from app.services import pricing
from app.services.translations import target_locales
from app.speech.text import markup

_RUN_LINES: OrderedDict[str, dict[int, dict]] = OrderedDict()
_MAX_RUNS = 16


def run_lines(run_id: str) -> dict[int, dict]:
    """line index -> line (text, locale, translations ...) of a run, read once per process."""
    lines = _RUN_LINES.get(run_id)
    if lines is None:
        raw = db.session.scalar(select(Run.lines).where(Run.id == run_id)) or []
        lines = {int(ln.get("index", i)): ln for i, ln in enumerate(raw)}
        _RUN_LINES[run_id] = lines
        while len(_RUN_LINES) > _MAX_RUNS:
            _RUN_LINES.popitem(last=False)
    return lines


class Translator(NodePlugin):
    node_type = "operator_translator"
    batch_size = 50
    version = "1"

    def process(self, take, ctx) -> TakeOutput:
        text = take.text or ""
        line = run_lines(take.run_id).get(take.line_index)
        if line is None:
            raise TakeFailed("This line is missing from the run's script.")
        source_locale = line.get("locale")
        if take.locale != source_locale:
            return TakeOutput(text_out=text, fanout={take.locale: text})
        fanout = {take.locale: text}
        translations = line.get("translations") or {}
        origins = line.get("translation_origins") or {}
        missing = []
        for target in target_locales({"config": ctx.config}):
            if target == source_locale:
                continue
            value = translations.get(target)
            if value:
                fanout[target] = value
            else:
                missing.append(target)
        if missing:
            raise TakeFailed(f"No translation into {', '.join(missing)} for this line (it left the translation "
                             "memory after the run was started).")
        rate = pricing.rate_for(self.node_type)
        added = len(fanout) - 1
        return TakeOutput(text_out=text, fanout=fanout, unit=rate.unit,
                          units=pricing.units_in(markup.plain(text), rate.unit) * added,
                          meta={"translations": {loc: origins.get(loc, "script") for loc in fanout
                                                 if loc != take.locale}})


register(Translator())
