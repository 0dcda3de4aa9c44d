"""Word accuracy of one take: does the audio say the script?

``check_accuracy(audio, script, locale)`` transcribes the audio, compares the transcript with the
script (``app.speech.text.wer``) and decides:

- score = 100 × (1 − WER), clipped to 0–100 (CER for languages written without spaces);
- the take passes when score ≥ ``threshold`` AND the longest run of consecutive wrong units
  (substituted, inserted or deleted words) is at most ``max_wrong_run``: a long garbled phrase
  fails a line even when the average over a long line is good.

Two decodes at most. The first is plain (the decoder knows nothing of the script). When it fails,
a second decode is given the script as context (Whisper's initial prompt), which recovers words
the small model mishears on synthetic voices ("and" for "of", "trainer" for "train"). The second
opinion counts only when the decoder was confident in it (mean word probability at least
``CONTEXT_MIN_PROBABILITY``) and when it hears at most ``added_words_limit`` more words than the plain
decode: a prompt can leak into the transcript of audio that does not say it (reversed or unrelated
speech, with low probability), or complete a take that was cut short (words the plain decode never
heard). The scores record which decode was used and keep the plain transcript.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.speech.text import markup
from app.speech.text import wer as W
from app.speech.tts.base import Audio

from .whisper import Transcript, transcribe

DEFAULT_THRESHOLD = 85.0
MAX_WRONG_RUN = 4
CONTEXT_MIN_PROBABILITY = 0.5
ADDED_WORDS_SHARE = 0.1


def added_words_limit(reference_units: int) -> int:
    """How many more words the second decode may hear than the plain one: 1, or 10 % of a long line."""
    return max(1, round(ADDED_WORDS_SHARE * reference_units))


@dataclass
class AccuracyResult:
    passed: bool
    score: float
    comparison: W.Comparison
    transcript: Transcript
    threshold: float
    max_wrong_run: int
    decoding: str                        # "plain" | "script_context"
    plain: W.Comparison | None = None    # the plain decode's comparison when the context one was used
    plain_transcript: Transcript | None = None
    reason: str = ""

    @property
    def longest_wrong_run(self) -> int:
        return self.comparison.longest_wrong_run


def _verdict(cmp: W.Comparison, threshold: float, max_run: int) -> tuple[bool, str]:
    if not cmp.ref_tokens:
        return False, "the line has no words to compare"
    unit = "characters" if cmp.scored_on == "cer" else "words"
    rate_name = cmp.scored_on.upper()
    if cmp.score < threshold:
        counts = cmp.error_counts
        wrong = counts["substitutions"] + counts["deletions"] + counts["insertions"]
        return False, (f"{rate_name} {cmp.rate:.0%}: {wrong} {unit} wrong of {counts['reference_units']} "
                       f"(score {cmp.score:.0f} < {threshold:.0f})")
    if cmp.longest_wrong_run > max_run:
        return False, (f"{cmp.longest_wrong_run} {unit} wrong in a row (at most {max_run} allowed), "
                       f"although {rate_name} is {cmp.rate:.0%}")
    return True, f"{rate_name} {cmp.rate:.0%}"


def check_accuracy(audio: Audio, script: str, locale: str = "en-us", *, threshold: float = DEFAULT_THRESHOLD,
                   max_wrong_run: int = MAX_WRONG_RUN, second_opinion: bool = True) -> AccuracyResult:
    """Transcribe ``audio`` and judge it against ``script`` (the take text; ``⟦word|ipa⟧`` markup
    counts as its word, and the comparison's offsets point into ``script`` as given).

    Raises ``UnsupportedLocale`` when no model covers the locale, ``ModelIntegrityError`` for a model
    that fails its hash check and ``AsrError`` when transcription fails."""
    plain_tr = transcribe(audio, locale)
    plain = W.compare(script, plain_tr.text, locale, plain_tr.words)
    ok, reason = _verdict(plain, threshold, max_wrong_run)
    result = AccuracyResult(ok, plain.score, plain, plain_tr, threshold, max_wrong_run, "plain", reason=reason)
    if ok or not second_opinion or not plain.ref_tokens:
        return result
    ctx_tr = transcribe(audio, locale, context=markup.plain(script))
    confident = (ctx_tr.mean_probability or 0.0) >= CONTEXT_MIN_PROBABILITY
    if not confident:
        return result
    ctx = W.compare(script, ctx_tr.text, locale, ctx_tr.words)
    if (ctx.score, -ctx.longest_wrong_run) <= (plain.score, -plain.longest_wrong_run):
        return result
    if len(ctx.hyp_tokens) - len(plain.hyp_tokens) > added_words_limit(len(plain.ref_tokens)):
        return result       # words the plain decode did not hear at all: the script leaking in (a cut take)
    ok, reason = _verdict(ctx, threshold, max_wrong_run)
    return AccuracyResult(ok, ctx.score, ctx, ctx_tr, threshold, max_wrong_run, "script_context",
                          plain=plain, plain_transcript=plain_tr,
                          reason=f"{reason} (second decode with the script as context)")
