// Small DOM helpers shared by the editor's modules.

export const $ = function (sel, root) { return (root || document).querySelector(sel); };
export const $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
export function esc(s) {
  return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}
export function bind(id, fn) { var el = document.getElementById(id); if (el) el.addEventListener("click", fn); }
