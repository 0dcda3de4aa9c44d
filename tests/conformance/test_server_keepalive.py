"""The live server keeps an idle keep-alive connection open longer than the CLI waits between polls.

`onepin workflows run --watch` polls the run's status every 2 s on one pooled connection (httpx keeps it 5 s).
With gunicorn's default keep-alive of 2 s the server closed that connection just as the next poll went out,
and the CLI failed with "[NETWORK_ERROR] A network transport error occurred." (seen in CI)."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlparse


def _get(sock: socket.socket, host: str) -> bytes:
    sock.sendall(f"GET /login HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data            # the server closed the connection
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_an_idle_connection_survives_a_watch_poll_interval(live_server):
    url = urlparse(live_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        assert _get(sock, url.netloc).startswith(b"HTTP/1.1 200")
        time.sleep(3.5)            # longer than the CLI's 2 s poll and gunicorn's old 2 s keep-alive
        second = _get(sock, url.netloc)
        assert second.startswith(b"HTTP/1.1 200"), second
