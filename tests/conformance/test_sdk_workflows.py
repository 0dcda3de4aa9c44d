"""The official onepin 0.16.1 SDK against a live server: the workflows.* methods the CLI has no command for:
check_workflow_name_availability, validate_workflow, get_workflow_markdown, update_workflow (PUT) and
estimate_workflow. Responses must parse into the SDK's own models (a missing required field fails the call);
refusals must reach the caller as the SDK's ApiError with the contract's status and error envelope."""
from __future__ import annotations

import pytest

from tests.conformance.cli_helpers import comparable, definition
from tests.conformance.sdk_helpers import refused, sdk, wait_run

pytestmark = pytest.mark.conformance

TWO_LINES = "Good morning, everyone.\nThe train leaves at noon."


def _without_sink(text: str = "Hello.") -> dict:
    defn = definition(text)
    defn["graph"]["nodes"] = defn["graph"]["nodes"][:2]
    defn["graph"]["edges"] = defn["graph"]["edges"][:1]
    return defn


def _dangling_edge() -> dict:
    defn = definition("Hello.")
    defn["graph"]["edges"][1]["target"] = "ghost"
    return defn


def test_name_availability_validate_and_markdown(live_server, signup):
    owner = signup("wfsdk")
    c = sdk(live_server, owner.key)

    # names are not unique: any name passing the policy is available, trimmed; exclude_id is ignored
    avail = c.workflows.check_workflow_name_availability(name="  Morning news  ").data
    assert (avail.name, avail.available) == ("Morning news", True)
    wf = c.workflows.create_workflow(name="Morning news", description="daily",
                                     definition=definition(TWO_LINES)).data
    again = c.workflows.check_workflow_name_availability(name="Morning news", exclude_id=wf.id).data
    assert again.available is True
    err = refused(lambda: c.workflows.check_workflow_name_availability(name="x" * 201), 422, "VALIDATION_ERROR")
    assert err["details"][0]["field"] == "name"
    refused(lambda: c.workflows.check_workflow_name_availability(name="   "), 422, "VALIDATION_ERROR")

    # validate: the full run-start gate set, nothing saved; an invalid graph is a normal 200 answer
    good = c.workflows.validate_workflow(definition=definition(TWO_LINES)).data
    assert good.valid is True and not good.errors and not good.blocked
    assert good.summary["node_count"] == 3 and good.summary["edge_count"] == 2
    bad = c.workflows.validate_workflow(definition=_without_sink()).data
    assert bad.valid is False and [e.rule for e in bad.errors] == ["no_sink"] and bad.errors[0].message
    empty = c.workflows.validate_workflow(definition={"graph": {"nodes": [], "edges": []}}).data
    assert empty.valid is False and {e.rule for e in empty.errors} == {"no_source", "no_sink"}
    assert empty.summary["error_count"] == 2
    broken = c.workflows.validate_workflow(definition=_dangling_edge()).data
    assert broken.valid is False and any("ghost" in e.message for e in broken.errors), broken.errors
    assert [w.id for w in c.workflows.list().data] == [wf.id]              # validate saved nothing
    refused(lambda: c.workflows.validate_workflow(definition=None), 422, "VALIDATION_ERROR")
    reader = sdk(live_server, owner.mint_key("workflows:read", name="reader"))
    refused(lambda: reader.workflows.validate_workflow(definition=definition()), 403, "FORBIDDEN")

    # markdown: the pipeline in execution order, the node table and the voices
    md = c.workflows.get_workflow_markdown(wf.id).data
    assert (md.workflow_id, md.name) == (wf.id, "Morning news")
    text = md.markdown
    assert text.startswith("# Morning news\n")
    pipeline = [line for line in text.splitlines() if line[:3] in ("1. ", "2. ", "3. ")]
    assert pipeline == ["1. **Script** (`source_script`) → Voice (lines)",
                        "2. **Voice** (`operator_generator`) → Export (lines)",
                        "3. **Export** (`sink_preview`) → end"], text
    assert "| Voice | en-us | en-us | espeak | espeak-ng |" in text and "format=wav" in text
    assert reader.workflows.get_workflow_markdown(wf.id).data.markdown == text      # a read scope is enough

    # another workspace cannot see it; an unknown id is a 404 too
    stranger = sdk(live_server, signup("stranger").key)
    refused(lambda: stranger.workflows.get_workflow_markdown(wf.id), 404, "NOT_FOUND")
    refused(lambda: c.workflows.get_workflow_markdown("00000000-0000-0000-0000-000000000000"), 404, "NOT_FOUND")


