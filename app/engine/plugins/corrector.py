"""operator_pronunciation_corrector (beta): says a line again with pronunciation hints for its flagged words.

Where the words come from: the ``flagged_words`` of the nearest validator_pronunciation take upstream
(followed through ``input_take_id``). With no pronunciation validator upstream, the words of the line that
have a dictionary entry are the candidates. A validator that flagged nothing means nothing to do.

Hints (config ``hint_mode``; the first that exists wins):

- ``dictionary`` (default): the entry's IPA, else its respelling, else the IPA the validator expected,
  else espeak's IPA of the word in the line's locale;
- ``ipa``: the entry's IPA, else the expected IPA, else espeak's reading of the entry's respelling,
  else espeak's IPA of the word;
- ``spelled``: the entry's respelling, else a respelling of the IPA found as above.

An IPA hint marks the word ``⟦word|ipa⟧``, a respelling ``⟦word|=respelling⟧`` (an existing mark on it is
replaced); engines get the IPA or the respelling, the validators downstream still read the word. At most
``max_words`` (default 20) flagged words are handled per line. The line is then synthesized again with the generator take's own voice, model and controls, through the same engine rendering
(``generator.engine_input``; cloud adapters render the markup themselves), checked like any take
(silence, clipping, duration) and stored as this take's audio, which downstream nodes then get.

A hint that leaves the engine input unchanged (the engine already had that pronunciation) cannot help
and is skipped. When the pronunciation validator upstream could not judge the line (its locale has no
speech recognition model) the corrector says so (``meta.corrector.status`` "unsupported" with the
validator's reason) instead of guessing which words to correct. When no word gets a usable hint the generator's audio passes on unchanged and nothing is
billed. Billing: per corrected word (pricing: operator_pronunciation_corrector, unit ``word``); the text
passed downstream stays the line as written (the hints are in ``meta.corrector``).
"""
from __future__ import annotations

import logging
import time

from app.engine.plugins import register
from app.engine.plugins.base import NodePlugin, TakeFailed, TakeOutput
from app.engine.plugins.generator import _engine, assignment_for, controls_for, engine_input
from app.extensions import db
from app.models import Take
from app.services import pricing
from app.speech.text import markup
from app.speech.text.lexicon import Lexicon, Rule, fold, speakable

log = logging.getLogger("onepin.engine.corrector")
HINT_MODES = ("dictionary", "ipa", "spelled")
MAX_HOPS = 12


def _chain(take):
    """The takes upstream of this one, nearest first (input_take_id links, then the fallback generator)."""
    seen: set[str] = set()
    ids = [take.input_take_id, (take.meta or {}).get("fallback_from"), take.audio_take_id]
    while ids and len(seen) < MAX_HOPS:
        tid = ids.pop(0)
        if not tid or tid in seen:
            continue
        seen.add(tid)
        t = db.session.get(Take, tid)
        if t is None:
            continue
        yield t
        ids.insert(0, t.input_take_id)


def _sources(take) -> tuple[Take | None, Take | None]:
    """(the generator take whose audio is corrected, the nearest validator_pronunciation take or None)."""
    gen = validator = None
    for t in _chain(take):
        if validator is None and t.node_type == "validator_pronunciation" and t.status == "done":
            validator = t
        if t.node_type == "operator_generator":
            gen = t
            break
    if gen is None and take.audio_take_id:
        gen = db.session.get(Take, take.audio_take_id)
    return gen, validator


def _max_words(config: dict) -> int:
    value = config.get("max_words", 20)
    if not isinstance(value, int) or isinstance(value, bool):
        return 20
    return max(1, min(200, value))


def _espeak_ipa(text: str, locale: str) -> str | None:
    from app.speech.text.espeak_phonemes import voice_for_locale
    from app.speech.tts import get_engine
    voice = voice_for_locale(locale)
    if voice is None or not text.strip():
        return None
    try:
        return get_engine("espeak").text_to_ipa(text, voice) or None
    except Exception:  # noqa: BLE001 - no hint rather than a failed take
        return None


def hint_for(word: str, entry, expected_ipa: str | None, mode: str, locale: str) -> tuple[str, str] | None:
    """("ipa", ipa) or ("respell", respelling) for one flagged word, or None."""
    from app.speech.text.respell import respell
    e_ipa = getattr(entry, "ipa", None)
    e_resp = getattr(entry, "pronunciation", None) if getattr(entry, "method", None) == "spelled" else None
    if mode == "spelled":
        if e_resp:
            return "respell", e_resp
        ipa = e_ipa or expected_ipa or _espeak_ipa(word, locale)
        spelled = respell(ipa, english=locale.startswith("en")) if ipa else ""
        return ("respell", spelled) if spelled else None
    if mode == "dictionary" and not e_ipa and e_resp:
        return "respell", e_resp
    ipa = (e_ipa or expected_ipa or (_espeak_ipa(speakable(e_resp), locale) if e_resp else None)
           or _espeak_ipa(word, locale))
    return ("ipa", ipa) if ipa else None


def _unmark(text: str, words: set[str]) -> str:
    """Drops existing ⟦word|ipa⟧ marks on these words (their hint replaces them)."""
    return markup.SPAN.sub(lambda m: m.group(1) if fold(m.group(1)) in words else m.group(0), text)


