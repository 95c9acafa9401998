// Code and output blocks that scroll sideways must be reachable with the keyboard (WCAG 2.1.1, axe's
// scrollable-region-focusable). The theme marks the ones that overflow when the page is parsed; a block can start
// to overflow later, when the monospace font has loaded, so check again then and on every resize.
(function () {
  function markScrollable() {
    document.querySelectorAll("div.highlight pre").forEach(function (block) {
      if (block.scrollWidth > block.clientWidth && !block.hasAttribute("tabindex")) {
        block.setAttribute("tabindex", "0");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markScrollable);
  window.addEventListener("load", markScrollable);
  window.addEventListener("resize", markScrollable);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(markScrollable);
})();
