"""Any S3-compatible store through boto3 (presigned URLs; HEAD checks size and type on confirm,
because local S3 servers do not enforce the signed policy)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from app.storage.base import ObjectInfo, StorageError, check_key


class S3Store:
    kind = "s3"

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None):
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region or "us-east-1",
                                   config=BotoConfig(signature_version="s3v4", s3={"addressing_style": "path"}))

    @classmethod
    def from_url(cls, url: str) -> "S3Store":
        u = urlparse(url)
        q = parse_qs(u.query)
        return cls(u.netloc, u.path, endpoint_url=q.get("endpoint", [None])[0], region=q.get("region", [None])[0])

    def _k(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._k(key), Body=data, ContentType=content_type)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._k(key))["Body"].read()
        except ClientError as exc:
            raise StorageError(f"no object {key}: {exc}") from None

    def head(self, key: str) -> ObjectInfo | None:
        try:
            r = self.client.head_object(Bucket=self.bucket, Key=self._k(key))
        except ClientError:
            return None
        return ObjectInfo(size=int(r["ContentLength"]), content_type=r.get("ContentType"))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._k(key))

    def copy(self, src: str, dst: str) -> None:
        self.client.copy_object(Bucket=self.bucket, Key=self._k(dst), CopySource={"Bucket": self.bucket, "Key": self._k(src)})

    def presigned_put(self, key: str, content_type: str, expires: int, max_bytes: int) -> str:
        return self.client.generate_presigned_url("put_object", ExpiresIn=int(expires), HttpMethod="PUT",
                                                  Params={"Bucket": self.bucket, "Key": self._k(key),
                                                          "ContentType": content_type})

    def presigned_get(self, key: str, expires: int, filename: str | None = None,
                      content_type: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": self._k(key)}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        if content_type:
            params["ResponseContentType"] = content_type
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=int(expires))
