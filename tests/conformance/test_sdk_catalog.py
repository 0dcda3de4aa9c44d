"""The official onepin 0.16.1 SDK against a live server: the synthesis catalog (providers.*, the CLI has no
command for it) and the deprecated v1 node detail (nodes.get_node_detail; `nodes show` uses v2).

The live server's catalog is the session's `voice_catalog` (eSpeak NG voices in three locales plus Piper's Joe).
Responses must parse into the SDK's models and agree with each other and with voices.list; refusals reach the
caller as ApiError with the contract's status and error envelope."""
from __future__ import annotations

import httpx
import pytest

from tests.conformance.conftest import CATALOG_VOICES
from tests.conformance.sdk_helpers import refused, sdk

pytestmark = pytest.mark.conformance

MODELS = {"espeak": ["espeak-ng"], "piper": ["piper-vits"]}


def test_providers_models_and_their_voices(voice_catalog, live_server, signup):
    owner = signup("catalog")
    c = sdk(live_server, owner.key)

    # providers: the local engines only (cloud providers need a workspace key), each linking to its models
    listed = c.providers.list_catalog_providers()
    assert listed.pagination.limit >= len(listed.data)
    assert [p.provider for p in listed.data] == ["espeak", "piper"]
    for p in listed.data:
        assert p.kind == "tts" and p.display_name and p.model_count == len(MODELS[p.provider])
        assert p.links["models"].href == f"/api/v1/providers/{p.provider}/models"
        assert c.providers.get_catalog_provider(p.provider).data.model_dump() == p.model_dump()
    refused(lambda: c.providers.get_catalog_provider("nosuch"), 404, "NOT_FOUND")
    err = refused(lambda: c.providers.get_catalog_provider("elevenlabs"), 404, "NOT_FOUND")
    assert "key" in err["message"]                        # known, but not configured for this workspace

    # models: canonical controls with defaults, live voice counts, a link to their voices
    counts = {}
    for provider, names in MODELS.items():
        models = c.providers.list_catalog_provider_models(provider).data
        assert [m.model for m in models] == names
        for m in models:
            assert m.display_name and m.content_type == "audio/wav"
            assert m.controls["speed"]["default"] == 1.0 and m.controls["speed"]["minimum"] == 0.5
            assert m.links["voices"].href == f"/api/v1/providers/{provider}/models/{m.model}/voices"
            assert c.providers.get_catalog_provider_model(provider, m.model).data.model_dump() == m.model_dump()
            counts[(provider, m.model)] = m.voice_count
    assert counts == {("espeak", "espeak-ng"): CATALOG_VOICES - 1, ("piper", "piper-vits"): 1}
    refused(lambda: c.providers.list_catalog_provider_models("nosuch"), 404, "NOT_FOUND")
    refused(lambda: c.providers.get_catalog_provider_model("espeak", "piper-vits"), 404, "NOT_FOUND")

    # a model's voices: counted pages that add up to voice_count and to what voices.list says
    page1 = c.providers.list_catalog_provider_model_voices("espeak", "espeak-ng", limit=5)
    page2 = c.providers.list_catalog_provider_model_voices("espeak", "espeak-ng", limit=5, offset=5)
    everything = c.providers.list_catalog_provider_model_voices("espeak", "espeak-ng", limit=100)
    assert page1.pagination.total == page2.pagination.total == everything.pagination.total == CATALOG_VOICES - 1
    ids = [v.id for v in everything.data]
    assert [v.id for v in page1.data + page2.data] == ids[:10] and len(set(ids)) == len(ids) == CATALOG_VOICES - 1
    listed_voices = c.voices.list(provider=["espeak"], limit=100).data
    assert set(ids) == {v.id for v in listed_voices}
    for v in everything.data:
        assert v.id == f"espeak:{v.provider_voice_id}" and v.name and v.supported_languages
    sample = httpx.get(everything.data[0].preview_url, timeout=15, follow_redirects=True)   # presigned, no auth
    assert sample.status_code == 200 and sample.headers["content-type"].startswith("audio/"), sample.text[:200]
    joe = c.providers.list_catalog_provider_model_voices("piper", "piper-vits").data
    assert [(v.id, v.supported_languages) for v in joe] == [("piper:en_US-joe-medium", ["en-us"])]
    err = refused(lambda: c.providers.list_catalog_provider_model_voices("espeak", "espeak-ng", limit=101), 422,
                  "VALIDATION_ERROR")
    assert err["details"][0]["field"] == "limit"
    refused(lambda: c.providers.list_catalog_provider_model_voices("espeak", "nosuch"), 404, "NOT_FOUND")

    # catalog:read is the scope
    narrow = sdk(live_server, owner.mint_key("workflows:read", name="no-catalog"))
    refused(lambda: narrow.providers.list_catalog_providers(), 403, "FORBIDDEN")
    assert sdk(live_server, owner.mint_key("catalog:read", name="catalog")).providers.list_catalog_providers().data


def test_node_detail_v1_inlines_the_models_v2_links_them(voice_catalog, live_server, signup):
    owner = signup("nodes")
    c = sdk(live_server, owner.key)

    v1 = c.nodes.get_node_detail("operator_generator").data
    v2 = c.nodes.get_node_detail_v2("operator_generator").data
    assert (v1.node_type, v1.category) == ("operator_generator", "operator")
    for field in ("display_name", "description", "version", "inputs", "outputs", "input_schema", "config_schema"):
        assert getattr(v1, field) == getattr(v2, field), field
    assert [p.name for p in v1.inputs] == [p.name for p in v1.outputs] == ["lines"]

    # v1: the model catalog inline under models_by_provider, the same models providers.* lists
    inline = v1.options["models_by_provider"]
    assert inline.kind == "inline" and "providers" not in v1.options
    groups = inline.value
    assert {name: [m.model for m in g.models] for name, g in groups.items()} == MODELS
    assert {name: g.display_name for name, g in groups.items()} == {
        p.provider: p.display_name for p in c.providers.list_catalog_providers().data}
    # v2: an href to the providers instead; both carry the voices href with the locales it accepts
    assert v2.options["providers"].kind == "href" and v2.options["providers"].target == "/api/v1/providers"
    assert "models_by_provider" not in v2.options
    for detail in (v1, v2):
        voices = detail.options["voices"]
        assert voices.kind == "href" and voices.target == "/api/v1/voices"
        locales = [o.value for o in voices.properties["language"].options]
        assert {"en-us", "en-gb", "de-de"} <= set(locales)

    # other node types: their own inline options; unknown types are 404; catalog:read is the scope
    src = c.nodes.get_node_detail("source_script").data
    assert src.category == "source" and "en-us" in [o.value for o in src.options["source_language"].value]
    sink = c.nodes.get_node_detail("sink_preview").data
    assert sink.category == "output" and sink.outputs == []
    refused(lambda: c.nodes.get_node_detail("operator_teleporter"), 404, "NOT_FOUND")
    narrow = sdk(live_server, owner.mint_key("workflows:read", name="no-catalog"))
    refused(lambda: narrow.nodes.get_node_detail("operator_generator"), 403, "FORBIDDEN")
