"""The official onepin 0.16.1 SDK against a live server: the template methods the CLI has no command for:
templates.estimate_template and users.list_my_templates.

Responses must parse into the SDK's models and agree with what they summarise (the workflow estimate of the
same definition, the caller's own templates); refusals reach the caller as ApiError with the contract's
status and error envelope."""
from __future__ import annotations

import pytest

from tests.conformance.cli_helpers import definition
from tests.conformance.sdk_helpers import refused, sdk

pytestmark = pytest.mark.conformance


def test_estimate_template_per_unit_and_cached(live_server, signup):
    from onepin import WorkflowRunStartIn

    owner = signup("tplest")
    c = sdk(live_server, owner.key)
    tpl = c.templates.create_template(name="Announcer", category="business", definition=definition("Hi.")).data

    first = c.templates.estimate_template(tpl.id).data
    assert (first.source_snapshot, first.cache_status, first.unit_chars) == ("draft", "miss", 1000)
    assert [(n.node_id, n.node_type) for n in first.breakdown] == [
        ("src", "source_script"), ("gen", "operator_generator"), ("out", "sink_preview")]
    assert first.source_node_ids == ["src"]
    for level in ("min", "expected", "max"):
        assert getattr(first, f"total_{level}_credits_per_unit") == (
            getattr(first, f"variable_{level}_credits_per_unit") + getattr(first, f"fixed_{level}_credits"))
    assert 1 <= first.total_min_credits_per_unit <= first.total_expected_credits_per_unit \
        <= first.total_max_credits_per_unit

    # the same price a workflow of this definition quotes for unit_chars characters of script
    wf = c.templates.clone(tpl.id, name="From the template").data
    unit_text = ("The quick brown fox jumps over the lazy dog. " * 30)[:first.unit_chars]
    quoted = c.workflows.estimate_workflow(wf.id, request=WorkflowRunStartIn(script_text=unit_text)).data
    assert quoted.expected_credits == first.total_expected_credits_per_unit

    # cached per definition + rates: hit while unchanged, stale after the definition changes
    hit = c.templates.estimate_template(tpl.id).data
    assert hit.cache_status == "hit" and hit.computed_at == first.computed_at
    assert (hit.definition_fingerprint, hit.rate_fingerprint) == (first.definition_fingerprint, first.rate_fingerprint)
    mp3 = definition("Hi.")
    mp3["graph"]["nodes"][2]["config"]["format"] = "mp3"
    c.templates.update_template(tpl.id, definition=mp3)
    stale = c.templates.estimate_template(tpl.id).data
    assert stale.cache_status == "stale" and stale.definition_fingerprint != first.definition_fingerprint
    assert stale.rate_fingerprint == first.rate_fingerprint and stale.computed_at > first.computed_at
    assert c.templates.estimate_template(tpl.id).data.cache_status == "hit"

    # starters are priced from their published snapshot
    starter = next(t for t in c.templates.list(limit=100).data if t.is_starter)
    assert c.templates.estimate_template(starter.id).data.source_snapshot == "published"

    # another workspace's draft and unknown ids are 404; templates:read is the scope
    stranger = sdk(live_server, signup("stranger").key)
    refused(lambda: stranger.templates.estimate_template(tpl.id), 404, "NOT_FOUND")
    refused(lambda: c.templates.estimate_template("zzzzzzzz"), 404, "NOT_FOUND")
    narrow = sdk(live_server, owner.mint_key("workflows:read", name="narrow"))
    refused(lambda: narrow.templates.estimate_template(tpl.id), 403, "FORBIDDEN")


def test_list_my_templates_only_mine_in_this_workspace(live_server, signup):
    owner = signup("mine")
    c = sdk(live_server, owner.key)
    made = {name: c.templates.create_template(name=name, category=cat, definition=definition()).data.id
            for name, cat in (("Morning brief", "business"), ("Grammar drills", "education"),
                              ("Evening brief", "business"))}

    # the same user's template in another workspace, and another user's, are not listed; nor are starters
    ws2 = c.workspaces.create_workspace(name="Second desk").data
    key2 = live_server.server_cli("create-api-key", "--email", owner.email, "--workspace", ws2.id,
                                  "--scopes", "all", "--name", "second")
    c2 = sdk(live_server, key2)
    elsewhere = c2.templates.create_template(name="Elsewhere brief", category="business",
                                             definition=definition()).data.id
    sdk(live_server, signup("other").key).templates.create_template(name="Their brief", definition=definition())
    assert any(t.is_starter for t in c.templates.list(limit=100).data)

    everything = c.users.list_my_templates()
    assert everything.pagination.limit == 50
    assert {t.id for t in everything.data} == set(made.values())
    assert all(not t.is_starter and t.created_by == everything.data[0].created_by for t in everything.data)
    assert [t.id for t in c2.users.list_my_templates().data] == [elsewhere]

    # filters: category (repeatable, OR), search, sort, paging, favourites
    def names(**kw):
        return [t.name for t in c.users.list_my_templates(**kw).data]
    assert names(category=["business"], sort="name") == ["Evening brief", "Morning brief"]
    assert sorted(names(category=["business", "education"])) == sorted(made)
    assert names(search="BRIEF", sort="name") == ["Evening brief", "Morning brief"]
    assert names(sort="name") == ["Evening brief", "Grammar drills", "Morning brief"]
    assert names(sort="name", limit=2) + names(sort="name", limit=2, offset=2) == names(sort="name")
    c.templates.favorite_template(made["Grammar drills"])
    (fav,) = c.users.list_my_templates(favorites_only=True).data
    assert (fav.name, fav.is_favorite) == ("Grammar drills", True)
    c.templates.clone(made["Evening brief"])
    c.templates.clone(made["Evening brief"])
    assert names(sort="popular")[0] == "Evening brief"
    assert c.users.list_my_templates(sort="popular").data[0].uses_count == 2

    # refusals
    err = refused(lambda: c.users.list_my_templates(category=["cooking"]), 422, "VALIDATION_ERROR")
    assert err["details"][0]["field"] == "category"
    refused(lambda: c.users.list_my_templates(limit=101), 422, "VALIDATION_ERROR")
    narrow = sdk(live_server, owner.mint_key("workflows:read", name="narrow"))
    refused(lambda: narrow.users.list_my_templates(), 403, "FORBIDDEN")
