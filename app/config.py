"""Settings, read from the environment only (documented in README.md)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_dir() -> Path:
    path = Path(os.environ.get("ONEPIN_DATA_DIR", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(data_dir: Path) -> str:
    """SECRET_KEY from env; otherwise a key generated once and kept in the data dir."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(data_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'onepin.db'}"
    # Heroku-style URLs and plain postgresql:// both go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Built from os.environ at app creation (so tests can set the env first)."""

    def __init__(self, overrides: dict | None = None):
        env = os.environ
        data_dir = _instance_dir()
        self.DATA_DIR = str(data_dir)
        self.SECRET_KEY = _secret_key(data_dir)
        self.SQLALCHEMY_DATABASE_URI = _database_url(data_dir)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = env.get("REDIS_URL", "")
        self.STORAGE_URL = env.get("STORAGE_URL", f"file://{data_dir / 'storage'}")
        self.SMTP_URL = env.get("SMTP_URL", "")
        self.MAIL_FROM = env.get("ONEPIN_MAIL_FROM", "OnePin <no-reply@onepin.local>")
        self.PUBLIC_URL = env.get("ONEPIN_PUBLIC_URL", "").rstrip("/")
        self.DEFAULT_PLAN = env.get("ONEPIN_DEFAULT_PLAN", "free")
        self.JWT_TTL_SECONDS = int(env.get("ONEPIN_JWT_TTL", "900"))
        self.LOGIN_RATE_LIMIT = env.get("ONEPIN_LOGIN_RATE_LIMIT", "10 per minute")
        # how often an open editor asks whether someone else saved the workflow (0: only when it saves)
        self.EDITOR_CHANGE_CHECK_SECONDS = float(env.get("ONEPIN_EDITOR_CHANGE_CHECK_SECONDS", "10"))
        self.INVITE_TTL_DAYS = 14
        self.ARGON2_FAST = _bool(env.get("ONEPIN_ARGON2_FAST"))  # tests only: cheaper hashing
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool(env.get("ONEPIN_SECURE_COOKIES"))
        self.WTF_CSRF_TIME_LIMIT = None  # token bound to the session, not to a clock
        self.WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_STRATEGY = "fixed-window"
        self.MAX_CONTENT_LENGTH = 64 * 1024 * 1024
        self.JSON_SORT_KEYS = False
        self.TESTING = False
        for key, value in (overrides or {}).items():
            setattr(self, key, value)

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}
