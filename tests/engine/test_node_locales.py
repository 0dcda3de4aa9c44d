"""Done-when 5 of Part 4, the locale side: a node that has no engine for a line's locale says so.

What "says so" means per node type (docs/speech.md): a validator without a model for the locale routes
the line on with status `unsupported` and no score (never a pass with a number), and bills nothing; the
pronunciation corrector behind such a validator reports that it had nothing to go on; the generator fails
a take it cannot say (Japanese kanji with espeak-ng) with the reason; and a voice, locale or language this
server cannot speak is refused when the workflow is saved or launched, before any run or credit hold exists.
The quality validators (DNSMOS, WADA-SNR, pitch) are language-independent: they judge every locale for
real, and the naturalness check says where it does not apply its statement-intonation rule (Mandarin).

All runs use the built-in plugins on one burst worker with no multilingual speech-recognition model.
"""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import LedgerEntry, Run, Take
from app.services import credits
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import make_workflow, run_burst, start

ESPEAK = {"en-us": "en-us", "de-de": "de", "zh-cn": "cmn", "ja-jp": "ja"}
JOE = {"voice_id": "en_US-joe-medium", "provider": "piper", "model": "piper-vits"}
LINES = {"de-de": ["Der Zug fährt um acht Uhr ab.", "Bitte halten Sie Ihr Ticket bereit."],
         "zh-cn": ["今天天气很好。", "我们明天见。"],
         "ja-jp": ["きょうは いい てんき です。", "東京に行きます。"]}


def chain(locale: str, steps: list[tuple[str, str, dict]], *, voice: dict | None = None,
          text: str | None = None) -> dict:
    """source → generator → steps (validators pass on "pass") → WAV sink."""
    nodes = [{"id": "src", "type": "source_script", "position": {"x": 0, "y": 0},
              "config": {"text": text if text is not None else "\n".join(LINES[locale]), "source_language": locale}},
             {"id": "gen", "type": "operator_generator", "position": {"x": 200, "y": 0},
              "config": {"voice_map": {locale: [voice or {"voice_id": ESPEAK[locale], "provider": "espeak",
                                                          "model": "espeak-ng"}]}}}]
    nodes += [{"id": nid, "type": ntype, "position": {"x": 400 + 200 * i, "y": 0}, "config": cfg}
              for i, (nid, ntype, cfg) in enumerate(steps)]
    nodes.append({"id": "out", "type": "sink_preview", "position": {"x": 400 + 200 * len(steps), "y": 0},
                  "config": {"format": "wav"}})
    edges = []
    for k, (a, b) in enumerate(zip(nodes[:-1], nodes[1:])):
        port = "pass" if a["type"].startswith("validator_") else "lines"
        edges.append({"id": f"e{k}", "source": a["id"], "sourcePort": port, "target": b["id"], "targetPort": "lines"})
    return {"graph": {"nodes": nodes, "edges": edges}}


def takes_of(run_id: str, node_id: str) -> dict[int, Take]:
    db.session.rollback()
    return {t.line_index: t for t in db.session.scalars(
        select(Take).where(Take.run_id == run_id, Take.node_id == node_id).order_by(Take.attempt))}


def reserved() -> tuple[int, int]:
    db.session.rollback()
    return (db.session.scalar(select(func.count()).select_from(Run)),
            db.session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "reserve")))


def rules(resp) -> set[tuple[str, str]]:
    return {(d.get("rule"), d.get("field")) for d in assert_error(resp, 422, "VALIDATION_ERROR")["error"]["details"]}


