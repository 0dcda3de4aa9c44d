"""Names people type can be long and unbroken ("W" * 60): on a phone (375×740) every page that prints them -
in headings, eyebrows, cards, tables, the run header, the members list, the API keys, the usage activity -
wraps or shortens them, and never scrolls sideways. test_pages_responsive's walk over every page, over its
world with 60-character workspace, workflow, API key and member names and a 50-character email; then, on a
phone, what the walk does not open: the New-from-template picker (a user's published template), the editor's
node panel and voice picker (node labels, a workspace voice), the run page's lines, checks and takes table
(a script with a 60-character word)."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Voice, VoiceFavorite
from app.models.base import utcnow
from app.services import api_keys
from app.services import templates as tpl_svc
from app.services import workflows as wf_svc
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.editor_helpers import log_in, select_node
from tests.e2e.test_pages_responsive import NO_SIDEWAYS_SCROLL, STICKING_OUT, VIEWPORTS, visit_all
from tests.factories import add_member, make_user, make_workspace, membership
from tests.services import usage_data
from tests.web.route_walk import DEFINITION, make_world
from tests.web.run_page_data import built_run, naturalness_definition

pytestmark = pytest.mark.e2e

WS_NAME, WF_NAME, KEY_NAME, PERSON = "W" * 60, "F" * 60, "K" * 60, "M" * 60
EMAIL = "m" * 50 + "@example.com"


@pytest.fixture
def long_world():
    owner = make_user(email="o" * 50 + "@example.com", name="O" * 60)
    ws = make_workspace(owner, name=WS_NAME, slug="long-names")
    w = make_world(owner, ws)
    m = membership(ws, owner)
    wf_svc.patch(w.wf, m, owner, {"name": WF_NAME})
    api_keys.create(ws, m, owner, {"name": KEY_NAME, "scopes": "all"})
    add_member(ws, make_user(email=EMAIL, name=PERSON), "editor")
    add_member(ws, make_user(email="e" * 50 + "@example.com", name="e" * 50 + "@example.com"), "viewer")
    usage_data.run(ws, owner, utcnow() - timedelta(days=1),
                   [{"locale": "en-us", "text": "Hello there, world.", "milli": 2000, "ms": 1500}], credits=2,
                   wf=usage_data.workflow(ws, owner, name="U" * 60))
    db.session.commit()
    return w


def past_the_screen(control, what: str) -> list[str]:
    """A problem when the control's right edge is past a phone's screen."""
    box = control.bounding_box()
    return [f"{what} is past the screen"] if box["x"] + box["width"] > VIEWPORTS["phone"]["width"] else []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_long_unbroken_names_never_make_a_page_scroll_sideways(browser, live_server, long_world, size):
    problems = visit_all(browser, live_server, long_world, "owner", size, f"long-names-{size}")
    assert problems == [], "\n".join(problems)


# ---- the partials and panels the walk does not open ---------------------------------------------------------
# A user-made template, a workspace voice (a favourite), node labels, a voice name in a generator's voice map,
# and a script and run lines with a 60-character unbroken word: each opened on a phone as a user would
# (the template picker and the voice picker by their buttons, a node's panel by clicking the node).

TPL_NAME, TPL_WORD, VOICE_NAME, VOICE_WORD = "T" * 60, "D" * 60, "V" * 60, "Q" * 60
LABEL, WORD = "N" * 60, "S" * 60

# Where the text of `el` is drawn: it shows, it is broken over lines, and neither the screen's edge nor a
# clipping or scrolling ancestor (a dialog's body, the editor's side panel, a table's wrapper) cuts it.
TEXT_PROBLEMS = """
el => {
  const range = document.createRange(); range.selectNodeContents(el);
  const r = range.getBoundingClientRect(), out = [];
  if (!r.width || !el.checkVisibility()) return ['not shown'];
  if (range.getClientRects().length < 2) out.push('on one line (' + Math.round(r.width) + 'px wide)');
  if (r.left < -1 || r.right > window.innerWidth + 1) out.push('past the screen: ' + Math.round(r.left) + '..' + Math.round(r.right) + 'px');
  if (el.clientWidth && el.scrollWidth > el.clientWidth + 1) out.push('cut inside itself');
  for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
    if (getComputedStyle(p).overflowX === 'visible') continue;
    const q = p.getBoundingClientRect();
    if (r.left < q.left - 1 || r.right > q.right + 1) out.push('cut by ' + p.tagName.toLowerCase() + '.' + p.className);
  }
  return out;
}
"""


def text_problems(page, what: str, locator) -> list[str]:
    """`locator` names one or more elements whose text is long and unbroken; each must wrap, whole, on screen."""
    expect(locator.first).to_be_visible()
    problems = [f"{what}: {p}" for i in range(locator.count()) for p in locator.nth(i).evaluate(TEXT_PROBLEMS)]
    overflow = page.evaluate(NO_SIDEWAYS_SCROLL)
    if overflow > 1:
        problems.append(f"{what}: the page scrolls sideways by {overflow}px: {page.evaluate(STICKING_OUT)}")
    return problems


def _definition(voice_id: str) -> dict:
    d = naturalness_definition(f"A {WORD} here.\nThe second line.")
    for n in d["graph"]["nodes"]:
        n["name"] = LABEL if n["id"] in ("gen", "nat") else None
    gen = next(n for n in d["graph"]["nodes"] if n["id"] == "gen")
    gen["config"]["voice_map"]["en-us"][0].update(catalog_voice_id=voice_id, voice_name=VOICE_NAME)
    gen["position"] = {"x": 0, "y": 160}   # both in sight on a phone's canvas
    return d


@pytest.fixture
def long_texts(long_world):
    w = long_world
    m = membership(w.a, w.owner)
    t = tpl_svc.create(w.a, m, w.owner, {"name": TPL_NAME, "description": f"Reads {TPL_WORD} aloud.",
                                         "definition": DEFINITION})
    tpl_svc.update(t, w.a, m, {"is_public": True})
    voice = Voice(workspace_id=w.a.id, source="uploaded", user_id=w.owner.id, provider="espeak",
                  provider_voice_id="en-us", name=VOICE_NAME, description=f"Sounds like {VOICE_WORD} indeed.",
                  gender="female", supported_languages=["en-us"],
                  model_capabilities=[{"model": "espeak-ng", "languages_known": True, "supported_languages": ["en-us"]}])
    db.session.add(voice)
    db.session.flush()
    db.session.add(VoiceFavorite(workspace_id=w.a.id, voice_id=voice.id, user_id=w.owner.id))
    wf = wf_svc.create(w.a, m, w.owner, {"name": "L" * 60, "definition": _definition(voice.id)})
    run = built_run(wf, w.owner, lines=[f"A {WORD} here.", "The second line."], outcomes={(1, "en-us"): "failed"})
    db.session.commit()
    return SimpleNamespace(world=w, wf=wf, run=run, voice=voice)


@pytest.fixture
def phone(browser, live_server, long_texts):
    ctx = browser.new_context(viewport=VIEWPORTS["phone"])
    page = ctx.new_page()
    log_in(page, live_server, long_texts.world.owner.email)
    yield page
    ctx.close()


def test_the_template_picker_wraps_a_long_template_name_on_a_phone(phone, live_server, long_texts):
    page = phone
    page.goto(live_server + "/workflows")
    page.get_by_role("button", name="New from template").click()
    dialog = page.locator("#template-dialog")
    expect(dialog).to_be_visible()
    item = dialog.locator(".template-item", has_text=TPL_NAME)
    expect(item).to_have_count(1)
    page.screenshot(path=str(_shots() / "template-picker.png"))
    problems = text_problems(page, "template name", item.locator("h3"))
    problems += text_problems(page, "template description", item.locator("p.muted"))
    problems += past_the_screen(item.get_by_role("button", name=f"Use template {TPL_NAME}"), "the template's Use button")
    assert problems == [], "\n".join(problems)


def test_the_node_panel_and_the_voice_picker_wrap_long_names_on_a_phone(phone, live_server, long_texts):
    page = phone
    page.goto(live_server + f"/workflows/{long_texts.wf.id}/edit")
    expect(page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    select_node(page, "src")
    problems = text_problems(page, "a script line in the source's panel", page.locator("#source-lines li").first)
    select_node(page, "gen")
    expect(page.locator("#cfg-node-name")).to_have_value(LABEL)
    row = page.locator('.voice-row[data-locale="en-us"]')
    problems += text_problems(page, "the voice's name in the generator's panel", row.locator(".voice-name"))
    page.screenshot(path=str(_shots() / "node-panel.png"), full_page=True)
    row.get_by_role("button", name="Change the English (United States) voice").click()
    dialog = page.locator("#voice-dialog")
    expect(dialog).to_be_visible()
    item = dialog.locator(f'.voice-item[data-voice-id="{long_texts.voice.id}"]')
    expect(item).to_be_visible()
    page.screenshot(path=str(_shots() / "voice-picker.png"))
    problems += text_problems(page, "the voice's name in the picker", item.locator(".voice-item-name"))
    problems += text_problems(page, "the voice's description in the picker", item.locator(".voice-desc"))
    problems += past_the_screen(item.get_by_role("button", name=f"Choose {VOICE_NAME}"), "the voice's Choose button")
    assert problems == [], "\n".join(problems)


def test_the_run_page_wraps_long_words_and_node_labels_on_a_phone(phone, live_server, long_texts):
    page = phone
    page.goto(live_server + f"/runs/{long_texts.run.id}")
    page.wait_for_function("!document.querySelector('.htmx-request')")
    page.locator("#run-graph .counts > summary").click()
    page.screenshot(path=str(_shots() / "run-page.png"), full_page=True)
    problems = text_problems(page, "the run's workflow name", page.locator("#run-head .eyebrow a").first)
    problems += text_problems(page, "a line's text", page.locator("#line-0 .line-script"))
    problems += text_problems(page, "a validator's label on a card", page.locator("#card-0-en-us .check-label"))
    problems += text_problems(page, "a node's label in the takes table",
                              page.locator('#node-counts th[scope="rowgroup"]', has_text=LABEL))
    assert problems == [], "\n".join(problems)


def _shots():
    shots = ARTIFACTS / "long-names-panels"
    shots.mkdir(parents=True, exist_ok=True)
    return shots
