"""A folder on disk. Presigned URLs point at the app itself (/_storage/put|get/<token>)."""
from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path
from urllib.parse import urlparse

from app.storage.base import ObjectInfo, StorageError, check_key
from app.storage.signing import external_url, sign

# Content types that an object's extension already states: such an object needs no .meta.json beside it
# (one file written per object instead of two; a run writes one per take).
IMPLIED_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".flac": "audio/flac", ".ogg": "audio/ogg"}


class LocalStore:
    kind = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._prefix = str(self.root.resolve()) + os.sep

    @classmethod
    def from_url(cls, url: str) -> "LocalStore":
        return cls(urlparse(url).path if url.startswith("file://") else url)

    def _path(self, key: str) -> Path:
        path = Path(os.path.realpath(os.path.join(self._prefix, check_key(key))))
        if not str(path).startswith(self._prefix):
            raise StorageError("key escapes the storage root")
        return path

    def _meta_path(self, key: str, path: Path | None = None) -> Path:
        path = path or self._path(key)
        return path.with_name(path.name + ".meta.json")

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        """put_stream for one buffer: os.write straight from it (no file object, no chunk loop)."""
        def write(fd: int) -> None:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
        self._write_atomically(key, write, content_type)

    def put_stream(self, key: str, chunks, content_type: str, max_bytes: int | None) -> int:
        """Writes atomically; refuses (and writes nothing) past max_bytes."""
        size = 0

        def write(fd: int) -> None:
            nonlocal size
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise StorageError(f"object larger than {max_bytes} bytes")
                    fh.write(chunk)
        self._write_atomically(key, write, content_type)
        return size

    def _write_atomically(self, key: str, write, content_type: str) -> None:
        """``write(fd)`` fills (and closes) a new private temp file beside the object, which then replaces the
        object in one rename; on any error the temp file goes and the old object stays."""
        path = self._path(key)
        fd, tmp = self._temp_file(path.parent)
        try:
            write(fd)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self._write_meta(path, content_type)

    @staticmethod
    def _temp_file(folder: Path) -> tuple[int, str]:
        """A new private file beside the object (renamed over it when complete), like mkstemp, with the
        folder made only when it is missing (a run writes thousands of objects into a few folders)."""
        while True:
            tmp = os.path.join(folder, f".upload-{secrets.token_hex(8)}")
            try:
                return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600), tmp
            except FileNotFoundError:
                folder.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                continue

    def _write_meta(self, path: Path, content_type: str | None) -> None:
        meta = path.with_name(path.name + ".meta.json")
        if content_type == IMPLIED_TYPES.get(path.suffix.lower()):
            try:
                meta.unlink()          # left by an earlier object under this key with another type
            except FileNotFoundError:
                pass
        else:
            meta.write_text(json.dumps({"content_type": content_type}))

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"no object {key}") from None

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            ct = json.loads(self._meta_path(key, path).read_text()).get("content_type")
        except (OSError, ValueError):
            ct = IMPLIED_TYPES.get(path.suffix.lower())
        return ObjectInfo(size=path.stat().st_size, content_type=ct)

    def delete(self, key: str) -> None:
        for p in (self._path(key), self._meta_path(key)):
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    def copy(self, src: str, dst: str) -> None:
        s, d = self._path(src), self._path(dst)
        if not s.is_file():
            raise StorageError(f"no object {src}")
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(s, d)
        info = self.head(src)
        self._write_meta(d, info.content_type if info else None)

    def path_for(self, key: str) -> Path:
        return self._path(key)

    def presigned_put(self, key: str, content_type: str, expires: int, max_bytes: int) -> str:
        token = sign({"m": "PUT", "k": check_key(key), "ct": content_type, "max": int(max_bytes)}, expires)
        return external_url("storage.put_object", token)

    def presigned_get(self, key: str, expires: int, filename: str | None = None,
                      content_type: str | None = None) -> str:
        token = sign({"m": "GET", "k": check_key(key), "fn": filename, "ct": content_type}, expires)
        return external_url("storage.get_object", token)
