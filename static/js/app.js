/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Copy buttons: <button data-copy-target="#id">
  document.addEventListener("click", function (event) {
    var btn = event.target.closest("[data-copy-target]");
    if (!btn) return;
    var target = document.querySelector(btn.getAttribute("data-copy-target"));
    if (!target) return;
    var text = target.textContent.trim();
    var done = function () {
      var original = btn.getAttribute("data-label") || btn.textContent;
      btn.setAttribute("data-label", original);
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = original; }, 1600);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
    } else {
      selectText(target);
    }
  });

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // Range inputs show their value in <output for="id">.
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.type !== "range" || !el.id) return;
    var out = document.querySelector('output[for="' + el.id + '"]');
    if (out) out.textContent = Number(el.value).toFixed(2);
  });

  // Plain (non-HTMX) forms may ask for confirmation: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("hx-post") || !form.hasAttribute("data-confirm")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });

  // Close open dropdowns when clicking elsewhere or pressing Escape.
  function closeDropdowns(except) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeDropdowns(event.target.closest("details.dropdown"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeDropdowns(null);
  });

  // Where the links do not fit in one row beside the brand and the workspace and account menus, the main
  // nav is a disclosure behind its Menu button (html.nav-collapsed; layout.html's head sets it before the first
  // paint below the CSS breakpoint, this measures the row whenever the top bar's width changes). Escape closes
  // it and puts focus back on the button; following a link, a click elsewhere and a page restored from the
  // back/forward cache close it too.
  var root = document.documentElement;
  var toggle = document.querySelector(".nav-toggle");
  var nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (nav) {
    var navOpen = function () { return toggle.getAttribute("aria-expanded") === "true"; };
    var setNav = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    };
    // lay the nav out as a row (no paint in between) and see if its links overflow it
    var fitNav = function () {
      root.classList.remove("nav-collapsed");
      var collapse = nav.scrollWidth > nav.clientWidth;
      root.classList.toggle("nav-collapsed", collapse);
      if (!collapse && navOpen()) setNav(false);
    };
    fitNav();
    // the top bar's size does not change with the nav's state (one 56px row either way): no resize loop
    if (window.ResizeObserver) new ResizeObserver(fitNav).observe(nav.parentElement);
    else window.addEventListener("resize", fitNav);
    toggle.addEventListener("click", function () { setNav(!navOpen()); });
    nav.addEventListener("click", function (event) { if (event.target.closest("a")) setNav(false); });
    window.addEventListener("pageshow", function () { setNav(false); });
    document.addEventListener("click", function (event) {
      if (navOpen() && !event.target.closest(".nav-toggle, .mainnav")) setNav(false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !navOpen()) return;
      setNav(false);
      if (toggle.getClientRects().length) toggle.focus();
    });
  } else {
    root.classList.remove("nav-collapsed");
  }
})();
