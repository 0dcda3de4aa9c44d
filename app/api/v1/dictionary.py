"""dictionary.* : the workspace's pronunciation dictionary (rules in services/dictionary).

Reads need dictionary:read (any member); changes need dictionary:write and the editor role.
"""
from flask import request

from app.api import api_v1
from app.api.context import principal, workspace
from app.api.envelope import ok, ok_list
from app.api.params import body, choice, many, paging
from app.api.registry import endpoint
from app.errors import ValidationFailed
from app.extensions import db
from app.services import dictionary as dict_svc

T = "Dictionary"
READ, WRITE = "dictionary:read", "dictionary:write"
LIST_QUERY = {"method": "list[str]", "sort": "str", "order": "str", "offset": "int", "limit": "int"}
WRITE_BODY = {"word": ("str", False), "description": ("str", False), "pronunciation": ("str", False),
              "upload_id": ("str", False), "method": ("DictionaryMethod", False), "language": ("str", False),
              "ipa": ("str", False), "case_sensitive": ("bool", False)}


def _language(name: str, required: bool) -> str | None:
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        if required:
            raise ValidationFailed([{"field": name, "message": "is required (one locale, e.g. en-us)"}])
        return None
    code = dict_svc.language_code(raw)
    if code is None:
        raise ValidationFailed([{"field": name, "message": "must be a language tag such as en-us or ko-kr"}])
    return code


def _languages(name: str) -> list[str]:
    out = []
    for raw in many(name):
        code = dict_svc.language_code(raw)
        if code is None:
            raise ValidationFailed([{"field": name, "message": f"{raw!r} is not a language tag such as en-us"}])
        out.append(code)
    return out


def _sorting() -> tuple[str, str | None]:
    return choice("sort", dict_svc.SORTS, "created_at"), choice("order", dict_svc.ORDERS)


def _author() -> str | None:
    p = principal()
    return p.user.id if p.api_key is None else None


@endpoint(api_v1, "/dictionary", sdk="dictionary.list_dictionary_entries", scope=READ, tag=T,
          query={**LIST_QUERY, "language": "str"}, response="list[DictionaryOut]")
def list_dictionary_entries():
    """Entries of one locale (language required); method repeatable (OR); sort uses_count|created_at|word."""
    ws, _m = workspace(READ)
    language = _language("language", required=True)
    methods = many("method", dict_svc.METHODS)
    sort, order = _sorting()
    offset, limit = paging(max_limit=dict_svc.MAX_LIMIT)
    rows, more = dict_svc.list_entries(ws, language=language, methods=methods, sort=sort, order=order,
                                       offset=offset, limit=limit)
    return ok_list([dict_svc.entry_out(e) for e in rows], limit=limit, offset=offset, has_more=more)


@endpoint(api_v1, "/dictionary", ("POST",), sdk="dictionary.create_dictionary_entry", scope=WRITE, tag=T,
          status=201, body={**WRITE_BODY, "word": ("str", True), "method": ("DictionaryMethod", True),
                            "language": ("str", True)}, response="DictionaryOut")
def create_dictionary_entry():
    """Add a word: spelled (pronunciation), ipa (ipa) or recorded (upload_id of a confirmed dictionary upload)."""
    ws, m = workspace(WRITE)
    e, cleanup = dict_svc.create(ws, m, _author(), body())
    db.session.commit()
    dict_svc.delete_objects(cleanup)
    return ok(dict_svc.entry_out(e), 201)


@endpoint(api_v1, "/dictionary/search", sdk="dictionary.search_dictionary_entries", scope=READ, tag=T,
          query={**LIST_QUERY, "search": "str", "language": "list[str]"}, response="list[DictionaryOut]")
def search_dictionary_entries():
    """Case-insensitive substring of the word (search required); language repeatable, omitted = all."""
    ws, _m = workspace(READ)
    text = request.args.get("search")
    if text is None or not text.strip():
        raise ValidationFailed([{"field": "search", "message": "is required"}])
    languages = _languages("language")
    sort, order = _sorting()
    offset, limit = paging(max_limit=dict_svc.MAX_LIMIT)
    rows, more = dict_svc.search(ws, text=text.strip(), languages=languages, sort=sort, order=order,
                                 offset=offset, limit=limit)
    return ok_list([dict_svc.entry_out(e) for e in rows], limit=limit, offset=offset, has_more=more)


@endpoint(api_v1, "/dictionary/languages", sdk="dictionary.list_dictionary_languages", scope=READ, tag=T,
          response="DictionaryLanguageOut[]")
def list_dictionary_languages():
    """Locales with at least one entry and their counts (count desc, then code); not paginated."""
    ws, _m = workspace(READ)
    return ok(dict_svc.languages(ws))


@endpoint(api_v1, "/dictionary/suggest-pronunciation", ("POST",), sdk="dictionary.suggest_pronunciation",
          scope=READ, tag=T, body={"word": ("str", True), "language": ("str", True)},
          response="PronunciationSuggestion")
def suggest_pronunciation():
    """A deterministic respelling for a spelled entry, plus espeak's IPA of the word in that locale."""
    workspace(READ)
    return ok(dict_svc.suggest(body()))


@endpoint(api_v1, "/dictionary/<entry_id>", ("PUT",), sdk="dictionary.update_dictionary_entry", scope=WRITE,
          tag=T, body=WRITE_BODY, response="DictionaryOut")
def update_dictionary_entry(entry_id):
    """Partial update (only the keys sent); 409 when the new (word, language) is taken."""
    ws, m = workspace(WRITE)
    e, cleanup = dict_svc.update(ws, m, entry_id, body())
    db.session.commit()
    dict_svc.delete_objects(cleanup)
    return ok(dict_svc.entry_out(e))


@endpoint(api_v1, "/dictionary/<entry_id>", ("DELETE",), sdk="dictionary.delete_dictionary_entry", scope=WRITE,
          tag=T, response="dict")
def delete_dictionary_entry(entry_id):
    """Remove an entry for good (its recorded audio too)."""
    ws, m = workspace(WRITE)
    keys = dict_svc.delete(ws, m, entry_id)
    db.session.commit()
    dict_svc.delete_objects(keys)
    return ok({})
