"""The run page's table of lines: one row per source line, one card per locale with the line's
outcome there (app/services/run_data.card_for decides it), its audio, waveform and scores.
Filters: locale, outcome and text; rows are paged. A single card can be read on its own, which is
how the page refreshes a card when its take finishes."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Run, Take
from app.services import waveforms
from app.services.playback import audio_id
from app.services.run_data import RunTakes, card_for, graph_nodes
from app.services.run_view import line_locales, locales_of
from app.workflows.nodes import is_validator

PER_PAGE = 20
STATUSES = (("", "Any outcome"), ("delivered", "Delivered"), ("dropped", "Dropped by a validator"),
            ("failed", "Failed or not delivered"), ("in_progress", "In progress"))
LABELS = {"delivered": "Delivered", "dropped": "Dropped", "failed": "Failed", "not_delivered": "Not delivered",
          "checking": "Awaiting checks", "in_progress": "In progress", "waiting": "Waiting"}


@dataclass
class LineFilters:
    locale: str = ""
    status: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def parse(cls, args, locales: list[str]) -> "LineFilters":
        locale = args.get("locale", "")
        status = args.get("status", "")
        try:
            page = max(1, int(args.get("page", "1")))
        except ValueError:
            page = 1
        return cls(locale=locale if locale in locales else "", status=status if status in dict(STATUSES) else "",
                   q=(args.get("q") or "").strip()[:200], page=page)

    def query(self, page: int | None = None) -> dict:
        out = {k: v for k, v in asdict(self).items() if v and k != "page"}
        if (page or self.page) > 1:
            out["page"] = page or self.page
        return out

    @property
    def active(self) -> bool:
        return bool(self.locale or self.status or self.q)


def _load(run: Run, line_indexes: list[int] | None = None) -> RunTakes:
    q = select(Take).where(Take.run_id == run.id)
    if line_indexes is not None:
        q = q.where(Take.line_index.in_(line_indexes))
    takes = list(db.session.scalars(q.order_by(Take.line_index, Take.locale, Take.attempt, Take.created_at)))
    rt = RunTakes(run=run, takes=takes)
    for t in takes:            # indexed as RunTakes.load does, for these lines only
        rt.by_id[t.id] = t
        rt.by_pair[(t.line_index, t.locale)].append(t)
        if is_validator(t.node_type) and t.audio_take_id and t.status == "done":
            rt.validations_of[t.audio_take_id].append(t)
    return rt


def _outcome(card: dict | None, rt: RunTakes, line_index: int, locale: str) -> str:
    if card is None:
        return "waiting"
    status = card["status"]
    if status == "not_delivered":
        return "failed" if any(t.status == "failed" for t in rt.by_pair.get((line_index, locale), [])) \
            else "not_delivered"
    if status == "generated":
        return "checking"
    return status or "in_progress"


def _matches(outcome: str, wanted: str) -> bool:
    if not wanted:
        return True
    if wanted == "failed":
        return outcome in ("failed", "not_delivered")
    if wanted == "in_progress":
        return outcome in ("checking", "in_progress", "waiting")
    return outcome == wanted


def _card(rt: RunTakes, line: dict, locale: str, nodes: dict, audio_takes: dict) -> dict:
    card = card_for(rt, line, locale, nodes, include_dropped=True)
    outcome = _outcome(card, rt, line["index"], locale)
    out = {"line_index": line["index"], "locale": locale, "outcome": outcome, "label": LABELS[outcome],
           "card": card, "audio_take": None, "attempts": 0, "line_text": line.get("text") or "", "wave": None}
    if card is None:
        return out
    take = audio_takes.get(card["audio_id"])
    out["attempts"] = card.get("attempt") or 1
    if take is not None and take.audio_key and take.status == "done":
        out["audio_take"] = take
    reason = card.get("reason")
    if outcome == "dropped":
        verdicts = (card.get("dropped") or {}).get("verdicts") or []      # the validator's own words are on its check
        parts = [f"{v['validator_label']} scored {_fmt(v['score'])}, below its pass bar {_fmt(v['threshold'])}"
                 for v in verdicts]
        reason = ("Dropped: " + "; ".join(parts) + ".") if parts else "Dropped by a validator."
    out["reason"] = reason
    return out


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def _rows(run: Run, lines: list[dict], rt: RunTakes, f: LineFilters) -> list[dict]:
    nodes = {n["id"]: n for n in graph_nodes(run)}
    audio_takes = {audio_id(t): t for t in rt.takes if t.audio_key}
    rows = []
    for line in lines:
        locales = line_locales(run, line)
        for t in rt.takes:
            if t.line_index == line["index"] and t.locale not in locales:
                locales.append(t.locale)
        if f.locale:
            locales = [loc for loc in locales if loc == f.locale]
        cards = [_card(rt, line, loc, nodes, audio_takes) for loc in locales]
        cards = [c for c in cards if _matches(c["outcome"], f.status)]
        if cards:
            rows.append({"index": line["index"], "text": line.get("text") or "", "locale": line.get("locale"),
                         "cards": cards})
    return rows


def _waves(cards: list[dict]) -> None:
    """Waveforms for the cards about to be shown: computed once per audio take, then read from it."""
    waveforms.ensure([c["audio_take"] for c in cards if c["audio_take"] is not None])
    for c in cards:
        peaks = waveforms.cached(c["audio_take"])
        if peaks:
            c["wave"] = {"bins": len(peaks), "path": waveforms.svg_path(peaks)}


def _searched(run: Run, q: str) -> list[dict]:
    lines = sorted(run.lines or [], key=lambda ln: ln.get("index", 0))
    if not q:
        return lines
    term = q.lower()
    return [ln for ln in lines if term in (ln.get("text") or "").lower()
            or any(term in str(t).lower() for t in (ln.get("translations") or {}).values())]


def table(run: Run, f: LineFilters) -> dict:
    """The page of rows for these filters, with waveforms made for the audio shown."""
    lines = _searched(run, f.q)
    if f.status:          # the outcome is known only once the cards are built: build them all, then page
        rows = _rows(run, lines, _load(run), f)
        total = len(rows)
        pages = max(1, -(-total // PER_PAGE))
        page = min(f.page, pages)
        rows = rows[(page - 1) * PER_PAGE: page * PER_PAGE]
    else:
        total = len(lines)
        pages = max(1, -(-total // PER_PAGE))
        page = min(f.page, pages)
        chunk = lines[(page - 1) * PER_PAGE: page * PER_PAGE]
        rows = _rows(run, chunk, _load(run, [ln["index"] for ln in chunk]), f) if chunk else []
    _waves([c for r in rows for c in r["cards"]])
    f.page = page
    return {"rows": rows, "total": total, "pages": pages, "page": page, "locales": locales_of(run),
            "filters": f, "statuses": STATUSES}


def one_card(run: Run, line_index: int, locale: str) -> dict | None:
    line = next((ln for ln in (run.lines or []) if ln.get("index") == line_index), None)
    if line is None:
        return None
    rt = _load(run, [line_index])
    nodes = {n["id"]: n for n in graph_nodes(run)}
    card = _card(rt, line, locale, nodes, {audio_id(t): t for t in rt.takes if t.audio_key})
    _waves([card])
    return card


def find_audio(run: Run, aid: str) -> Take | None:
    """The run's take whose stored audio has this 16-hex id (see playback.audio_id)."""
    if not isinstance(aid, str) or len(aid) != 16 or any(ch not in "0123456789abcdef" for ch in aid):
        return None
    prefix = f"{aid[:8]}-{aid[8:12]}-{aid[12:16]}"
    take = db.session.scalar(select(Take).where(Take.run_id == run.id, Take.id.like(prefix + "%"),
                                                Take.audio_key.is_not(None), Take.status == "done").limit(1))
    return take if take is not None and audio_id(take) == aid else None
