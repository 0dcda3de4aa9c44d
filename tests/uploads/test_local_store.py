"""LocalStore.put_bytes: every take's WAV goes through it, written atomically (temporary file, then rename)."""
from __future__ import annotations

import os

import pytest

from app.storage.local import LocalStore


def _leftovers(root) -> list[str]:
    return [name for _, _, files in os.walk(root) for name in files if name.startswith(".upload-")]


def test_put_bytes_writes_and_replaces_atomically(tmp_path):
    store = LocalStore(tmp_path)
    key = "ws/abc/run/take.wav"
    store.put_bytes(key, b"RIFF" + bytes(range(256)) * 1000, "audio/wav")
    assert store.get_bytes(key) == b"RIFF" + bytes(range(256)) * 1000
    for data in (bytearray(b"second"), memoryview(b"third version")):
        store.put_bytes(key, data, "audio/wav")
        assert store.get_bytes(key) == bytes(data)
    assert store.head(key).content_type == "audio/wav" and store.head(key).size == len(b"third version")
    assert not os.path.exists(store.path_for(key).with_name("take.wav.meta.json"))   # implied by .wav
    store.put_bytes(key, b"x", "application/octet-stream")
    assert store.head(key).content_type == "application/octet-stream"
    assert _leftovers(tmp_path) == []


def test_a_failed_write_leaves_the_old_object_and_no_temporary_file(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    key = "ws/abc/run/take.wav"
    store.put_bytes(key, b"old", "audio/wav")

    def full_disk(fd, data):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError):
        store.put_bytes(key, b"new" * 1000, "audio/wav")
    monkeypatch.undo()
    assert store.get_bytes(key) == b"old" and _leftovers(tmp_path) == []
