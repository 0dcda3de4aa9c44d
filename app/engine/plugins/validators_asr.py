"""validator_error_rate ("Word Accuracy") and validator_pronunciation: speech recognition on the take.

Both transcribe the audio of the generator take they judge (ctx.input_audio) with the hash-pinned
Whisper model of app/speech/asr (tiny.en for English; other locales need a configured multilingual
model). A locale without a model is not judged: the take goes on through "pass" with status
"unsupported", score None and the reason, never as a silent pass.

validator_error_rate scores: score (100 × (1 − WER), CER for languages written without spaces),
wer, cer, scored_on ("wer" | "cer"), transcript, asr_model, decoding ("plain" | "script_context"),
segments (the script's wrong words as codepoint spans of the line as written, markup.plain, which is
the card's script; status word_error), error_counts,
longest_wrong_run, max_wrong_run, threshold, alignment (every word with what was heard and when).

validator_pronunciation scores: score (share of checked words said right × 100), checked_words,
checked [{word, source}], flagged_words [{word, index, reason, probability, start, end, heard,
similarity, expected_ipa, heard_ipa}], segments (status pronunciation_error), transcript, threshold.
The words checked are the workspace's dictionary words for the take's locale, words marked
⟦word|ipa⟧, rare words and names (app/speech/asr/pronunciation.py).
"""
from __future__ import annotations

import logging

from app.engine.plugins import register
from app.engine.plugins.base import NodePlugin, TakeFailed, TakeOutput
from app.services import pricing
from app.speech.text import markup
from app.workflows.nodes import get_spec

log = logging.getLogger("onepin.engine.asr_validators")


def _threshold(node_type: str, config: dict) -> float:
    value = config.get("threshold")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        value = get_spec(node_type).default_config()["threshold"]
    return float(value)


def _unsupported(threshold: float, reason: str) -> TakeOutput:
    return TakeOutput(port="pass", scores={"score": None, "status": "unsupported", "threshold": threshold,
                                           "reason": f"Not checked: {reason}.", "segments": None})


class AsrValidator(NodePlugin):
    batch_size = 8            # ~1-2 s of recognition per line: spread lines over the workers
    version = "1"
    label = ""

    def judge(self, take, ctx, audio, threshold: float) -> tuple[bool, dict]:  # pragma: no cover - interface
        raise NotImplementedError

    def process(self, take, ctx) -> TakeOutput:
        from app.speech import asr
        from app.speech import audio as audio_ops
        threshold = _threshold(self.node_type, ctx.config)
        spec, why = asr.spec_for(take.locale)
        if spec is None:
            return _unsupported(threshold, why)
        text = markup.plain(take.text or "").strip()
        if not text:
            raise TakeFailed("The line is empty: there is nothing to compare the audio with.")
        audio = ctx.input_audio(take)                 # TakeFailed when missing or undecodable
        if audio.num_samples == 0 or audio_ops.is_silent(audio):
            return TakeOutput(port="fail", scores={"score": 0.0, "threshold": threshold, "status": "available",
                                                   "reason": "The audio is silent.", "transcript": ""})
        try:
            passed, scores = self.judge(take, ctx, audio, threshold)
        except asr.UnsupportedLocale as exc:
            return _unsupported(threshold, str(exc))
        except asr.AsrError as exc:               # includes ModelIntegrityError: the install is broken
            log.error("speech recognition failed take=%s: %s", take.id, exc)
            raise TakeFailed(f"{self.label} could not be checked: {exc}") from None
        rate = pricing.rate_for(self.node_type)
        log.info("judged take=%s run=%s node=%s line=%s locale=%s attempt=%s kind=%s score=%s verdict=%s",
                 take.id, take.run_id, take.node_id, take.line_index, take.locale, take.attempt, self.node_type,
                 scores.get("score"), "pass" if passed else "fail")
        return TakeOutput(port="pass" if passed else "fail", scores={"status": "available", **scores},
                          unit=rate.unit, units=pricing.units_in(text, rate.unit))


