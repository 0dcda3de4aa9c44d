"""Filtering, sorting, relevance search and facet counts over the voices a workspace can see.

The catalog is small enough (about a thousand platform voices plus a workspace's own) to filter in
Python from a light projection of the rows, which keeps one definition of every filter for the list,
the facets and both database backends.

Filters: repeat-key OR within a field, AND across fields. ``language`` takes a supported locale or a
bare family ("en" matches en-us and en-gb); a voice matches when it declares a matching locale.
Facets: each dimension's counts apply every other active filter but not its own.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from app.errors import ValidationFailed
from app.workflows.locales import FAMILY_DEFAULTS, SUPPORTED_LOCALES

GENDERS = ("male", "female", "neutral")
AGES = ("young", "middle_aged", "old")
CATEGORIES = ("news", "narration", "story", "podcast", "conversational", "social_media", "educational", "business")
ACCENTS = ("american", "british", "australian", "indian", "canadian", "irish", "african", "european", "east_asian",
           "southeast_asian", "latin_american", "middle_eastern", "slavic", "spanish", "french", "german", "italian",
           "portuguese", "japanese", "korean", "chinese", "thai", "vietnamese", "other")
SOURCES = ("platform", "workspace", "recorded", "uploaded")
SORTS = ("name", "created_at", "uses_count")
ORDERS = ("asc", "desc")
DEFAULT_ORDER = {"name": "asc", "created_at": "desc", "uses_count": "desc"}
LANGUAGE_TOKENS = tuple(SUPPORTED_LOCALES) + tuple(FAMILY_DEFAULTS)
ENUM_DIMENSIONS = (("genders", "gender", GENDERS), ("ages", "age", AGES), ("categories", "category", CATEGORIES),
                   ("accents", "accent", ACCENTS))


@dataclass(frozen=True)
class Row:
    """The columns filters, facets, sorting and search need (no samples, no voiceprint)."""
    id: str
    workspace_id: str | None
    source: str
    provider: str
    name: str
    gender: str | None
    age: str | None
    accent: str | None
    category: str | None
    tags: tuple
    languages: tuple
    models: tuple
    description: str
    created_at: datetime
    updated_at: datetime
    uses_count: int


@dataclass
class VoiceQuery:
    favorites_only: bool = False
    sources: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)
    ages: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    accents: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    search: str | None = None
    sort: list[tuple[str, str]] = field(default_factory=list)


# ---- parsing (one path for the API and the web UI) ----------------------------------------------

def language_token(value: str) -> str | None:
    v = value.strip().lower().replace("_", "-")
    return v if v in LANGUAGE_TOKENS else None


def parse(args, *, with_sort: bool = True) -> VoiceQuery:
    """``args``: a mapping with ``getlist`` (request.args) or of lists. Raises ValidationFailed (422)."""
    def many(name):
        values = args.getlist(name) if hasattr(args, "getlist") else list(args.get(name) or [])
        return [v for v in (str(x).strip() for x in values) if v != ""]

    def one(name):
        values = many(name)
        return values[-1] if values else None

    errors: list[dict] = []

    def choices(name, allowed):
        values = many(name)
        bad = [v for v in values if v not in allowed]
        if bad:
            errors.append({"field": name, "message": f"unsupported value {bad[0]!r}; use one of: {', '.join(allowed)}"})
        return list(dict.fromkeys(v for v in values if v in allowed))

    q = VoiceQuery()
    fav = (one("favorites_only") or "false").lower()
    if fav not in ("true", "false", "1", "0"):
        errors.append({"field": "favorites_only", "message": "must be true or false"})
    q.favorites_only = fav in ("true", "1")
    q.sources = choices("source", SOURCES)
    q.genders, q.ages = choices("gender", GENDERS), choices("age", AGES)
    q.categories, q.accents = choices("category", CATEGORIES), choices("accent", ACCENTS)
    q.providers = list(dict.fromkeys(v.lower() for v in many("provider")))
    q.models = list(dict.fromkeys(many("model")))
    langs = []
    for raw in many("language"):
        token = language_token(raw)
        if token is None:
            errors.append({"field": "language", "message": f"unsupported language {raw!r}; use a supported locale "
                           f"({', '.join(SUPPORTED_LOCALES)}) or a bare family ({', '.join(FAMILY_DEFAULTS)})"})
        elif token not in langs:
            langs.append(token)
    q.languages = langs
    search = one("search")
    q.search = search[:200] if search else None
    if with_sort:
        sorts, orders = choices("sort", SORTS), many("order")
        bad = [o for o in orders if o not in ORDERS]
        if bad:
            errors.append({"field": "order", "message": f"unsupported value {bad[0]!r}; use asc or desc"})
        q.sort = [(s, orders[i] if i < len(orders) and orders[i] in ORDERS else DEFAULT_ORDER[s])
                  for i, s in enumerate(sorts)]
    if errors:
        raise ValidationFailed(errors)
    return q


# ---- matching -----------------------------------------------------------------------------------

def language_matches(declared, tokens) -> bool:
    for token in tokens:
        family = token.split("-")[0]
        for loc in declared:
            loc = loc.lower()
            if loc == token or loc == family or (token == family and loc.split("-")[0] == family):
                return True
    return False


def _source_ok(row: Row, sources) -> bool:
    for s in sources:
        if s == "platform" and row.workspace_id is None:
            return True
        if s == "workspace" and row.workspace_id is not None:
            return True
        if s == row.source:
            return True
    return False


def _checks(q: VoiceQuery, favorites: dict) -> dict:
    """dimension -> predicate(row); a dimension without an active filter is left out."""
    out = {}
    if q.favorites_only:
        out["favorites"] = lambda r: r.id in favorites
    if q.sources:
        out["sources"] = lambda r: _source_ok(r, q.sources)
    for dim, attr, _values in ENUM_DIMENSIONS:
        wanted = getattr(q, dim)
        if wanted:
            out[dim] = (lambda a, w: lambda r: getattr(r, a) in w)(attr, set(wanted))
    if q.providers:
        out["providers"] = lambda r: r.provider in q.providers
    if q.models:
        out["models"] = lambda r: any(m in q.models for m in r.models)
    if q.languages:
        out["languages"] = lambda r: language_matches(r.languages, q.languages)
    return out


def apply(rows: list[Row], q: VoiceQuery, favorites: dict, *, skip: str | None = None) -> list[Row]:
    checks = [f for dim, f in _checks(q, favorites).items() if dim != skip]
    out = [r for r in rows if all(f(r) for f in checks)]
    if q.search and query_terms(q.search):
        scores = _scores(q)
        out = [r for r in out if scores(r) > 0]
    return out


def _scores(q: VoiceQuery):
    """relevance(row) for the query's search, memoised on the query (the list and each facet reuse it)."""
    memo = q.__dict__.setdefault("_relevance", {})
    terms = query_terms(q.search or "")

    def score(row: Row) -> float:
        if row.id not in memo:
            memo[row.id] = relevance(row, terms)
        return memo[row.id]
    return score


