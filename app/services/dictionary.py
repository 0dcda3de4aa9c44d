"""The pronunciation dictionary: one entry per (word, locale) in a workspace.

Methods: `spelled` (a respelling in `pronunciation`, required), `ipa` (an IPA transcription in `ipa`,
required and checked), `recorded` (reference audio from a confirmed dictionary upload, required). Any
entry may also carry an IPA; a `recorded` entry with an IPA is spoken with it (see the phoneme
injector). Rules:

- `language` is case-insensitive and stored lowercase (`EN_us` → `en-us`); any well-formed tag
  (`en`, `en-us`, `zh-hant-tw`) up to 10 characters. A bare family (`en`) applies to every region.
- (word, language) is unique per workspace, case-insensitively (`word_key` = casefolded word): a
  duplicate on create or update is a 409 and changes nothing.
- `recorded`: the upload must be a confirmed (`uploaded`) dictionary-category upload of this
  workspace; its bytes are copied to ws/<ws>/dictionary/<entry>/<name>, the upload row is deleted
  (consumed) and its staging object removed after the commit. A new upload on update replaces the
  audio; the old object is removed after the commit too (rather than orphaned).
- Update is a partial PUT: only the keys sent change; explicit null for word/method/language is a
  422; null clears description, pronunciation and ipa (unless the method needs them).
- `created_by` is the user for browser sessions and null for API keys (contract).
- `case_sensitive` (an extension the SDK does not send, default false) makes the entry match only
  the exact spelling during runs.
- No activity events: the contract's UsageActivityAction has no dictionary action.

Roles: reads for any member (scope dictionary:read); changes need the editor role (scope
dictionary:write). Lists page at most 50 rows.
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from app.auth.permissions import require_role
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import DictionaryEntry, Membership, Upload, Workspace, iso, new_id
from app.speech.text import ipa as ipa_text
from app.storage import get_store, workspace_key
from app.validation import Validation

log = logging.getLogger(__name__)

METHODS = ("spelled", "recorded", "ipa")
SORTS = ("uses_count", "created_at", "word")
ORDERS = ("asc", "desc")
MAX_LIMIT = 50
AUDIO_URL_TTL = 900
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")
_MARKUP_CHARS = "⟦⟧|"


# ---------------------------------------------------------------- output

def entry_out(e: DictionaryEntry) -> dict:
    audio_url = None
    if e.method == "recorded" and e.audio_key:
        audio_url = get_store().presigned_get(e.audio_key, AUDIO_URL_TTL, filename=e.audio_key.rsplit("/", 1)[-1],
                                              content_type=e.audio_content_type)
    return {"id": e.id, "word": e.word, "description": e.description, "pronunciation": e.pronunciation,
            "audio_url": audio_url, "method": e.method, "language": e.language, "uses_count": e.uses_count,
            "ipa": e.ipa, "created_by": e.created_by, "case_sensitive": e.case_sensitive,
            "created_at": iso(e.created_at), "updated_at": iso(e.updated_at)}


def word_key(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


def language_code(value) -> str | None:
    """'EN_us' -> 'en-us'; None when not a well-formed language tag."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-")
    return code if len(code) <= 10 and _LANG_RE.match(code) else None


# ---------------------------------------------------------------- reading

def get(ws: Workspace, entry_id: str) -> DictionaryEntry:
    e = db.session.get(DictionaryEntry, entry_id) if isinstance(entry_id, str) and 0 < len(entry_id) <= 36 else None
    if e is None or e.workspace_id != ws.id:
        raise NotFound("Dictionary entry not found.")
    return e


def _ordered(q, sort: str, order: str | None):
    col = {"uses_count": DictionaryEntry.uses_count, "created_at": DictionaryEntry.created_at,
           "word": DictionaryEntry.word_key}[sort]
    direction = order or ("asc" if sort == "word" else "desc")
    key = col.asc() if direction == "asc" else col.desc()
    tie = DictionaryEntry.id.asc() if direction == "asc" else DictionaryEntry.id.desc()
    return q.order_by(key, tie)


