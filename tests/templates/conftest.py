import pytest

from tests.factories import make_key, make_user, make_workspace


@pytest.fixture
def other(api):
    """A second workspace (another owner) and its all-scope API client."""
    user = make_user()
    ws = make_workspace(user)
    return ws, user, api.as_(make_key(ws, user, "all"))
