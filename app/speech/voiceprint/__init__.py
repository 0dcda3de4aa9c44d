"""Voiceprints: what a voice sounds like as a vector, and how alike two voices are.

No Flask, no database: audio in, vectors and scores out. ``embed(audio)`` gives one clip's
voiceprint, ``embed_many`` a voice's voiceprint from several clips, ``scores`` ranks candidates.
``VERSION`` changes whenever the vector's meaning does (stored voiceprints of another version are
recomputed by the catalog refresh).
"""
from .features import VERSION, VoiceprintError, embed, embed_many, median_f0_hz
from .similarity import Scaler, scores

__all__ = ["VERSION", "Scaler", "VoiceprintError", "embed", "embed_many", "median_f0_hz", "scores"]
