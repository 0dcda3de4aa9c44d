"""Object storage: LocalStore (a folder; signed URLs served by the app) or S3Store (boto3).

Chosen by STORAGE_URL: file:///path  |  s3://bucket/prefix?endpoint=http://host:port&region=us-east-1
Keys always start with ws/<workspace_id>/ (tenant isolation in storage too).
"""
from __future__ import annotations

from flask import current_app

from app.storage.base import ObjectInfo, ObjectStore, StorageError, check_key


def get_store() -> ObjectStore:
    ext = current_app.extensions
    if "object_store" not in ext:
        url = current_app.config["STORAGE_URL"]
        if url.startswith("s3://"):
            from app.storage.s3 import S3Store
            ext["object_store"] = S3Store.from_url(url)
        else:
            from app.storage.local import LocalStore
            ext["object_store"] = LocalStore.from_url(url)
    return ext["object_store"]


def workspace_key(workspace_id: str, *parts: str) -> str:
    return check_key("/".join(["ws", workspace_id, *parts]))


__all__ = ["ObjectInfo", "ObjectStore", "StorageError", "get_store", "workspace_key", "check_key"]
