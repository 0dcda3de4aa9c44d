"""Where a run's translations come from, and the launch gate that refuses a run it cannot translate.

For every Translator node, every line of every source that reaches it must exist in each of its
`target_languages` (other than the line's own language). Translations come from, in this order:

  1. the bilingual script itself: `meta.translations` of the uploaded line (CSV/JSON target columns,
     XLIFF <target>), keyed by a language tag; a regional key (`pt-pt`) matches only that locale, a
     bare family (`pt`) matches any locale of that family;
  2. the workspace translation memory (app.services.translation_memory);
  3. the workspace's machine-translation providers (app.speech.translate), called AT LAUNCH only:
     the missing lines are batched per language and the results stored in the memory.

Which MT provider: every configured `mt` credential is tried in turn, a credential whose
`options.preferred` is true first, then libretranslate, deepl, openai_compatible; lines one provider
fails on (bad key, unsupported language, outage) go to the next one.

The gate (`prepare_launch`, called by the launcher before any credit is reserved):
  * every line covered -> the run may start (script pairs and MT results are now in the memory);
  * some language still missing because a provider was down, rate-limited, timed out, or the MT
    time budget ran out -> 503 TRANSLATION_UNAVAILABLE (the SDK retries; each try keeps what it
    translated, so a retry continues where the last one stopped);
  * otherwise -> 422 VALIDATION_ERROR naming each missing language, how many lines lack it and why.

Workers never call MT. `fill_lines` (run start, in the worker) writes each line's translations
(script + memory) into `run.lines[i]["translations"]`, and the translator plugin only reads them.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from app.errors import ServiceUnavailable, ValidationFailed
from app.services import provider_credentials, script_source
from app.services import translation_memory as tm
from app.speech.translate import HttpPolicy, MTError, get_translator
from app.workflows.config_migrations import migrate_definition
from app.workflows.definition import graph_lists
from app.workflows.locales import canonical_locale
from app.workflows.nodes import TRANSLATOR

log = logging.getLogger("onepin.translations")

MT_ORDER = provider_credentials.MT_PROVIDERS          # libretranslate, deepl, openai_compatible
LAUNCH_POLICY = HttpPolicy(timeout=15.0, attempts=3, backoff=0.5, max_wait=8.0)
LAUNCH_BUDGET_SECONDS = 60.0                           # MT time one launch may spend; a retry continues
RETRY_AFTER_SECONDS = 2


# ---- which lines need which languages --------------------------------------------------------

def target_locales(node: dict) -> list[str]:
    """The node's target_languages as canonical locales, in order, without duplicates."""
    cfg = node.get("config") if isinstance(node.get("config"), dict) else {}
    raw = cfg.get("target_languages")
    out: list[str] = []
    for value in raw if isinstance(raw, list) else []:
        loc = canonical_locale(value)
        if loc and loc not in out:
            out.append(loc)
    return out


def script_translation(meta: dict | None, locale: str) -> str | None:
    """The bilingual script's own text for `locale`: an exact tag first, then a bare family tag."""
    raw = (meta or {}).get("translations")
    if not isinstance(raw, dict):
        return None
    by_key = {str(k).strip().lower().replace("_", "-"): v for k, v in raw.items() if isinstance(v, str) and v.strip()}
    hit = by_key.get(locale) or by_key.get(locale.split("-", 1)[0])
    return hit.strip() if hit else None


@dataclass
class Job:
    """One (source locale, target locale) pair: the lines to cover and how far we got."""
    source: str
    target: str
    nodes: list[tuple[int, dict]] = field(default_factory=list)     # translator nodes asking for it
    line_texts: list[str] = field(default_factory=list)             # normalized text of every line
    script: dict[str, str] = field(default_factory=dict)            # normalized text -> script's own text
    found: dict[str, str] = field(default_factory=dict)             # normalized text -> translation
    originals: dict[str, str] = field(default_factory=dict)         # normalized text -> text as written
    reasons: list[str] = field(default_factory=list)
    transient: bool = True                                          # every failure so far was transient

    @property
    def missing(self) -> list[str]:
        return [n for n in self.originals if n not in self.found]

    def missing_lines(self) -> int:
        return sum(1 for n in self.line_texts if n not in self.found)


