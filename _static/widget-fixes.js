// Two fixes for the saved Jupyter widget views that @jupyter-widgets/html-manager draws in this site.
// 1. Its labels call MathJax 2's MathJax.Hub.Queue; the site runs MathJax 3, which has no Hub.
// 2. Its slider handles (role="slider") have no accessible name; each gets its label's text.
document.addEventListener("DOMContentLoaded", function () {
  if (!document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]')) return;
  if (window.MathJax && !window.MathJax.Hub) {
    window.MathJax.Hub = {
      Queue: function (job) {
        var element = job && job[2];
        if (element && MathJax.typesetPromise) {
          MathJax.startup.promise.then(function () { return MathJax.typesetPromise([element]); });
        }
      },
    };
  }
  new MutationObserver(function () {
    document.querySelectorAll(".widget-slider").forEach(function (box) {
      var label = box.querySelector(".widget-label");
      var name = (label && label.textContent.trim()) || "slider";
      box.querySelectorAll('[role="slider"]:not([aria-label])').forEach(function (handle) {
        handle.setAttribute("aria-label", name);
      });
    });
  }).observe(document.body, { childList: true, subtree: true });
});
