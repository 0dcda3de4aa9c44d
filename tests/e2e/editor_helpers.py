"""Helpers for the canvas editor's browser tests: log in, drag nodes from the palette, draw
connections between ports, wait for autosave."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD

# An in-page accessibility check (no axe-core offline): every control named by a label, every
# button and link with a name, images with alt text, no duplicate ids.
A11Y_JS = """
() => {
  const out = [];
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const name = el => (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') && document.getElementById(
      el.getAttribute('aria-labelledby'))?.textContent || el.textContent || el.getAttribute('title') || '').trim();
  document.querySelectorAll('input, select, textarea').forEach(el => {
    if (['hidden', 'submit', 'button'].includes(el.type)) return;
    if ((!el.labels || !el.labels.length) && !el.getAttribute('aria-label')) out.push('unlabelled ' + el.outerHTML.slice(0, 120));
  });
  document.querySelectorAll('button, a[href]').forEach(el => {
    if (visible(el) && !name(el)) out.push('nameless ' + el.outerHTML.slice(0, 120));
  });
  document.querySelectorAll('img').forEach(el => { if (!el.hasAttribute('alt')) out.push('img without alt'); });
  const ids = {};
  document.querySelectorAll('[id]').forEach(el => { ids[el.id] = (ids[el.id] || 0) + 1; });
  Object.keys(ids).forEach(id => { if (ids[id] > 1) out.push('duplicate id ' + id); });
  document.querySelectorAll('dialog[open]').forEach(d => { if (!d.getAttribute('aria-labelledby')) out.push('dialog without a title'); });
  return out;
}
"""


def log_in(page, base_url: str, email: str):
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/home$"))


def a11y_problems(page) -> list[str]:
    return page.evaluate(A11Y_JS)


def node(page, node_id: str):
    return page.locator(f'.drawflow-node[data-node-id="{node_id}"]')


def drop_node(page, node_type: str, x: int, y: int) -> None:
    """Drag a palette item onto the canvas at (x, y) relative to the canvas's top-left corner."""
    page.drag_and_drop(f'.palette-item[data-node-type="{node_type}"]', "#drawflow", target_position={"x": x, "y": y})


def _centre(locator):
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def connect(page, src: str, src_port: str, dst: str, dst_port: str = "lines") -> None:
    """Press on an output port, move to an input port, release (as a person draws a connection)."""
    ax, ay = _centre(page.locator(f'.drawflow-node[data-node-id="{src}"] .output[data-port="{src_port}"]'))
    bx, by = _centre(page.locator(f'.drawflow-node[data-node-id="{dst}"] .input[data-port="{dst_port}"]'))
    page.mouse.move(ax, ay)
    page.mouse.down()
    page.mouse.move((ax + bx) / 2, (ay + by) / 2 + 30, steps=6)
    page.mouse.move(bx, by, steps=6)
    page.mouse.up()


def drag_node(page, node_id: str, dx: int, dy: int) -> None:
    x, y = _centre(node(page, node_id).locator(".node-title"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=10)
    page.mouse.up()


def version(page) -> int:
    return page.evaluate("window.onepinEditor.version()")


def wait_saved(page, since: int | None = None, timeout: int = 10000) -> None:
    """Autosave has caught up; with `since`, only once a version newer than `since` was written
    (an edit's request may still be on its way when this is called)."""
    page.wait_for_function("since => window.onepinEditor && window.onepinEditor.saved()"
                           " && (since === null || window.onepinEditor.version() > since)", arg=since, timeout=timeout)
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=timeout)


def edges(page) -> list[tuple]:
    return sorted((e["source"], e["sourcePort"], e["target"], e["targetPort"])
                  for e in page.evaluate("window.onepinEditor.definition()")["graph"]["edges"])


def select_node(page, node_id: str) -> None:
    node(page, node_id).locator(".node-title").click()
    expect(page.locator(f'#node-form[data-node-id="{node_id}"]')).to_be_visible()
