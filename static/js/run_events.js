// The run page's live updates. ONE EventSource per page, opened by the htmx SSE extension on
// #run-page (sse-connect); #run-sse listens to its three event kinds. Each event refreshes only what
// it concerns, through the partials' own hx-get (triggered by "run:refresh"):
//   card        -> that line's card (if shown), then the graph and the header, throttled
//   run.status  -> the header at once, the graph, and the lines table when the run starts or ends
//   run.progress-> the header and the graph
// The stream is closed once the run has ended (the server ends it too). A small event log keeps
// every event in order (deduplicated by event id, which the browser resends as Last-Event-ID).
(function () {
  const page = document.getElementById("run-page");
  const relay = document.getElementById("run-sse");
  if (!page || !relay) return;
  const TERMINAL = ["completed", "failed", "cancelled"];
  const log = document.getElementById("run-events");
  const seen = new Set();
  let source = null;
  const inflight = new Map(), again = new Set(), afterTable = new Set();   // inflight: id -> since
  const busy = (id) => inflight.has(id) && Date.now() - inflight.get(id) < 10000;   // (a lost answer expires)
  let lastStatus = (document.getElementById("run-status") || {}).dataset?.status;

  page.addEventListener("htmx:sseOpen", (e) => { source = e.detail.source; });

  // A partial replaces itself: a refresh asked for while its request is in flight would be queued on
  // the element about to be removed (and never sent), so it is asked again once the new one is in.
  function refresh(id) {
    if (busy(id)) { again.add(id); return; }
    const el = document.getElementById(id);
    if (el) htmx.trigger(el, "run:refresh");
  }

  // at most one refresh per `ms`, and always one after the last call
  function throttled(fn, ms) {
    let last = 0, timer = null;
    return function () {
      const wait = last + ms - Date.now();
      if (wait <= 0) { last = Date.now(); fn(); return; }
      if (!timer) timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
    };
  }
  const refreshHead = throttled(() => refresh("run-head"), 1000);
  const refreshGraph = throttled(() => refresh("run-graph"), 1500);

  // A refresh whose request is in flight may have read the database before the event's change was
  // committed: such elements are refreshed once more when their request ends. Card events that
  // arrive while the whole table is being reloaded are replayed on the new table.
  // (the end of a request is seen at htmx:beforeSwap: an element replaced by its own response is
  // detached by the time htmx:afterRequest fires, and events on it no longer reach the document)
  document.addEventListener("htmx:beforeRequest", (e) => { if (e.detail.elt.id) inflight.set(e.detail.elt.id, Date.now()); });
  function done(e) {
    const id = e.detail.elt && e.detail.elt.id;
    if (!id || !inflight.delete(id)) return;
    setTimeout(() => {                 // once the response is in the page
      if (id === "run-lines") {
        afterTable.forEach((cardId) => refreshCardId(cardId));
        afterTable.clear();
      }
      if (again.delete(id)) refresh(id);
    }, 0);
  }
  ["htmx:beforeSwap", "htmx:afterRequest"].forEach((name) => document.addEventListener(name, done));

  function playing(el) {
    return Array.from((el || document).querySelectorAll("audio")).some((a) => !a.paused);
  }

  const cardTimers = new Map();
  function refreshCardId(id) {
    if (busy("run-lines")) { afterTable.add(id); return; }
    if (!document.getElementById(id)) return;          // filtered out or on another page
    clearTimeout(cardTimers.get(id));
    cardTimers.set(id, setTimeout(() => {
      cardTimers.delete(id);
      const el = document.getElementById(id);
      if (!el) return;
      const audio = el.querySelector("audio");
      if (audio && !audio.paused) {                     // never cut off a line being listened to
        audio.addEventListener("pause", () => refresh(id), { once: true });
        return;
      }
      refresh(id);
    }, 300));
  }
  // with an outcome filter, which rows belong on the page changes as lines finish
  const refreshFiltered = throttled(() => {
    const lines = document.getElementById("run-lines");
    if (!lines || !lines.dataset.outcomeFilter) return;
    if (playing(lines)) return;
    refresh("run-lines");
  }, 3000);

  function record(kind, ev, data) {
    if (!log) return;
    const li = document.createElement("li");
    li.dataset.eventId = ev.lastEventId;
    li.dataset.kind = kind;
    li.textContent = kind === "card"
      ? `line ${data.line_index + 1} · ${data.locale} · ${data.node_id}: ${data.status}`
      : `${kind}: ${data.status || ""}${kind === "run.status" && data.pause_requested_at && data.status === "running" ? " (pausing)" : ""}`;
    log.appendChild(li);
    while (log.children.length > 1000) log.removeChild(log.firstChild);
  }

  relay.addEventListener("htmx:sseMessage", (e) => {
    const ev = e.detail;
    if (!ev || !ev.type) return;
    if (ev.lastEventId) {
      if (seen.has(ev.lastEventId)) return;
      seen.add(ev.lastEventId);
    }
    let data = {};
    try { data = JSON.parse(ev.data); } catch (err) { /* keep going */ }
    record(ev.type, ev, data);
    if (ev.type === "card") {
      refreshCardId(`card-${data.line_index}-${data.locale}`);
      refreshFiltered();
      refreshGraph();
      refreshHead();
      return;
    }
    if (ev.type === "run.status") {
      refresh("run-head");
      refreshGraph();
      const ended = TERMINAL.includes(data.status);
      if (data.status !== lastStatus && (ended || lastStatus === "pending")) {
        refresh("run-lines");
      }
      lastStatus = data.status;
      if (ended) {
        if (source) source.close();
        setTimeout(() => refresh("run-graph"), 50);
      }
      return;
    }
    refreshHead();
    refreshGraph();
  });
})();
