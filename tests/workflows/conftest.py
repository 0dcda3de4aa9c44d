"""The workflow language is pure Python: these tests need no database or Redis.

`_clean` overrides the suite's autouse fixture of the same name (tests/conftest.py), which would
otherwise create the app and truncate PostgreSQL before every test.
"""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean():
    yield