def test_voices_and_locales_this_server_cannot_speak_are_refused_before_anything_runs(owner_api, owner):
    credits.ensure_period_grant(owner)
    db.session.commit()
    # an espeak voice that is not installed: the draft may be saved (with a warning), the launch is refused
    wf = make_workflow(owner_api, chain("de-de", [], voice={"voice_id": "xx-nowhere", "provider": "espeak",
                                                            "model": "espeak-ng"}), "Unknown voice")
    assert ("voice_map_voice", "definition.graph.nodes[1].config.voice_map.de-de[0].voice_id") in rules(
        owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"))
    assert reserved() == (0, 0)

    def refused_on_save(defn: dict) -> set:
        return rules(owner_api.post("/api/v1/workflows", json={"name": "Refused", "definition": defn}))

    # the only Piper voice here is English: it cannot be the German voice
    assert ("voice_map_model_locale", "definition.graph.nodes[1].config.voice_map.de-de[0].model") in \
        refused_on_save(chain("de-de", [], voice=JOE))
    # Swahili: no engine here is set up for it, as a voice-map locale, a script language or a translation target
    sw_voice = chain("en-us", [], text="Hello.")
    sw_voice["graph"]["nodes"][1]["config"]["voice_map"]["sw-ke"] = [{"voice_id": "sw", "provider": "espeak",
                                                                       "model": "espeak-ng"}]
    assert {r for r, _ in refused_on_save(sw_voice)} == {"voice_map_locale"}
    sw_source = chain("en-us", [], text="Habari.")
    sw_source["graph"]["nodes"][0]["config"]["source_language"] = "sw-ke"
    assert "definition.graph.nodes[0].config.source_language" in {f for _, f in refused_on_save(sw_source)}
    sw_target = chain("en-us", [("tr", "operator_translator", {"target_languages": ["sw-ke"]})], text="Hello.")
    sw_target["graph"]["edges"][1]["sourcePort"] = "lines"
    assert any(f.startswith("definition.graph.nodes[2].config.target_languages") for _, f in refused_on_save(sw_target))
    assert reserved() == (0, 0)


def test_every_locale_gets_real_quality_scores_and_an_honest_verdict_where_no_engine_exists(owner_api, owner):
    from app.services import accounts
    accounts.set_plan(owner, "pro")                   # three runs at once on one worker (free plans allow two)
    credits.ensure_period_grant(owner)
    db.session.commit()
    # naturalness last, at its lowest bar: espeak's German is robotic enough to fail the default 60, and
    # the figures are what this test is about
    quality = [("noise", "validator_noise", {}), ("nat", "validator_naturalness", {"threshold": 20})]
    de = make_workflow(owner_api, chain("de-de", [("acc", "validator_error_rate", {}),
                                                  ("pron", "validator_pronunciation", {}),
                                                  ("fix", "operator_pronunciation_corrector", {}), *quality]), "de")
    zh = make_workflow(owner_api, chain("zh-cn", [("acc", "validator_error_rate", {}), *quality]), "zh")
    ja = make_workflow(owner_api, chain("ja-jp", quality), "ja")
    runs = {loc: start(owner_api, wf["id"]) for loc, wf in (("de-de", de), ("zh-cn", zh), ("ja-jp", ja))}
    done = run_burst(ONEPIN_ENGINE_PLUGINS="", ONEPIN_WHISPER_MULTILINGUAL_DIR="")
    assert done.returncode == 0, done.stderr[-3000:]
    for loc, run in runs.items():
        db.session.rollback()
        assert db.session.get(Run, run["id"]).status == "completed", (loc, done.stderr[-3000:])

    # speech recognition has no German or Chinese model here: unsupported, no score, nothing billed, line goes on
    for loc, nodes in (("de-de", ("acc", "pron")), ("zh-cn", ("acc",))):
        for node in nodes:
            judged = takes_of(runs[loc]["id"], node)
            assert sorted(judged) == [0, 1], (loc, node)
            for t in judged.values():
                assert t.port == "pass" and t.scores["status"] == "unsupported" and t.scores["score"] is None
                assert t.scores["reason"].startswith("Not checked") and t.units == 0 and t.credits_milli == 0
    # the corrector behind an unsupported pronunciation check says it had nothing to go on
    for t in takes_of(runs["de-de"]["id"], "fix").values():
        c = t.meta["corrector"]
        assert c["status"] == "unsupported" and "could not check" in c["reason"] and c["corrected"] == []
        assert t.units == 0 and t.synth_calls == 0 and t.status == "done"

    # the quality validators judge every locale with real figures; the statement-intonation rule is applied
    # to German and Japanese statements and said not to apply to Mandarin (tones, not measured to fall)
    for loc, lines in (("de-de", [0, 1]), ("zh-cn", [0, 1]), ("ja-jp", [0])):
        nat, noise = takes_of(runs[loc]["id"], "nat"), takes_of(runs[loc]["id"], "noise")
        assert sorted(nat) == sorted(noise) == lines, loc
        for i in lines:
            n, q = nat[i].scores, noise[i].scores
            assert n["status"] == q["status"] == "available" and 0 <= n["score"] <= 100 and 0 <= q["score"] <= 100
            assert n["ovrl"] > 1 and n["f0_std_semitones"] is not None and q["bak"] > 1 and q["snr_db"] is not None
            assert n["intonation_checked"] is (loc != "zh-cn"), (loc, n)
        assert sorted(takes_of(runs[loc]["id"], "out")) == [i for i in lines if nat[i].port == "pass"]

    # Japanese kanji: espeak-ng has no reading, so the take fails with the reason instead of shipping
    # "Chinese letter"; the kana line is delivered
    gen = takes_of(runs["ja-jp"]["id"], "gen")
    assert gen[0].status == "done" and gen[1].status == "failed"
    assert "kanji 東京行" in gen[1].error and "kana" in gen[1].error and not gen[1].audio_key
    data = assert_envelope(owner_api.get(f"/api/v1/workflows/{ja['id']}/runs/{runs['ja-jp']['id']}/data",
                                         query_string={"include_dropped": "true"}))["data"]
    cards = {r["line_index"]: r["cards"][0] for r in data["rows"]}
    assert cards[0]["status"] == "delivered" and cards[1]["status"] == "not_delivered"
    assert "kanji" in (cards[1].get("reason") or cards[1]["audio"].get("reason") or "")