@dataclass
class Needs:
    jobs: dict[tuple[str, str], Job] = field(default_factory=dict)
    targets_by_source: dict[str, list[str]] = field(default_factory=dict)   # source node id -> targets


def needs(defn: dict, script: script_source.Script) -> Needs:
    """What every translator of `defn` needs for the lines of `script` (pure; no database)."""
    out = Needs()
    defn = migrate_definition(defn)
    nodes, _ = graph_lists(defn)
    translators = [(i, n) for i, n in enumerate(nodes) if isinstance(n, dict) and n.get("type") == TRANSLATOR]
    if not translators:
        return out
    reaching = script_source.node_locales(defn, script)
    sources = script.by_node()
    for idx, node in translators:
        targets = target_locales(node)
        for (sid, loc), how in reaching.get(node.get("id"), {}).items():
            src = sources.get(sid)
            if how != "source" or src is None:
                continue
            src_loc = loc or script_source.DEFAULT_LOCALE        # as the run start does
            wanted = [t for t in targets if t != src_loc]
            have = out.targets_by_source.setdefault(sid, [])
            have.extend(t for t in wanted if t not in have)
            metas = src.metas or [{} for _ in src.lines]
            for target in wanted:
                job = out.jobs.get((src_loc, target))
                if job is None:
                    job = out.jobs[(src_loc, target)] = Job(src_loc, target)
                if all(n is not node for _, n in job.nodes):
                    job.nodes.append((idx, node))
                for text, meta in zip(src.lines, metas):
                    norm = tm.normalize(text)
                    if not norm:
                        continue
                    job.line_texts.append(norm)
                    job.originals.setdefault(norm, text)
                    own = script_translation(meta, target)
                    if own:
                        job.script[norm] = own
    return out


# ---- the launch gate -----------------------------------------------------------------------

def configured_providers(workspace_id: str) -> list[provider_credentials.Credential]:
    creds = [c for p in MT_ORDER if (c := provider_credentials.resolve(workspace_id, "mt", p)) is not None]
    return sorted(creds, key=lambda c: 0 if c.options.get("preferred") else 1)   # stable: keeps MT_ORDER


def prepare_launch(ws, defn: dict, *, policy: HttpPolicy | None = None,
                   budget_seconds: float | None = None) -> dict | None:
    """Makes sure every line of every translator can be spoken in each target language (see the
    module doc). Returns a summary {target: {lines, script, memory, mt}} or None when the workflow
    translates nothing; raises ValidationFailed (422) or ServiceUnavailable (503)."""
    nodes, _ = graph_lists(defn)
    if not any(isinstance(n, dict) and n.get("type") == TRANSLATOR for n in nodes):
        return None                                    # the common case: no script re-read
    script = script_source.resolve(defn, ws)
    plan = needs(defn, script)
    if not plan.jobs:
        return None
    summary: dict[str, dict] = {}
    for job in plan.jobs.values():
        job.found.update(job.script)
        if job.script:
            tm.store(ws.id, job.source, job.target, {n: t for n, t in job.script.items()}, "script")
        from_memory = {n: t for n, (t, _o) in tm.lookup(ws.id, job.source, job.target, job.missing).items()}
        job.found.update(from_memory)
        tm.count_uses(ws.id, job.source, job.target, from_memory)
        summary[job.target] = {"lines": len(job.line_texts), "script": len(job.script),
                               "memory": len(from_memory), "mt": 0}
    _machine_translate(ws.id, plan, summary, policy or LAUNCH_POLICY,
                       LAUNCH_BUDGET_SECONDS if budget_seconds is None else budget_seconds)
    _raise_if_missing(plan)
    return summary


