"""operator_phoneme_injector: applies the workspace's pronunciation dictionary to each line.

Config: ``apply_dictionary`` (default true; false passes the text on unchanged). The entries that apply
to the take's locale (the locale's own and its bare family's, ``en`` for ``en-us``; the locale's own
wins for the same word) are turned into a ``Lexicon`` once per process and dictionary version
(``ctx.dictionary_version``, looked up once per batch and locale), so a batch of takes costs one small
query. Matching rules (case, word boundaries, which entry wins) are in ``app.speech.text.lexicon``.

Out: ``text_out`` with respellings and ``⟦word|ipa⟧`` markup; ``meta.dictionary`` lists what matched
(``applied``: entry id → count, ``recorded``: matched recorded entries kept as they are, ``version``).
``uses_count`` grows by the number of replacements actually made, one UPDATE per entry per stored
chunk of results, in the transaction that stores them (``after_store``), so a take whose result is
discarded or redelivered never counts twice. A recorded entry without IPA changes nothing and does
not count. Billed per character of the line (pricing: operator_phoneme_injector).
"""
from __future__ import annotations

import threading
from collections import Counter, OrderedDict

from app.engine.plugins import register
from app.engine.plugins.base import NodePlugin, TakeOutput
from app.services import pricing
from app.speech.text import markup
from app.speech.text.lexicon import Lexicon, Rule

_CACHE: OrderedDict[tuple[str, str, str], Lexicon] = OrderedDict()
_CACHE_SIZE = 64
_lock = threading.Lock()


def lexicon_for(workspace_id: str, locale: str, version: str) -> Lexicon:
    key = (workspace_id, locale, version)
    with _lock:
        lex = _CACHE.get(key)
        if lex is not None:
            _CACHE.move_to_end(key)
            return lex
    if version == "0":
        lex = Lexicon([], locale)
    else:
        from app.services.dictionary import entries_for
        rules = [Rule(entry_id=e.id, word=e.word, method=e.method, pronunciation=e.pronunciation, ipa=e.ipa,
                      case_sensitive=e.case_sensitive) for e in entries_for(workspace_id, locale)]
        lex = Lexicon(rules, locale)
    with _lock:
        _CACHE[key] = lex
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return lex


class PhonemeInjector(NodePlugin):
    node_type = "operator_phoneme_injector"
    batch_size = 50

    def process(self, take, ctx) -> TakeOutput:
        text = take.text or ""
        rate = pricing.rate_for(self.node_type)
        out = TakeOutput(text_out=text, unit=rate.unit, units=pricing.units_in(markup.plain(text), rate.unit))
        if not ctx.config.get("apply_dictionary", True):
            out.meta = {"dictionary": {"applied": {}, "skipped": "apply_dictionary is off"}}
            return out
        version = ctx.dictionary_version
        lex = lexicon_for(take.workspace_id, take.locale, version)
        applied = lex.apply(text)
        out.text_out = applied.text
        out.meta = {"dictionary": {"version": version, "applied": dict(applied.counts),
                                   "recorded": dict(applied.kept),
                                   "matches": applied.matches[:50]}}
        return out

    def after_store(self, outs: list[TakeOutput]) -> None:
        from app.services.dictionary import add_uses
        total: Counter = Counter()
        for out in outs:
            total.update((out.meta.get("dictionary") or {}).get("applied") or {})
        if total:
            add_uses(dict(total))


register(PhonemeInjector())
