"""The ObjectStore interface shared by LocalStore and S3Store."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_KEY_RE = re.compile(r"^ws/[A-Za-z0-9-]{1,36}/[A-Za-z0-9._/-]{1,300}$")


class StorageError(Exception):
    pass


def check_key(key: str) -> str:
    if not _KEY_RE.match(key) or ".." in key or "//" in key:
        raise StorageError(f"invalid object key {key!r}")
    return key


@dataclass
class ObjectInfo:
    size: int
    content_type: str | None


class ObjectStore(Protocol):
    kind: str

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def delete(self, key: str) -> None: ...
    def copy(self, src: str, dst: str) -> None: ...
    def presigned_put(self, key: str, content_type: str, expires: int, max_bytes: int) -> str: ...
    def presigned_get(self, key: str, expires: int, filename: str | None = None,
                      content_type: str | None = None) -> str: ...
