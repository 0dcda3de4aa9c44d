"""Workspace-owned speech data: the pronunciation dictionary, provider credentials (cloud TTS and
machine translation keys, stored encrypted) and the translation memory."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import IdMixin, TimestampMixin


class DictionaryEntry(IdMixin, TimestampMixin, db.Model):
    """One word's pronunciation in one locale. method: spelled (a respelling), ipa, or recorded
    (reference audio from a confirmed dictionary upload)."""
    __tablename__ = "dictionary_entries"
    __table_args__ = (UniqueConstraint("workspace_id", "language", "word_key", name="uq_dictionary_word"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True)
    word: Mapped[str] = mapped_column(String(200), nullable=False)
    word_key: Mapped[str] = mapped_column(String(200), nullable=False)      # casefolded word, for uniqueness
    language: Mapped[str] = mapped_column(String(10), nullable=False)       # lowercase locale, e.g. en-us
    method: Mapped[str] = mapped_column(String(10), nullable=False)         # spelled | ipa | recorded
    description: Mapped[str | None] = mapped_column(Text)
    pronunciation: Mapped[str | None] = mapped_column(String(400))
    ipa: Mapped[str | None] = mapped_column(String(400))
    audio_key: Mapped[str | None] = mapped_column(String(400))
    audio_content_type: Mapped[str | None] = mapped_column(String(100))
    case_sensitive: Mapped[bool] = mapped_column(default=False, nullable=False)
    uses_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(36))


class ProviderCredential(IdMixin, TimestampMixin, db.Model):
    """A workspace's own key for a remote provider. kind: tts (elevenlabs, openai, cartesia) or mt
    (libretranslate, deepl, openai_compatible). The secret is Fernet-encrypted with a key derived
    from SECRET_KEY; only the last four characters are kept in clear, for display."""
    __tablename__ = "provider_credentials"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "provider", name="uq_provider_credential"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)           # tts | mt
    provider: Mapped[str] = mapped_column(String(40), nullable=False)
    secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    secret_last4: Mapped[str | None] = mapped_column(String(4))
    base_url: Mapped[str | None] = mapped_column(String(400))              # override (self-hosted, tests)
    options: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)   # model names etc.
    created_by: Mapped[str | None] = mapped_column(String(36))


class TranslationMemoryEntry(IdMixin, TimestampMixin, db.Model):
    """A translated segment the workspace has used before (from a bilingual script or MT)."""
    __tablename__ = "translation_memory"
    __table_args__ = (UniqueConstraint("workspace_id", "source_locale", "target_locale", "source_hash",
                                       name="uq_translation_memory"),
                      Index("ix_tm_lookup", "workspace_id", "target_locale"))

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    source_locale: Mapped[str] = mapped_column(String(10), nullable=False)
    target_locale: Mapped[str] = mapped_column(String(10), nullable=False)
    source_hash: Mapped[str] = mapped_column(String(64), nullable=False)   # sha256 of the normalized source text
    source_text: Mapped[str] = mapped_column(Text, nullable=False)
    target_text: Mapped[str] = mapped_column(Text, nullable=False)
    origin: Mapped[str] = mapped_column(String(20), nullable=False, default="script")   # script | mt | manual
    uses_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
