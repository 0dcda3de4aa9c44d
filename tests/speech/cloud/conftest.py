"""Cloud TTS adapters against the local vendor fakes: no database, no Redis."""
from __future__ import annotations

import pytest

from tests.fakes.cartesia import FakeCartesia
from tests.fakes.elevenlabs import FakeElevenLabs
from tests.fakes.openai_tts import FakeOpenAI

KEY = "sk-test-key-0000"


@pytest.fixture(autouse=True)
def _clean():
    """Overrides the suite-wide autouse fixture that empties PostgreSQL and Redis."""
    yield


@pytest.fixture(scope="session")
def servers():
    fakes = {"elevenlabs": FakeElevenLabs(KEY), "openai": FakeOpenAI(KEY), "cartesia": FakeCartesia(KEY)}
    for f in fakes.values():
        f.start()
    yield fakes
    for f in fakes.values():
        f.stop()


@pytest.fixture
def fakes(servers):
    for f in servers.values():
        f.reset()
    return servers
