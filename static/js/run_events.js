// Live run progress: one EventSource per page; the browser resends Last-Event-ID on reconnect.
(function () {
  const list = document.getElementById("run-events");
  const status = document.getElementById("run-status");
  if (!list) return;
  const source = new EventSource(list.dataset.eventsUrl);
  const seen = new Set();
  function add(kind, ev) {
    if (seen.has(ev.lastEventId)) return;
    seen.add(ev.lastEventId);
    let data = {};
    try { data = JSON.parse(ev.data); } catch (e) { /* keep raw */ }
    const li = document.createElement("li");
    li.dataset.eventId = ev.lastEventId;
    li.dataset.kind = kind;
    li.textContent = kind === "card"
      ? `line ${data.line_index + 1} · ${data.locale} · ${data.node_id}: ${data.status}`
      : `${kind}: ${data.status || ""}`;
    list.appendChild(li);
    if (kind === "run.status" && data.status) {
      status.textContent = data.status;
      status.dataset.status = data.status;
      if (["completed", "failed", "cancelled"].includes(data.status)) source.close();
    }
  }
  ["run.status", "run.progress", "card"].forEach((kind) => source.addEventListener(kind, (ev) => add(kind, ev)));
})();