# ---- relevance search ----------------------------------------------------------------------------

_SYNONYMS = {
    "narrator": "narration", "narrate": "narration", "narrating": "narration", "narrative": "narration",
    "reader": "narration", "audiobook": "narration", "audiobooks": "narration",
    "woman": "female", "women": "female", "lady": "female", "girl": "female", "feminine": "female",
    "man": "male", "men": "male", "guy": "male", "boy": "male", "masculine": "male",
    "elderly": "old", "older": "old", "senior": "old", "aged": "old", "grandparent": "old",
    "youthful": "young", "kid": "young", "child": "young", "teen": "young",
    "calming": "calm", "soothing": "calm", "relaxed": "calm", "relaxing": "calm", "gentle": "calm",
    "serene": "calm", "peaceful": "calm", "steady": "calm",
    "britain": "british", "uk": "british", "england": "british", "english": "english",
    "america": "american", "usa": "american", "us": "american",
    "newscaster": "news", "anchor": "news", "broadcast": "news", "headlines": "news",
    "storyteller": "story", "storytelling": "story", "stories": "story", "bedtime": "story",
    "robot": "robotic", "robots": "robotic", "mechanical": "robotic",
    "whispering": "whisper", "whispers": "whisper", "whispered": "whisper", "asmr": "whisper",
    "conversation": "conversational", "chatty": "conversational", "dialogue": "conversational",
    "education": "educational", "teaching": "educational", "elearning": "educational", "tutorial": "educational",
    "social": "social_media", "tiktok": "social_media", "shorts": "social_media",
    "natural": "natural", "realistic": "natural", "humanlike": "natural", "neural": "neural",
    "deep": "deep", "low": "deep", "high": "high-pitched", "lively": "lively", "energetic": "lively",
    "expressive": "lively", "upbeat": "lively",
}
_STOP = {"a", "an", "the", "and", "or", "with", "for", "of", "in", "voice", "voices", "speaker", "sounding",
         "sounds", "that", "like", "very", "who", "is", "to", "please", "me", "some"}