def _machine_translate(workspace_id: str, plan: Needs, summary: dict, policy: HttpPolicy, budget: float) -> None:
    todo = [j for j in plan.jobs.values() if j.missing]
    if not todo:
        return
    creds = configured_providers(workspace_id)
    if not creds:
        for job in todo:
            job.transient = False
            job.reasons.append("no machine-translation provider is configured for this workspace")
        return
    deadline = time.monotonic() + budget
    for job in todo:
        for cred in creds:
            if not job.missing:
                break
            translator = get_translator(cred.provider, cred.secret, cred.base_url, cred.options, policy)
            if not translator.supports(job.source, job.target):
                job.transient = False
                job.reasons.append(f"{cred.provider} cannot translate {job.source} to {job.target}")
                continue
            try:
                for batch in translator.batches(job.missing):
                    if time.monotonic() > deadline:
                        job.reasons.append("the translation time for one launch ran out; start the run again "
                                           "to continue where it stopped")
                        break
                    texts = [job.originals[n] for n in batch]
                    got = translator.translate(texts, job.source, job.target)
                    pairs = dict(zip(batch, got))
                    tm.store(workspace_id, job.source, job.target, pairs, "mt")
                    job.found.update(pairs)
                    summary[job.target]["mt"] += len(pairs)
            except MTError as exc:
                log.warning("MT %s %s->%s failed: %s", cred.provider, job.source, job.target, exc)
                job.transient = job.transient and exc.transient
                job.reasons.append(str(exc))


def _raise_if_missing(plan: Needs) -> None:
    short = [j for j in plan.jobs.values() if j.missing]
    if not short:
        return
    details, names = [], []
    for job in sorted(short, key=lambda j: (j.target, j.source)):
        idx, node = job.nodes[0]
        n, total = job.missing_lines(), len(job.line_texts)
        why = "; ".join(dict.fromkeys(job.reasons)) or "no translation was found"
        names.append(job.target)
        details.append({"field": f"definition.graph.nodes[{idx}].config.target_languages",
                        "rule": "translation_missing", "node_id": node.get("id"), "locale": job.target,
                        "source_locale": job.source, "missing_lines": n,
                        "message": f"{job.target}: {n} of {total} lines have no translation "
                                   f"(not in the script, not in the translation memory; {why})."})
    langs = ", ".join(dict.fromkeys(names))
    if all(j.transient for j in short):
        raise ServiceUnavailable(f"Machine translation into {langs} is unavailable right now; nothing was "
                                 "charged. Try again in a moment.", code="TRANSLATION_UNAVAILABLE",
                                 details=details, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    raise ValidationFailed(details, message=f"The script cannot be translated into {langs}: add the "
                           "translations to the script (bilingual CSV, JSON or XLIFF) or configure a "
                           "machine-translation provider for this workspace.")


# ---- run start (worker): translations into run.lines ------------------------------------------

def fill_lines(workspace_id: str, defn: dict, script: script_source.Script, lines: list[dict]) -> set[str]:
    """Writes each line's translations (script first, then memory) into line["translations"] under
    canonical locales, and where each came from into line["translation_origins"]. Returns every
    target locale the run's translators add. Database reads only."""
    plan = needs(defn, script)
    if not plan.jobs:
        return set()
    memory: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    for (src, tgt), job in plan.jobs.items():
        rest = [n for n in job.originals if n not in job.script]
        memory[(src, tgt)] = tm.lookup(workspace_id, src, tgt, rest) if rest else {}
    for line in lines:
        targets = plan.targets_by_source.get(line.get("source_node"), [])
        if not targets:
            continue
        translations = dict(line.get("translations") or {})
        origins = {}
        norm = tm.normalize(line.get("text") or "")
        for target in targets:
            own = script_translation(line.get("meta"), target)
            if own:
                translations[target], origins[target] = own, "script"
                continue
            hit = memory.get((line.get("locale"), target), {}).get(norm)
            if hit:
                translations[target], origins[target] = hit[0], f"memory:{hit[1]}"
        line["translations"], line["translation_origins"] = translations, origins
    return {t for ts in plan.targets_by_source.values() for t in ts}
