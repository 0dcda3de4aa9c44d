// The node cards drawn on the canvas: display name, type and a one-line summary of the config.
import { GENERATOR, spec, displayName } from "./state.js";
import { esc } from "./dom.js";

var LOCALE_SHORT = function (loc) { return String(loc).toUpperCase(); };
function summary(node) {
  var c = node.config || {}, s = spec(node);
  if (!s) return "Unknown type";
  switch (node.type) {
    case "source_script": {
      var lines = (c.text || "").split(/\r?\n/).filter(function (l) { return l.trim(); }).length;
      var lang = c.source_language === null ? "language detected" : LOCALE_SHORT(c.source_language || "en-us");
      if (!lines && c.upload_id) return "Uploaded file · " + lang;
      return lines + " line" + (lines === 1 ? "" : "s") + " · " + lang;
    }
    case GENERATOR: {
      var vm = c.voice_map || {}, keys = Object.keys(vm).filter(function (k) { return vm[k] && vm[k].length; });
      if (!keys.length) return "No voice yet";
      return keys.map(function (k) { return LOCALE_SHORT(k) + ": " + (vm[k][0].voice_name || vm[k][0].voice_id); }).join(" · ");
    }
    case "operator_translator":
      return (c.target_languages || []).length ? "→ " + c.target_languages.map(LOCALE_SHORT).join(", ") : "No languages yet";
    case "sink_preview": return String(c.format || "wav").toUpperCase() + " files";
    default:
      if (s.category === "validation") {
        var t = c.threshold != null ? c.threshold : s.defaults.threshold;
        var r = c.max_retries != null ? c.max_retries : s.defaults.max_retries;
        return "Pass at " + t + " · " + r + " retr" + (r === 1 ? "y" : "ies");
      }
      var flags = Object.keys(s.defaults).filter(function (k) { return typeof s.defaults[k] === "boolean"; });
      if (flags.length) {
        var on = flags.filter(function (k) { return (k in c ? c[k] : s.defaults[k]) === true; }).length;
        return on + " of " + flags.length + " rules on";
      }
      return s.description;
  }
}
export function cardHtml(node) {
  var s = spec(node);
  return '<div class="node-card">' +
    '<div class="node-head"><span class="node-title">' + esc(displayName(node)) + '</span>' +
    '<span class="node-flag" aria-hidden="true"></span></div>' +
    '<div class="node-sub">' + esc(s ? s.name : node.type) + '</div>' +
    '<div class="node-summary">' + esc(summary(node)) + "</div></div>";
}