def test_update_workflow_replaces_name_description_and_definition(live_server, signup):
    owner = signup("wfput")
    c = sdk(live_server, owner.key)
    wf = c.workflows.create_workflow(name="Draft", description="first take", definition=definition("Old line.")).data

    new_defn = definition(TWO_LINES)
    new_defn["graph"]["nodes"][2]["config"]["format"] = "mp3"
    put = c.workflows.update_workflow(wf.id, name="Station news", description="replaced", definition=new_defn).data
    assert (put.id, put.name, put.name_source, put.description) == (wf.id, "Station news", "user", "replaced")
    assert comparable(put.definition) == comparable(new_defn)
    got = c.workflows.get(wf.id).data
    assert comparable(got.definition) == comparable(new_defn) and got.updated_at >= wf.updated_at

    # a full replace: what GET returned goes back unchanged, and an omitted description is cleared
    back = c.workflows.update_workflow(wf.id, name=got.name, definition=got.definition).data
    assert back.description is None and back.definition == got.definition

    # a graph that is merely incomplete is saved (drafts may lack a sink) ...
    draft = c.workflows.update_workflow(wf.id, name="Station news", description="replaced",
                                        definition=_without_sink()).data
    assert [n["id"] for n in draft.definition["graph"]["nodes"]] == ["src", "gen"]
    got = c.workflows.update_workflow(wf.id, name="Station news", description="replaced", definition=new_defn).data

    # ... refusals change nothing: a broken graph, a blank name, a missing definition
    err = refused(lambda: c.workflows.update_workflow(wf.id, name="Broken", definition=_dangling_edge()),
                  422, "VALIDATION_ERROR")
    assert any(d["field"].startswith("definition.") for d in err["details"]), err
    refused(lambda: c.workflows.update_workflow(wf.id, name="  ", definition=new_defn), 422, "VALIDATION_ERROR")
    err = refused(lambda: c.workflows.update_workflow(wf.id, name="No graph", definition=None), 422,
                  "VALIDATION_ERROR")
    assert "definition" in err["message"]
    still = c.workflows.get(wf.id).data
    assert still.name == "Station news" and still.definition == got.definition

    # a run started from the replaced workflow speaks the new script
    run = c.workflows.runs.start(wf.id).data
    assert wait_run(c, wf.id, run.id).status == "completed"
    assert c.workflows.runs.status(wf.id, run.id).data.usage_summary["lines_delivered"] == 2

    # scope, another workspace, a deleted workflow
    reader = sdk(live_server, owner.mint_key("workflows:read", name="reader"))
    refused(lambda: reader.workflows.update_workflow(wf.id, name="x", definition=new_defn), 403, "FORBIDDEN")
    stranger = sdk(live_server, signup("stranger").key)
    refused(lambda: stranger.workflows.update_workflow(wf.id, name="x", definition=new_defn), 404, "NOT_FOUND")
    c.workflows.delete_workflow(wf.id)
    refused(lambda: c.workflows.update_workflow(wf.id, name="x", definition=new_defn), 404, "NOT_FOUND")


def test_estimate_workflow_prices_the_saved_or_run_scoped_text(live_server, signup):
    from onepin import WorkflowRunStartIn

    owner = signup("wfest")
    c = sdk(live_server, owner.key)
    wf = c.workflows.create_workflow(name="Priced", definition=definition(TWO_LINES)).data
    balance = c.users.get_my_credits().data.balance

    saved = c.workflows.estimate_workflow(wf.id).data
    assert saved.model_dump() == c.workflows.preview_run(wf.id).data.model_dump()   # the documented equivalence
    assert [(n.node_id, n.node_type) for n in saved.breakdown] == [
        ("src", "source_script"), ("gen", "operator_generator"), ("out", "sink_preview")]
    assert 1 <= saved.min_credits <= saved.expected_credits <= saved.max_credits
    assert saved.expected_credits == sum(n.expected_credits for n in saved.breakdown)
    assert saved.current_balance == balance and saved.can_run is True and saved.deficit_at_max == 0

    # run-scoped text is priced instead of the saved script: ~50x the characters cost more
    long_text = "\n".join(f"Line {i} of a much longer announcement for the whole station." for i in range(50))
    scoped = c.workflows.estimate_workflow(wf.id, request=WorkflowRunStartIn(script_text=long_text)).data
    assert scoped.expected_credits > saved.expected_credits and scoped.max_credits >= scoped.expected_credits
    scoped_preview = c.workflows.preview_run(wf.id, request=WorkflowRunStartIn(script_text=long_text)).data
    assert scoped_preview.expected_credits == scoped.expected_credits

    # no side effects: no run, no charge, the workflow unchanged
    assert c.workflows.runs.list(wf.id).data == []
    assert c.users.get_my_credits().data.balance == balance
    assert c.workflows.get(wf.id).data.definition == wf.definition

    # nothing to price -> 422; other workspaces and unknown ids -> 404
    blank = c.workflows.create_workflow(name="Blank", definition=definition("")).data
    err = refused(lambda: c.workflows.estimate_workflow(blank.id), 422, "VALIDATION_ERROR")
    assert "script" in err["message"].lower()
    assert c.workflows.estimate_workflow(blank.id, request=WorkflowRunStartIn(script_text="Now there is text.")
                                         ).data.expected_credits >= 1
    stranger = sdk(live_server, signup("stranger").key)
    refused(lambda: stranger.workflows.estimate_workflow(wf.id), 404, "NOT_FOUND")
