"""Speech engines behind small interfaces.

This package knows nothing about Flask, the database or runs: it takes text or audio and returns
audio or scores. Engines are loaded lazily, once per process (see ``tts.get_engine``).
"""
