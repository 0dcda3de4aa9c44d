// The runs lists' live updates (/runs and /workflows/<id>/runs). ONE EventSource per page on the
// workspace's run stream (run.status, run.progress; each event names the run, its workflow and its
// status). It starts after the newest event at render time (?after=); when it drops, the browser
// reconnects on its own and sends Last-Event-ID, so nothing is missed (and where the browser gives
// up, on a proxy's error page, this script reconnects after the newest event it heard). Events carry data, not HTML:
//  - a run shown in the table: the server re-renders its row (GET /runs/<id>/row, the partial the
//    page itself uses) and it is swapped in;
//  - a run just launched, on page 1 without a status filter: its row is fetched and put on top (a
//    full page reloads the panel instead, so the pager stays right);
//  - with a status filter, a run entering or leaving it reloads the panel (which rows belong changes);
//  - the summary and the count follow status changes.
// Launches, pauses and ends are announced in #runs-announce, gathered over 2 s (one announcement
// for a burst); progress is never announced.
(function () {
  const live = document.getElementById("runs-live");
  if (!live || !window.EventSource) return;
  const workflowId = live.dataset.workflowId;
  const announcer = document.getElementById("runs-announce");
  const panel = () => document.getElementById("runs-panel");
  const rowOf = (runId) => document.querySelector(`#runs-table tbody tr[data-run-id="${CSS.escape(runId)}"]`);
  const HEARD = { pending: "launched", paused: "paused", completed: "completed", failed: "failed", cancelled: "cancelled" };

  // One request at a time per key; asked again while in flight, it runs once more afterwards (the
  // answer in flight may have read the database before the change the new event reports).
  const inflight = new Set(), again = new Set();
  function once(key, request) {
    if (inflight.has(key)) { again.add(key); return; }
    inflight.add(key);
    request().catch(() => { /* the next event or a reload brings it back */ }).finally(() => {
      inflight.delete(key);
      if (again.delete(key)) once(key, request);
    });
  }

  function throttled(fn, ms) {           // at most one call per `ms`, and always one after the last
    let last = 0, timer = null;
    return function () {
      const wait = last + ms - Date.now();
      if (wait <= 0) { last = Date.now(); fn(); return; }
      if (!timer) timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
    };
  }

  async function fetchHtml(url, target) {
    const headers = target ? { "HX-Request": "true", "HX-Target": target } : {};
    const resp = await fetch(url, { headers, credentials: "same-origin" });
    if (!resp.ok) throw new Error(`${url}: ${resp.status}`);
    const tpl = document.createElement("template");
    tpl.innerHTML = await resp.text();
    return tpl.content;
  }

  // every top-level element of an answer replaces the page's element of the same id (the focused
  // control, if the answer has one of the same id, keeps the focus)
  function swapById(fragment) {
    const focused = document.activeElement && document.activeElement.id;
    Array.from(fragment.children).forEach((el) => {
      const old = el.id && document.getElementById(el.id);
      if (!old) return;
      el.removeAttribute("hx-swap-oob");
      old.replaceWith(el);
      if (window.htmx) htmx.process(el);
    });
    const again = focused && document.getElementById(focused);
    if (again && again !== document.activeElement) again.focus();
  }

  let heard = [], heardTimer = null;
  function announce(text) {
    if (!announcer) return;
    heard.push(text);
    if (heardTimer) return;
    heardTimer = setTimeout(() => {
      announcer.textContent = heard.length <= 3 ? heard.join(". ") + "." : `${heard.length} runs changed status.`;
      heard = [];
      heardTimer = null;
    }, 2000);
  }

  function renderRow(runId, mayAdd) {
    once(`row:${runId}`, async () => {
      const url = live.dataset.rowUrl.replace("RUN_ID", encodeURIComponent(runId));
      const tr = (await fetchHtml(url)).querySelector("tr");
      const old = rowOf(runId);
      const tbody = document.querySelector("#runs-table tbody");
      if (!tr || !tbody || (!old && !mayAdd)) return;
      if (old) old.replaceWith(tr);
      else {
        tbody.prepend(tr);
        const wrap = tbody.closest(".table-wrap");
        if (wrap) wrap.hidden = false;
        const empty = document.getElementById("runs-empty");
        if (empty) empty.remove();
      }
      const before = old ? old.dataset.status : null, now = tr.dataset.status;
      if (now !== before && HEARD[now] && (old || now === "pending")) announce(`${tr.dataset.label} ${HEARD[now]}`);
    });
  }

  const refreshPanel = throttled(() => once("panel", async () => {
    const p = panel();
    if (p) swapById(await fetchHtml(p.dataset.url, "runs-panel"));
  }), 1500);
  const refreshSummary = throttled(() => once("summary", async () => {
    const p = panel();
    if (p) swapById(await fetchHtml(p.dataset.url, "runs-summary"));
  }), 1000);

  function onEvent(ev) {
    let data;
    try { data = JSON.parse(ev.data); } catch (err) { return; }
    if (!data.run_id || (workflowId && data.workflow_id !== workflowId)) return;
    const p = panel();
    if (!p) return;
    const filter = p.dataset.statusFilter;
    const row = rowOf(data.run_id);
    if (filter && (row ? data.status !== filter : data.status === filter)) {
      if (row && HEARD[data.status]) announce(`${row.dataset.label} ${HEARD[data.status]}`);
      refreshPanel();                           // the run enters or leaves the filtered list
      return;
    }
    if (row) renderRow(data.run_id, false);
    else if (ev.type === "run.status" && data.status === "pending" && p.dataset.page === "1" && !filter) {
      const shown = document.querySelectorAll("#runs-table tbody tr").length;
      if (shown >= Number(p.dataset.perPage || 25)) refreshPanel();
      else renderRow(data.run_id, true);
    }
    if (ev.type === "run.status") refreshSummary();
  }

  // A dropped connection is retried by the browser itself (with Last-Event-ID). It gives up for good
  // (CLOSED) on an answer that is not an event stream: a proxy's 502/503 while the app restarts, or
  // our own 204 (this page's workspace is no longer the user's current one). The stream is asked
  // once more to tell them apart: 204 ends it; anything else reconnects after the newest event heard,
  // backing off from 2 s to 30 s while it keeps failing.
  let lastId = null, delay = 2000;
  function urlAfter() {
    if (!lastId) return live.dataset.eventsUrl;
    const url = new URL(live.dataset.eventsUrl, window.location.href);
    url.searchParams.set("after", lastId);
    return url.toString();
  }
  function heardEvent(ev) {
    if (ev.lastEventId) lastId = ev.lastEventId;
    delay = 2000;
    onEvent(ev);
  }
  async function gaveUp() {
    let status = 0;
    const ask = new AbortController();
    try {
      status = (await fetch(urlAfter(), { headers: { Accept: "text/event-stream" }, credentials: "same-origin",
                                          signal: ask.signal })).status;
    } catch (err) { /* still unreachable */ }
    ask.abort();
    if (status === 204) return;
    setTimeout(connect, status === 200 ? 0 : delay);
    delay = Math.min(delay * 2, 30000);
  }
  function connect() {
    const source = new EventSource(urlAfter());
    source.addEventListener("run.status", heardEvent);
    source.addEventListener("run.progress", heardEvent);
    source.addEventListener("error", () => { if (source.readyState === EventSource.CLOSED) gaveUp(); });
  }
  connect();
})();