def _flagged(take, validator, entries: dict) -> list[dict]:
    if validator is not None:
        return list((validator.scores or {}).get("flagged_words") or [])
    plain = markup.plain(take.text or "")
    found = Lexicon([Rule(entry_id=k, word=e.word, method="ipa", ipa="x", case_sensitive=e.case_sensitive)
                     for k, e in entries.items()], take.locale).apply(plain)
    seen, out = set(), []
    for m in found.matches:
        if fold(m["text"]) not in seen:
            seen.add(fold(m["text"]))
            out.append({"word": m["text"], "source": "dictionary"})
    return out


class PronunciationCorrector(NodePlugin):
    node_type = "operator_pronunciation_corrector"
    batch_size = 10

    def process(self, take, ctx) -> TakeOutput:
        from app.services.dictionary import entries_for
        gen, validator = _sources(take)
        if gen is None or not gen.audio_key:
            raise TakeFailed("There is no generated audio to correct for this line.")
        mode = ctx.config.get("hint_mode") if ctx.config.get("hint_mode") in HINT_MODES else "dictionary"
        entries = {e.word_key: e for e in entries_for(take.workspace_id, take.locale)}
        flagged = _flagged(take, validator, entries)[:_max_words(ctx.config)]
        base_text = gen.text or take.text or ""
        voice = dict(gen.voice or {})
        a = {}
        if gen.node_id in ctx.plan.nodes:     # the generator's controls (canonical_controls) come from its config
            try:
                a = dict(assignment_for(ctx.plan.config(gen.node_id), take.locale))
            except TakeFailed:
                a = {}
        a.update({k: v for k, v in voice.items() if v is not None})
        if not a.get("provider"):
            raise TakeFailed("The generated take does not say which voice spoke it.")
        provider = a["provider"]
        before = engine_input(provider, base_text, a.get("voice_id"))
        corrected, skipped, rules = [], [], []
        for f in flagged:
            word = (f.get("word") or "").strip()
            key = fold(word)
            if not word or key in {fold(r.word) for r in rules}:
                continue
            hint = hint_for(word, entries.get(key), f.get("expected_ipa"), mode, take.locale)
            if hint is None:
                skipped.append({"word": word, "why": "no pronunciation known"})
                continue
            kind, value = hint
            rule = Rule(entry_id=word, word=word, method="spelled" if kind == "respell" else "ipa",
                        pronunciation=value if kind == "respell" else None, ipa=value if kind == "ipa" else None)
            trial = Lexicon([rule], take.locale).apply(_unmark(base_text, {key}))
            if not trial.counts or engine_input(provider, trial.text, a.get("voice_id")) == before:
                skipped.append({"word": word, "why": "the engine already says it that way" if trial.counts
                                else "not found in the line"})
                continue
            rules.append(rule)
            corrected.append({"word": word, "hint": kind, "value": value, "reason": f.get("reason")})
        meta = {"voice": voice or None, "corrector": {"hint_mode": mode, "source_take": gen.id,
                                                      "validator_take": validator.id if validator else None,
                                                      "corrected": corrected, "skipped": skipped,
                                                      "status": "available"}}
        judged = (validator.scores or {}) if validator is not None else {}
        if judged.get("status") == "unsupported":
            meta["corrector"].update(status="unsupported", reason=(
                f"Nothing corrected: the pronunciation validator could not check this line. "
                f"{judged.get('reason') or ''}").strip())
        out = TakeOutput(text_out=take.text, unit="word", meta=meta)
        if not rules:
            if not take.audio_take_id:      # reached through a fail port: carry the generator's audio on
                out.audio_key, out.content_type, out.duration_ms = gen.audio_key, gen.content_type, gen.duration_ms
            return out
        applied = Lexicon(rules, take.locale).apply(_unmark(base_text, {fold(r.word) for r in rules}))
        out.meta["corrector"]["text"] = applied.text
        self._synthesize(take, ctx, gen, a, applied.text, out)
        out.units = len(corrected)
        return out

    def _synthesize(self, take, ctx, gen, a: dict, text: str, out: TakeOutput) -> None:
        from app.speech import audio_checks
        from app.speech.tts.base import EngineError
        provider = a.get("provider")
        engine = _engine(provider, take.workspace_id, a.get("model"), take.locale)
        started = time.perf_counter()
        try:
            audio = engine.synthesize(engine_input(provider, text, a.get("voice_id")), a.get("voice_id"),
                                      controls_for(a, gen.attempt), phonemes=markup.has_markup(text) or "[[" in text)
        except EngineError as exc:
            raise TakeFailed(str(exc)) from None
        out.synth_calls = 1
        log.info("corrected take=%s run=%s line=%s locale=%s words=%s provider=%s ms=%.1f", take.id, take.run_id,
                 take.line_index, take.locale, len(out.meta["corrector"]["corrected"]), provider,
                 (time.perf_counter() - started) * 1000)
        checked, wav = audio_checks.inspect_to_wav(audio, markup.plain(text))    # as the generator does
        if not checked.ok:
            raise TakeFailed(checked.reason)
        out.audio_key = ctx.audio_key(take, "wav")
        ctx.store.put_bytes(out.audio_key, wav, "audio/wav")
        out.content_type, out.duration_ms = "audio/wav", checked.audio.duration_ms


register(PronunciationCorrector())
