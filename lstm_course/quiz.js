// Attaches behaviour to every not-yet-wired quiz on the page (rendered by lstm_course/quiz.py).
// It only ever writes text with textContent, so question and feedback text can never run as HTML or script.
// Choices are shown in a new random order on every page load (never the bank's order, in which the
// authors wrote the right answer first); feedback stays with its choice. A running score per quiz is
// announced to screen readers and kept in the browser's localStorage, shared by every page that shows
// the same question, until the learner presses "Reset my answers".
(function () {
  var STORE = "lstm-course-quiz:";
  function load(bank) {
    try { return JSON.parse(window.localStorage.getItem(STORE + bank) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(bank, results) {
    try { window.localStorage.setItem(STORE + bank, JSON.stringify(results)); } catch (e) { /* storage off: score for this visit only */ }
  }
  function say(el, ok, text) {
    el.textContent = (ok ? "\u2713 Correct. " : "\u2717 Not quite. ") + text;
    el.className = el.className.replace(/ ?lq-(right|wrong)/g, "") + (ok ? " lq-right" : " lq-wrong");
  }
  function clear(el) { el.textContent = ""; el.className = el.className.replace(/ ?lq-(right|wrong)/g, ""); }
  function shuffle(q) {
    var items = Array.prototype.slice.call(q.querySelectorAll(".lq-choice"));
    if (items.length < 2) { return; }
    var order, i, j, t;
    do {
      order = items.map(function (_, k) { return k; });
      for (i = order.length - 1; i > 0; i--) {
        j = Math.floor(Math.random() * (i + 1)); t = order[i]; order[i] = order[j]; order[j] = t;
      }
    } while (order.every(function (v, k) { return v === k; }));
    var parent = items[0].parentNode, anchor = items[items.length - 1].nextSibling;
    order.forEach(function (k) { parent.insertBefore(items[k], anchor); });
  }
  function wireSingle(q, record) {
    var fb = q.querySelector(".lq-feedback");
    q.querySelectorAll("input").forEach(function (inp) {
      inp.addEventListener("change", function () {
        var ok = inp.getAttribute("data-correct") === "1";
        say(fb, ok, inp.getAttribute("data-feedback"));
        record(ok);
      });
    });
  }
  function wireMultiple(q, record) {
    var fb = q.querySelector(".lq-feedback");
    q.querySelector(".lq-check").addEventListener("click", function () {
      var right = 0, total = 0;
      q.querySelectorAll(".lq-choice").forEach(function (ch) {
        var inp = ch.querySelector("input"), box = ch.querySelector(".lq-choice-fb");
        var correct = inp.getAttribute("data-correct") === "1";
        total += 1;
        if (inp.checked === correct) { right += 1; }
        if (inp.checked || correct) {
          say(box, inp.checked === correct, (inp.checked ? "" : "You left this out. ") + inp.getAttribute("data-feedback"));
        } else { clear(box); }
      });
      say(fb, right === total, right + " of " + total + " options judged right.");
      record(right === total);
    });
  }
  function wireNumeric(q, record) {
    var inp = q.querySelector(".lq-number"), fb = q.querySelector(".lq-feedback");
    function check() {
      var raw = inp.value.trim().replace(/_/g, "").replace(/,/g, "");
      var x = Number(raw);
      if (raw === "" || !isFinite(x)) { say(fb, false, "Please type a number, e.g. 42 or 0.5."); return; }
      var ans = Number(inp.getAttribute("data-answer")), tol = Number(inp.getAttribute("data-tolerance"));
      if (Math.abs(x - ans) <= tol + 1e-12 * Math.abs(ans)) { say(fb, true, inp.getAttribute("data-feedback")); record(true); return; }
      var wrong = inp.getAttribute("data-wrong"), list = wrong ? wrong.split("|") : [];
      for (var i = 0; i < list.length; i++) {
        if (Math.abs(x - Number(list[i])) <= tol + 1e-12 * Math.abs(ans)) {
          say(fb, false, q.querySelector('.lq-wrong-fb[data-index="' + i + '"]').getAttribute("data-feedback"));
          record(false);
          return;
        }
      }
      say(fb, false, inp.getAttribute("data-default"));
      record(false);
    }
    q.querySelector(".lq-check").addEventListener("click", check);
    inp.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); check(); } });
  }
  function wireQuiz(quiz) {
    var bank = quiz.getAttribute("data-quiz") || "", questions = quiz.querySelectorAll(".lq-q");
    var score = document.createElement("p"), reset = document.createElement("button");
    score.className = "lq-score";
    score.setAttribute("role", "status");
    score.setAttribute("aria-live", "polite");
    reset.type = "button";
    reset.className = "lq-check lq-reset";
    reset.textContent = "Reset my answers";
    quiz.appendChild(score);
    quiz.appendChild(reset);
    function update() {
      var saved = load(bank), right = 0, answered = 0;
      questions.forEach(function (q) {
        var id = q.getAttribute("data-qid");
        if (saved.hasOwnProperty(id)) { answered += 1; if (saved[id]) { right += 1; } }
      });
      score.textContent = "Score: " + right + " of " + questions.length + " answered correctly" +
        (answered > right ? " (" + (answered - right) + " not yet right)" : "") + ".";
    }
    questions.forEach(function (q) {
      var id = q.getAttribute("data-qid"), t = q.getAttribute("data-type");
      function record(ok) { var saved = load(bank); saved[id] = ok; save(bank, saved); update(); }
      if (t !== "numeric") { shuffle(q); }
      if (t === "single") { wireSingle(q, record); } else if (t === "multiple") { wireMultiple(q, record); } else { wireNumeric(q, record); }
      var before = load(bank);
      if (before.hasOwnProperty(id)) {
        q.querySelector(".lq-feedback").textContent = before[id] ? "You answered this correctly before." : "Not yet right last time: try again.";
      }
    });
    reset.addEventListener("click", function () {
      var saved = load(bank);
      questions.forEach(function (q) {
        delete saved[q.getAttribute("data-qid")];
        q.querySelectorAll("input").forEach(function (inp) { if (inp.type === "text") { inp.value = ""; } else { inp.checked = false; } });
        q.querySelectorAll(".lq-feedback, .lq-choice-fb").forEach(clear);
      });
      save(bank, saved);
      update();
    });
    update();
  }
  document.querySelectorAll(".lq-quiz:not([data-lq-ready])").forEach(function (quiz) {
    quiz.setAttribute("data-lq-ready", "1");
    wireQuiz(quiz);
  });
})();
