"""Web login is rate limited (10 per minute): the 11th POST gets 429 with Retry-After."""
import re

from tests.factories import make_user


def _csrf(client) -> str:
    html = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_rate_limit(client):
    make_user(email="victim@example.com")
    token = _csrf(client)
    statuses = []
    for _ in range(10):
        resp = client.post("/login", data={"email": "victim@example.com", "password": "wrong password!",
                                           "csrf_token": token})
        statuses.append(resp.status_code)
    assert statuses == [401] * 10
    resp = client.post("/login", data={"email": "victim@example.com", "password": "wrong password!",
                                       "csrf_token": token})
    assert resp.status_code == 429
    retry = resp.headers.get("Retry-After")
    assert retry is not None and int(retry) > 0
    # even the right password is refused while limited
    resp = client.post("/login", data={"email": "victim@example.com", "password": "correct horse battery",
                                       "csrf_token": token})
    assert resp.status_code == 429


def test_login_without_csrf_refused(client):
    make_user(email="someone@example.com")
    resp = client.post("/login", data={"email": "someone@example.com", "password": "correct horse battery"})
    assert resp.status_code == 400


def test_login_success_redirects(client):
    make_user(email="ok@example.com")
    token = _csrf(client)
    resp = client.post("/login", data={"email": "ok@example.com", "password": "correct horse battery",
                                       "csrf_token": token})
    assert resp.status_code in (302, 303)