class ErrorRateValidator(AsrValidator):
    node_type = "validator_error_rate"
    label = "Word accuracy"

    def judge(self, take, ctx, audio, threshold):
        from app.speech.asr.accuracy import MAX_WRONG_RUN, check_accuracy
        from app.speech.text.wer import segments
        max_run = ctx.config.get("max_wrong_run")
        max_run = int(max_run) if isinstance(max_run, int) and not isinstance(max_run, bool) and max_run > 0 \
            else MAX_WRONG_RUN
        # the card shows the line as written (markup.plain), so spans are offsets into that text
        r = check_accuracy(audio, markup.plain(take.text or ""), take.locale, threshold=threshold,
                           max_wrong_run=max_run)
        c = r.comparison
        scores = {"score": r.score, "threshold": threshold, "wer": _round(c.wer), "cer": _round(c.cer),
                  "scored_on": c.scored_on, "transcript": r.transcript.text, "asr_model": r.transcript.model,
                  "decoding": r.decoding, "segments": segments(c), "error_counts": dict(c.error_counts),
                  "longest_wrong_run": c.longest_wrong_run, "max_wrong_run": max_run,
                  "alignment": c.alignment(), "reason": None if r.passed else r.reason}
        if r.transcript.looping:
            scores["looping"] = True
        if r.plain is not None:
            scores["plain_transcript"] = r.plain_transcript.text
            scores["plain_wer"] = _round(r.plain.rate)
        return r.passed, scores


def _round(value):
    return None if value is None else round(float(value), 4)


def dictionary_words(workspace_id: str, locale: str) -> list:
    """The workspace's dictionary entries that apply to ``locale``, as the words the check expects."""
    from app.services.dictionary import entries_for
    from app.speech.asr.pronunciation import DictionaryWord
    out = []
    for e in entries_for(workspace_id, locale):
        respelling = e.pronunciation if e.method == "spelled" else None
        out.append(DictionaryWord(e.word, ipa=e.ipa or None, respelling=respelling or None,
                                  case_sensitive=bool(e.case_sensitive)))
    return out


def plain_offset(text: str, pos: int) -> int:
    """Where codepoint ``pos`` of the take text (with ``⟦word|ipa⟧`` marks) falls in ``markup.plain(text)``."""
    shift = 0
    for m in markup.SPAN.finditer(text):
        if pos <= m.start():
            break
        if pos <= m.end(1):                    # inside the marked word
            return max(m.start(), pos - 1) - shift
        shift += (m.end() - m.start()) - len(m.group(1))
        if pos < m.end():
            return m.end() - shift
    return pos - shift


def _plain_span(text: str, shown: str, start: int, end: int) -> dict:
    a, b = plain_offset(text, start), plain_offset(text, end)
    return {"text": shown[a:b], "status": "pronunciation_error", "start": a, "end": b}


class PronunciationValidator(AsrValidator):
    node_type = "validator_pronunciation"
    label = "Pronunciation"

    def judge(self, take, ctx, audio, threshold):
        from app.speech.asr.pronunciation import check_pronunciation
        words = dictionary_words(take.workspace_id, take.locale)
        r = check_pronunciation(audio, take.text or "", take.locale, words, threshold=threshold)
        script = take.text or ""
        shown = markup.plain(script)
        flagged = [{"word": c.target.word, "index": c.target.chunks[0], "reason": c.reason,
                    "probability": c.probability, "start": c.start_s, "end": c.end_s, "heard": c.heard,
                    "similarity": c.similarity, "expected_ipa": c.expected_ipa, "heard_ipa": c.heard_ipa,
                    "source": c.target.source} for c in r.flagged]
        scores = {"score": r.score, "threshold": threshold, "checked_words": len(r.checks),
                  "checked": [{"word": c.target.word, "source": c.target.source, "ok": c.ok} for c in r.checks],
                  "flagged_words": flagged,
                  "segments": [_plain_span(script, shown, c.target.start, c.target.end) for c in r.flagged],
                  "transcript": r.transcript.text if r.transcript else None,
                  "asr_model": r.transcript.model if r.transcript else None}
        if not r.checks:
            scores["reason"] = "No words to check: the line has no dictionary, marked, rare or name words."
        elif not r.passed:
            names = ", ".join(f"{f['word']} ({f['reason'].replace('_', ' ')})" for f in flagged[:5])
            scores["reason"] = (f"{len(flagged)} of {len(r.checks)} checked words flagged: {names} "
                                f"(score {r.score:.0f} < {threshold:g})")
        else:
            scores["reason"] = None
        return r.passed, scores


ERROR_RATE = register(ErrorRateValidator())
PRONUNCIATION = register(PronunciationValidator())
