// The voice picker: a server-rendered dialog of catalog voices for one locale of a generator; the
// chosen voice comes back as onepin:voice and replaces that locale's list in the voice_map.
import { URLS, nodeById } from "./state.js";
import { $, $$ } from "./dom.js";
import { refreshCard } from "./canvas.js";
import { begin } from "./history.js";
import { openPanel } from "./panels.js";
import { request } from "./server.js";

export function listenToVoicePicker() {
  document.body.addEventListener("onepin:voice", function (e) {
    var d = e.detail || {}, node = nodeById(d.node_id);
    if (!node) return;
    begin();
    node.config = node.config || {};
    var vm = Object.assign({}, node.config.voice_map || {});
    vm[d.locale] = [d.assignment];
    node.config.voice_map = vm;
    refreshCard(node);
    var dlg = $("#voice-dialog");
    if (dlg && dlg.open) dlg.close();
    setTimeout(function () { openPanel(node.id); }, 0);
  });
}

export function pickVoice(node, locale, current) {
  if (!locale) return;
  var values = { locale: locale, node_id: node.id, current: current || "" };
  request("GET", URLS.voices, "#voice-dialog-body", values).then(function () {
    var dlg = $("#voice-dialog");
    if (dlg && !dlg.open) dlg.showModal();
  });
}
export function playSample(btn) {
  var player = $("#voice-sample-player");
  if (!player) return;
  $$(".voice-item.is-playing").forEach(function (li) { li.classList.remove("is-playing"); });
  var li = btn.closest(".voice-item");
  if (li) li.classList.add("is-playing");
  player.src = btn.getAttribute("data-sample");
  var p = player.play();
  if (p && p.catch) p.catch(function () { /* autoplay refused: the controls still work */ });
}
