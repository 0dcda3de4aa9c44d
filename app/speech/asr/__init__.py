"""Speech recognition for the validators: what was actually said in a take, word by word.

``transcribe(audio, locale)`` returns a ``Transcript`` (text, words with start/end/probability, the
model that produced it). English uses the bundled, hash-pinned Whisper tiny.en; other locales need a
configured multilingual model (see ``models``), otherwise ``UnsupportedLocale`` is raised.
No Flask, no database: audio in, words out.
"""
from __future__ import annotations

from .models import AsrError, ModelIntegrityError, ModelSpec, language_of, spec_for
from .whisper import Transcript, UnsupportedLocale, Word, load, model_for, supports, transcribe

__all__ = ["AsrError", "ModelIntegrityError", "ModelSpec", "Transcript", "UnsupportedLocale", "Word",
           "language_of", "load", "model_for", "spec_for", "supports", "transcribe"]
