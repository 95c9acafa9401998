// Code blocks that scroll sideways must be reachable with the keyboard (WCAG 2.1.1, axe's
// scrollable-region-focusable). The theme gives a block tabindex 0 if it overflows and -1 if not, when the page
// loads and again after each change to the page (MathJax, widgets). A block it judged before the monospace font
// or the layout had settled can overflow later and stay at -1: fresh-clone test runs caught that on chapters 3
// and 9. So every code block keeps a tab stop, overflowing or not, whatever the theme sets afterwards.
(function () {
  var BLOCKS = "div.highlight pre";
  function mark(block) {
    if (block.getAttribute("tabindex") !== "0") block.setAttribute("tabindex", "0");
  }
  function markAll() {
    document.querySelectorAll(BLOCKS).forEach(mark);
  }
  // Start at once, from the page's head, and watch the whole document: blocks are marked as the parser adds
  // them, so none waits unmarked for DOMContentLoaded, and a script replacing #main-content cannot deafen it.
  markAll();
  new MutationObserver(function (records) {
    if (records.some(function (record) { return record.type === "childList"; })) markAll();
    else records.forEach(function (record) { if (record.target.matches(BLOCKS)) mark(record.target); });
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex"]});
})();
