// Code and output blocks that scroll sideways must be reachable with the keyboard (WCAG 2.1.1, axe's
// scrollable-region-focusable). The theme marks the ones that overflow when the page is parsed; a block can start
// to overflow later: when the monospace font has loaded, or when its column narrows after the page has loaded
// without the window changing size (the layout still settling). So check again then, on every resize of the
// window, and whenever a block itself changes size.
(function () {
  function markIfScrollable(block) {
    if (block.scrollWidth > block.clientWidth && !block.hasAttribute("tabindex")) {
      block.setAttribute("tabindex", "0");
    }
  }
  function markScrollable() {
    document.querySelectorAll("div.highlight pre").forEach(markIfScrollable);
  }
  function watchBlocks() {
    markScrollable();
    if (!window.ResizeObserver) return;
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { markIfScrollable(entry.target); });
    });
    document.querySelectorAll("div.highlight pre").forEach(function (block) { observer.observe(block); });
  }
  document.addEventListener("DOMContentLoaded", watchBlocks);
  window.addEventListener("load", markScrollable);
  window.addEventListener("resize", markScrollable);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(markScrollable);
})();