_DESCRIPTORS = {
    "female": ["female", "woman"], "male": ["male", "man"], "neutral": ["neutral"],
    "young": ["young"], "middle_aged": ["middle", "aged", "middle_aged"], "old": ["old"],
    "latin_american": ["latin", "american", "latin_american"], "east_asian": ["east", "asian"],
    "southeast_asian": ["southeast", "asian"], "middle_eastern": ["middle", "eastern"],
    "social_media": ["social_media", "social", "media"],
}
_WORD = re.compile(r"[a-z0-9_]+(?:-[a-z0-9]+)*")


def _norm(word: str) -> str:
    return _SYNONYMS.get(word, word)


def _words(text: str | None) -> list[str]:
    return [_norm(w) for w in _WORD.findall((text or "").lower())]


def query_terms(search: str) -> list[str]:
    return list(dict.fromkeys(w for w in _words(search) if w not in _STOP))


@lru_cache(maxsize=8192)
def _voice_terms(row: Row) -> tuple[dict[str, int], tuple[str, ...]]:
    """(word -> weight: name and descriptors 3, tags 2, description 1; the words sorted, for prefixes)."""
    terms: dict[str, int] = {}

    def add(words, weight):
        for w in words:
            if terms.get(w, 0) < weight:
                terms[w] = weight
    add(_words(row.description), 1)
    add([w for tag in row.tags for w in _words(tag)] + [_norm(t.lower()) for t in row.tags], 2)
    for value in (row.gender, row.age, row.accent, row.category):
        if value:
            add([_norm(w) for w in _DESCRIPTORS.get(value, [value])] + [value], 3)
    add(_words(row.name), 3)
    return terms, tuple(sorted(terms))


def relevance(row: Row, terms: list[str]) -> float:
    if not terms:
        return 0.0
    vt, ordered = _voice_terms(row)
    score, matched = 0.0, 0
    for t in terms:
        best = vt.get(t, 0)
        if not best and len(t) >= 4:
            i = bisect_left(ordered, t)
            best = 1 if i < len(ordered) and ordered[i].startswith(t) else 0
        if best:
            matched += 1
            score += best
    return score + 3.0 * matched * matched / len(terms) if matched else 0.0


# ---- ordering ------------------------------------------------------------------------------------

def order(rows: list[Row], q: VoiceQuery, favorites: dict) -> list[Row]:
    """Search: by relevance (sort ignored). Else the sort fields (with their default orders), else newest
    first (most recently favorited first under favorites_only); always an id ASC tiebreaker."""
    if q.search and query_terms(q.search):
        scores = _scores(q)
        return sorted(rows, key=lambda r: (-scores(r), r.name.lower(), r.id))
    out = sorted(rows, key=lambda r: r.id)
    keys = q.sort or ([("favorited_at", "desc")] if q.favorites_only else [("created_at", "desc")])
    for name, direction in reversed(keys):
        if name == "name":
            key = lambda r: r.name.lower()  # noqa: E731
        elif name == "favorited_at":
            key = lambda r: favorites.get(r.id) or r.created_at  # noqa: E731
        else:
            key = (lambda a: lambda r: getattr(r, a))(name)
        out.sort(key=key, reverse=direction == "desc")
    return out


# ---- facets --------------------------------------------------------------------------------------

def facets(rows: list[Row], q: VoiceQuery, favorites: dict, labels: dict) -> dict:
    """VoiceFacetsOut. ``labels``: {"providers": {slug: name}, "models": {model: name}}."""
    def counted(dim, values_of):
        counts: dict[str, int] = {}
        for r in apply(rows, q, favorites, skip=dim):
            for v in values_of(r):
                counts[v] = counts.get(v, 0) + 1
        return counts

    providers = counted("providers", lambda r: [r.provider])
    models = counted("models", lambda r: list(dict.fromkeys(r.models)))
    languages = counted("languages", lambda r: [loc for loc in dict.fromkeys(r.languages) if loc in SUPPORTED_LOCALES])
    out = {
        "providers": [{"value": p, "label": labels.get("providers", {}).get(p, p), "count": n}
                      for p, n in sorted(providers.items()) if n > 0],
        "models": [{"value": m, "label": labels.get("models", {}).get(m, m), "count": n}
                   for m, n in sorted(models.items()) if n > 0],
        "languages": [{"value": loc, "label": None, "count": languages[loc]}
                      for loc in SUPPORTED_LOCALES if languages.get(loc, 0) > 0],
    }
    for dim, attr, values in ENUM_DIMENSIONS:
        counts = counted(dim, lambda r, a=attr: [getattr(r, a)] if getattr(r, a) else [])
        out[dim] = [{"value": v, "label": None, "count": counts.get(v, 0)} for v in values]
    return out