def _page(q, offset: int, limit: int) -> tuple[list[DictionaryEntry], bool]:
    rows = db.session.scalars(q.offset(offset).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit


def list_entries(ws: Workspace, *, language: str, methods: list[str], sort: str, order: str | None,
                 offset: int, limit: int) -> tuple[list[DictionaryEntry], bool]:
    q = select(DictionaryEntry).where(DictionaryEntry.workspace_id == ws.id, DictionaryEntry.language == language)
    if methods:
        q = q.where(DictionaryEntry.method.in_(methods))
    return _page(_ordered(q, sort, order), offset, limit)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(ws: Workspace, *, text: str, languages: list[str], sort: str, order: str | None,
           offset: int, limit: int) -> tuple[list[DictionaryEntry], bool]:
    q = select(DictionaryEntry).where(DictionaryEntry.workspace_id == ws.id,
                                      DictionaryEntry.word_key.like(f"%{_like_escape(word_key(text))}%",
                                                                    escape="\\"))
    if languages:
        q = q.where(DictionaryEntry.language.in_(languages))
    return _page(_ordered(q, sort, order), offset, limit)


def languages(ws: Workspace) -> list[dict]:
    n = func.count(DictionaryEntry.id)
    rows = db.session.execute(select(DictionaryEntry.language, n).where(DictionaryEntry.workspace_id == ws.id)
                              .group_by(DictionaryEntry.language).order_by(n.desc(), DictionaryEntry.language.asc()))
    return [{"code": code, "count": int(count)} for code, count in rows]


# ---------------------------------------------------------------- validation

def _check_word(v: Validation, word) -> None:
    if word is None:
        return
    if any(unicodedata.category(ch) == "Cc" for ch in word):
        v.error("word", "may not contain control characters")
    elif any(ch in word for ch in _MARKUP_CHARS):
        v.error("word", "may not contain ⟦, ⟧ or |")
    elif not any(ch.isalnum() for ch in word):
        v.error("word", "must contain a letter or digit")


def _check_ipa(v: Validation, value) -> str | None:
    if value is None:
        return None
    try:
        return ipa_text.check_ipa(value)
    except ipa_text.IPAError as exc:
        v.error("ipa", str(exc))
        return None


def _check_language(v: Validation, value) -> str | None:
    if value is None:
        return None
    code = language_code(value)
    if code is None:
        v.error("language", "must be a language tag such as en-us or ko-kr")
    return code


def _fields(v: Validation, *, partial: bool) -> dict:
    """The body's fields, checked. Keys absent from the body are absent from the result."""
    out: dict = {}
    get_ = v.optional if partial else v.require
    if not partial or v.present("word"):
        kw = {"nullable": False} if partial else {}
        out["word"] = get_("word", str, max_len=200, **kw)
        _check_word(v, out["word"])
        if out["word"] is not None:
            out["word"] = " ".join(out["word"].split())
    if not partial or v.present("method"):
        kw = {"nullable": False} if partial else {}
        out["method"] = get_("method", str, choices=METHODS, **kw)
    if not partial or v.present("language"):
        kw = {"nullable": False} if partial else {}
        raw = get_("language", str, max_len=35, **kw)
        out["language"] = _check_language(v, raw)
    for name, max_len in (("description", 2000), ("pronunciation", 400)):
        if v.present(name):
            value = v.optional(name, str, max_len=max_len)
            out[name] = value or None
    if v.present("pronunciation") and out.get("pronunciation") and any(ch in out["pronunciation"]
                                                                      for ch in _MARKUP_CHARS):
        v.error("pronunciation", "may not contain ⟦, ⟧ or |")
    if v.present("ipa"):
        raw = v.optional("ipa", str, max_len=400)
        out["ipa"] = _check_ipa(v, raw) if raw not in (None, "") else None
    if v.present("upload_id"):
        out["upload_id"] = v.optional("upload_id", str, max_len=36) or None
    if v.present("case_sensitive"):
        out["case_sensitive"] = v.optional("case_sensitive", bool, nullable=False)
    return out


def _require_for_method(v: Validation, method: str | None, pronunciation, ipa, has_audio: bool) -> None:
    if method == "spelled" and not pronunciation:
        v.error("pronunciation", "is required for method spelled (a respelling such as puh-DOH-nohs)")
    elif method == "ipa" and not ipa:
        v.error("ipa", "is required for method ipa (an IPA transcription such as pəˈdoʊnoʊs)")
    elif method == "recorded" and not has_audio:
        v.error("upload_id", "is required for method recorded (a confirmed dictionary upload)")


def _dictionary_upload(ws: Workspace, upload_id: str) -> Upload:
    u = db.session.get(Upload, upload_id, with_for_update=True) if 0 < len(upload_id) <= 36 else None
    if u is None or u.workspace_id != ws.id:
        raise ValidationFailed([{"field": "upload_id", "message": "no upload with this id in this workspace"}])
    if u.category != "dictionary":
        raise ValidationFailed([{"field": "upload_id",
                                 "message": f"is a {u.category} upload; use a dictionary upload (mp3, wav, "
                                            "m4a, ogg, webm)"}])
    if u.status != "uploaded":
        raise ValidationFailed([{"field": "upload_id", "message": "is not confirmed yet: confirm the upload first"}])
    return u


def _take_audio(ws: Workspace, entry_id: str, u: Upload) -> tuple[str, str, str]:
    """Copies a confirmed upload into the entry's permanent storage and consumes the upload.
    Returns (new key, content type, staging key to delete after the commit)."""
    name = u.storage_key.rsplit("/", 1)[-1]
    key = workspace_key(ws.id, "dictionary", entry_id, name)
    get_store().copy(u.storage_key, key)
    staging = u.storage_key
    db.session.delete(u)
    return key, u.content_type, staging


def _conflict(word: str, language: str) -> Conflict:
    return Conflict(f"The dictionary already has an entry for {word!r} in {language}.", code="CONFLICT")


def _duplicate(ws: Workspace, key: str, language: str, exclude: str | None = None) -> bool:
    q = select(DictionaryEntry.id).where(DictionaryEntry.workspace_id == ws.id, DictionaryEntry.language == language,
                                         DictionaryEntry.word_key == key)
    if exclude:
        q = q.where(DictionaryEntry.id != exclude)
    return db.session.scalar(q.limit(1)) is not None


def _flush(word: str, language: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise _conflict(word, language) from None


# ---------------------------------------------------------------- changes

def create(ws: Workspace, membership: Membership, user_id: str | None, data: dict) -> tuple[DictionaryEntry, list[str]]:
    """The new entry and storage keys to delete once the transaction has committed."""
    require_role(membership.role, "content.write", "Viewers cannot change the dictionary.")
    v = Validation(data)
    f = _fields(v, partial=False)
    v.raise_if_invalid()
    _require_for_method(v, f["method"], f.get("pronunciation"), f.get("ipa"), bool(f.get("upload_id")))
    v.raise_if_invalid()
    key = word_key(f["word"])
    if _duplicate(ws, key, f["language"]):
        raise _conflict(f["word"], f["language"])
    upload = _dictionary_upload(ws, f["upload_id"]) if f.get("upload_id") else None
    e = DictionaryEntry(id=new_id(), workspace_id=ws.id, word=f["word"], word_key=key, language=f["language"],
                        method=f["method"], description=f.get("description"), pronunciation=f.get("pronunciation"),
                        ipa=f.get("ipa"), case_sensitive=bool(f.get("case_sensitive")), uses_count=0,
                        created_by=user_id)
    cleanup: list[str] = []
    if upload is not None:
        e.audio_key, e.audio_content_type, staging = _take_audio(ws, e.id, upload)
        cleanup.append(staging)
    db.session.add(e)
    try:
        _flush(e.word, e.language)
    except Conflict:
        if e.audio_key:
            delete_objects([e.audio_key])
        raise
    return e, cleanup


def update(ws: Workspace, membership: Membership, entry_id: str, data: dict) -> tuple[DictionaryEntry, list[str]]:
    require_role(membership.role, "content.write", "Viewers cannot change the dictionary.")
    e = get(ws, entry_id)
    v = Validation(data)
    f = _fields(v, partial=True)
    v.raise_if_invalid()
    word = f.get("word", e.word)
    language = f.get("language", e.language)
    method = f.get("method", e.method)
    pronunciation = f["pronunciation"] if "pronunciation" in f else e.pronunciation
    ipa = f["ipa"] if "ipa" in f else e.ipa
    _require_for_method(v, method, pronunciation, ipa, bool(f.get("upload_id") or e.audio_key))
    v.raise_if_invalid()
    key = word_key(word)
    if (key, language) != (e.word_key, e.language) and _duplicate(ws, key, language, exclude=e.id):
        raise _conflict(word, language)
    upload = _dictionary_upload(ws, f["upload_id"]) if f.get("upload_id") else None
    cleanup: list[str] = []
    if upload is not None:
        old = e.audio_key
        e.audio_key, e.audio_content_type, staging = _take_audio(ws, e.id, upload)
        cleanup.append(staging)
        if old and old != e.audio_key:
            cleanup.append(old)
    e.word, e.word_key, e.language, e.method = word, key, language, method
    e.pronunciation, e.ipa = pronunciation, ipa
    if "description" in f:
        e.description = f["description"]
    if "case_sensitive" in f:
        e.case_sensitive = f["case_sensitive"]
    _flush(word, language)
    return e, cleanup


def delete(ws: Workspace, membership: Membership, entry_id: str) -> list[str]:
    require_role(membership.role, "content.write", "Viewers cannot change the dictionary.")
    e = get(ws, entry_id)
    keys = [e.audio_key] if e.audio_key else []
    db.session.delete(e)
    db.session.flush()
    return keys


def delete_objects(keys: list[str]) -> None:
    """Storage cleanup after the commit; a failure only leaves an orphaned object."""
    store = get_store()
    for key in keys:
        try:
            store.delete(key)
        except Exception:  # noqa: BLE001
            log.exception("could not delete dictionary object %s", key)


# ---------------------------------------------------------------- suggestions

def suggest(data: dict) -> dict:
    """A deterministic respelling and espeak's IPA for a word in a locale (ipa null when espeak has
    no voice for it; the respelling then comes from the en-us reading)."""
    from app.speech.text import espeak_phonemes as ep
    from app.speech.text.respell import respell
    from app.speech.tts import get_engine
    v = Validation(data)
    word = v.require("word", str, max_len=200)
    language = _check_language(v, v.require("language", str, max_len=35))
    v.raise_if_invalid()
    word = " ".join(word.split())
    voice = ep.voice_for_locale(language)
    ipa = get_engine("espeak").text_to_ipa(word, voice or "en-us")
    return {"pronunciation": respell(ipa, english=voice is None or language.startswith("en")) or word.lower(),
            "ipa": ipa if voice else None, "language": language}


# ---------------------------------------------------------------- runs

def languages_for(locale: str) -> tuple[str, ...]:
    """Entry languages that apply to a take's locale: the locale itself, then its bare family."""
    loc = (locale or "").lower()
    family = loc.split("-")[0]
    return (loc, family) if family and family != loc else (loc,)


def version_for(workspace_id: str, locale: str) -> str:
    """Changes whenever an entry that applies to the locale is added, edited or removed (not when
    uses_count moves). "0" when there is none, so an empty dictionary never changes cache keys."""
    count, newest = db.session.execute(
        select(func.count(DictionaryEntry.id), func.max(DictionaryEntry.updated_at))
        .where(DictionaryEntry.workspace_id == workspace_id,
               DictionaryEntry.language.in_(languages_for(locale)))).one()
    if not count:
        return "0"
    return hashlib.sha256(f"{count}:{iso(newest)}".encode()).hexdigest()[:16]


def entries_for(workspace_id: str, locale: str) -> list[DictionaryEntry]:
    """Entries that apply to the locale; an entry of the exact locale hides the family's one for the
    same word."""
    langs = languages_for(locale)
    rows = db.session.scalars(select(DictionaryEntry).where(DictionaryEntry.workspace_id == workspace_id,
                                                            DictionaryEntry.language.in_(langs))).all()
    best: dict[str, DictionaryEntry] = {}
    for e in sorted(rows, key=lambda r: langs.index(r.language)):
        best.setdefault(e.word_key, e)
    return list(best.values())


def add_uses(counts: dict[str, int]) -> None:
    """uses_count += n, one UPDATE per entry; updated_at is left alone (it versions the content)."""
    for entry_id, n in sorted(counts.items()):
        if n > 0:
            db.session.execute(sql_update(DictionaryEntry).where(DictionaryEntry.id == entry_id)
                               .values(uses_count=DictionaryEntry.uses_count + n,
                                       updated_at=DictionaryEntry.updated_at))
