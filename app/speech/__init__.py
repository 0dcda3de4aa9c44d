"""Speech engines behind small interfaces.

This package knows nothing about Flask, the database or runs: it takes text or audio and returns
audio or scores. Engines are loaded lazily, once per process (see ``tts.get_engine``).
"""


def warm_up() -> None:
    """Load what a worker needs before its first take (engines, scipy's filters), off the clock, and keep
    the memory a take frees for the next one (allocator.py)."""
    from app.speech import audio_checks
    from app.speech.allocator import keep_freed_memory
    keep_freed_memory()
    from app.speech.tts import get_engine
    clip = get_engine("espeak").synthesize("Warming up.", "en-us")
    audio_checks.inspect_to_wav(clip, "Warming up.")
    import scipy.ndimage  # noqa: F401 - peak_limit's filters (the native kernels leave scipy unloaded until then)
