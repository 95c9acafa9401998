"""Quiz bank loading, validation and rendering: static HTML plus a small script, no kernel or network needed."""

import hashlib
import html
import math
from importlib import resources
from pathlib import Path

import yaml

TYPES = ("single", "multiple", "numeric")


class QuizError(ValueError):
    """A quiz file or question is malformed; the message names the file and the question."""


def _fail(source, qid, msg):
    where = f"{source}" if qid is None else f"{source}: question {qid!r}"
    raise QuizError(f"{where}: {msg}")


def _need_text(source, qid, obj, key, what):
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, str) or not value.strip():
        _fail(source, qid, f"{what} needs a non-empty text '{key}'")
    return value


def _need_number(source, qid, obj, key, what):
    value = obj.get(key) if isinstance(obj, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(source, qid, f"{what} needs a finite number '{key}', got {value!r}")
    return value


def validate_question(q, source="<quiz>"):
    """Check one question dict (types single/multiple/numeric, feedback everywhere); raise QuizError if bad."""
    if not isinstance(q, dict):
        _fail(source, None, f"each question must be a mapping, got {type(q).__name__}")
    qid = q.get("id")
    if not isinstance(qid, str) or not qid.strip():
        _fail(source, None, f"a question has no 'id' (question text: {str(q.get('question'))[:60]!r})")
    _need_text(source, qid, q, "question", "the question")
    qtype = q.get("type")
    if qtype not in TYPES:
        _fail(source, qid, f"unknown type {qtype!r}; use one of {', '.join(TYPES)}")
    if qtype in ("single", "multiple"):
        allowed = {"id", "type", "question", "choices"}
        choices = q.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            _fail(source, qid, "needs a list 'choices' with at least 2 entries")
        for n, c in enumerate(choices, start=1):
            if not isinstance(c, dict):
                _fail(source, qid, f"choice {n} must be a mapping with text, correct, feedback")
            _need_text(source, qid, c, "text", f"choice {n}")
            _need_text(source, qid, c, "feedback", f"choice {n}")
            if not isinstance(c.get("correct"), bool):
                _fail(source, qid, f"choice {n} needs 'correct: true' or 'correct: false'")
            extra = set(c) - {"text", "correct", "feedback"}
            if extra:
                _fail(source, qid, f"choice {n} has unknown keys {sorted(extra)}")
        n_correct = sum(c["correct"] for c in choices)
        if n_correct == 0:
            _fail(source, qid, "has no correct answer")
        if qtype == "single" and n_correct != 1:
            _fail(source, qid, f"type single needs exactly one correct choice, has {n_correct}")
    else:
        allowed = {"id", "type", "question", "answer", "tolerance", "feedback", "wrong", "default_feedback"}
        _need_number(source, qid, q, "answer", "a numeric question")
        tol = q.get("tolerance", 0)
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol >= 0:
            _fail(source, qid, f"'tolerance' must be a number >= 0, got {tol!r}")
        _need_text(source, qid, q, "feedback", "a numeric question (feedback for the right answer)")
        _need_text(source, qid, q, "default_feedback", "a numeric question (feedback for other answers)")
        wrong = q.get("wrong", [])
        if not isinstance(wrong, list):
            _fail(source, qid, "'wrong' must be a list of {value, feedback}")
        for n, w in enumerate(wrong, start=1):
            _need_number(source, qid, w, "value", f"wrong answer {n}")
            _need_text(source, qid, w, "feedback", f"wrong answer {n}")
    extra = set(q) - allowed
    if extra:
        _fail(source, qid, f"unknown keys {sorted(extra)}")
    return q


def validate_bank(bank, source="<quiz>"):
    """Check a whole quiz bank ({title, questions}); raise QuizError naming the file and question."""
    if not isinstance(bank, dict):
        _fail(source, None, "the file must hold a mapping with 'title' and 'questions'")
    _need_text(source, None, bank, "title", "the quiz")
    questions = bank.get("questions")
    if not isinstance(questions, list) or not questions:
        _fail(source, None, "needs a non-empty list 'questions'")
    seen = set()
    for q in questions:
        validate_question(q, source)
        if q["id"] in seen:
            _fail(source, q["id"], "the id is used twice in this file")
        seen.add(q["id"])
    extra = set(bank) - {"title", "questions"}
    if extra:
        _fail(source, None, f"unknown top-level keys {sorted(extra)}")
    return bank


def load_bank(chapter):
    """Load and validate the quiz bank of a chapter (e.g. '01_vanishing_gradients') or a .yml path."""
    if isinstance(chapter, Path) or str(chapter).endswith((".yml", ".yaml")):
        path = Path(chapter)
        if not path.is_file():
            raise FileNotFoundError(f"no quiz file at {path}")
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        if not isinstance(chapter, str) or not chapter:
            raise TypeError(f"chapter must be a chapter name like '01_vanishing_gradients', got {chapter!r}")
        res = resources.files("lstm_course.quizbank").joinpath(f"{chapter}.yml")
        if not res.is_file():
            known = sorted(p.name[:-4] for p in resources.files("lstm_course.quizbank").iterdir()
                           if p.name.endswith(".yml"))
            raise FileNotFoundError(f"no quiz bank for chapter {chapter!r}; known: {', '.join(known)}")
        text, source = res.read_text(encoding="utf-8"), f"quizzes/{chapter}.yml"
    try:
        bank = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise QuizError(f"{source}: not valid YAML: {err}") from None
    return validate_bank(bank, source)


def _attr(text):
    return html.escape(str(text), quote=True)


def _question_html(q, number, page_key):
    name = f"lq-{page_key}-{number}"
    parts = [f'<fieldset class="lq-q" data-type="{q["type"]}">',
             f'<legend><span class="lq-num">Question {number}.</span> {_attr(q["question"])}</legend>']
    if q["type"] in ("single", "multiple"):
        kind = "radio" if q["type"] == "single" else "checkbox"
        if kind == "checkbox":
            parts.append('<p class="lq-hint">Select all that apply, then press “Check”.</p>')
        for n, c in enumerate(q["choices"]):
            parts.append(
                f'<div class="lq-choice"><label><input type="{kind}" name="{name}" value="{n}" '
                f'data-correct="{int(c["correct"])}" data-feedback="{_attr(c["feedback"])}"> '
                f'<span>{_attr(c["text"])}</span></label><div class="lq-choice-fb" aria-live="polite"></div></div>')
        if kind == "checkbox":
            parts.append('<button type="button" class="lq-check">Check</button>')
    else:
        wrong = "|".join(f'{w["value"]!r}' for w in q.get("wrong", []))
        parts.append(
            f'<label>Your answer: <input type="text" inputmode="decimal" class="lq-number" name="{name}" '
            f'data-answer="{q["answer"]!r}" data-tolerance="{q.get("tolerance", 0)!r}" '
            f'data-feedback="{_attr(q["feedback"])}" data-default="{_attr(q["default_feedback"])}" '
            f'data-wrong="{_attr(wrong)}"></label> <button type="button" class="lq-check">Check</button>')
        for n, w in enumerate(q.get("wrong", [])):
            parts.append(f'<span hidden class="lq-wrong-fb" data-index="{n}" data-feedback="{_attr(w["feedback"])}"></span>')
    parts.append('<p class="lq-feedback" role="status" aria-live="polite"></p></fieldset>')
    return "\n".join(parts)


_CSS = """
.lq-quiz{border:1px solid rgba(127,127,127,.5);border-radius:8px;padding:.6em 1em;margin:1em 0}
.lq-quiz .lq-title{font-size:1.15em;font-weight:700;margin:.2em 0 .6em}
.lq-q{border:none;margin:0 0 1em;padding:0}
.lq-q legend{font-size:1em;font-weight:600;line-height:1.4;margin-bottom:.4em;float:none;width:auto}
.lq-choice label{display:block;padding:.25em .4em;border-radius:4px;cursor:pointer}
.lq-choice input{margin-right:.5em}
.lq-choice-fb{margin:0 0 .3em 2em;font-size:.95em}
.lq-right{border-left:4px solid #009E73;padding-left:.5em}
.lq-wrong{border-left:4px solid #D55E00;padding-left:.5em}
.lq-check{margin-top:.4em;padding:.2em .9em;border:1px solid currentColor;border-radius:4px;background:transparent;color:inherit;cursor:pointer}
.lq-check:focus-visible,.lq-choice input:focus-visible,.lq-number:focus-visible{outline:3px solid #0072B2;outline-offset:2px}
.lq-number{width:8em;padding:.15em .3em}
.lq-hint{margin:.2em 0 .4em;font-style:italic}
"""

# Attaches behaviour to every not-yet-wired quiz on the page. It only ever writes text with
# textContent, so question and feedback text can never run as HTML or script.
_JS = r"""
(function () {
  function say(el, ok, text) {
    el.textContent = (ok ? "\u2713 Correct. " : "\u2717 Not quite. ") + text;
    el.className = el.className.replace(/ ?lq-(right|wrong)/g, "") + (ok ? " lq-right" : " lq-wrong");
  }
  function clear(el) { el.textContent = ""; el.className = el.className.replace(/ ?lq-(right|wrong)/g, ""); }
  function wireSingle(q) {
    var fb = q.querySelector(".lq-feedback");
    q.querySelectorAll("input").forEach(function (inp) {
      inp.addEventListener("change", function () {
        say(fb, inp.getAttribute("data-correct") === "1", inp.getAttribute("data-feedback"));
      });
    });
  }
  function wireMultiple(q) {
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
    });
  }
  function wireNumeric(q) {
    var inp = q.querySelector(".lq-number"), fb = q.querySelector(".lq-feedback");
    function check() {
      var raw = inp.value.trim().replace(/_/g, "").replace(/,/g, "");
      var x = Number(raw);
      if (raw === "" || !isFinite(x)) { say(fb, false, "Please type a number, e.g. 42 or 0.5."); return; }
      var ans = Number(inp.getAttribute("data-answer")), tol = Number(inp.getAttribute("data-tolerance"));
      if (Math.abs(x - ans) <= tol + 1e-12 * Math.abs(ans)) { say(fb, true, inp.getAttribute("data-feedback")); return; }
      var wrong = inp.getAttribute("data-wrong"), list = wrong ? wrong.split("|") : [];
      for (var i = 0; i < list.length; i++) {
        if (Math.abs(x - Number(list[i])) <= tol + 1e-12 * Math.abs(ans)) {
          say(fb, false, q.querySelector('.lq-wrong-fb[data-index="' + i + '"]').getAttribute("data-feedback"));
          return;
        }
      }
      say(fb, false, inp.getAttribute("data-default"));
    }
    q.querySelector(".lq-check").addEventListener("click", check);
    inp.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); check(); } });
  }
  document.querySelectorAll(".lq-quiz:not([data-lq-ready])").forEach(function (quiz) {
    quiz.setAttribute("data-lq-ready", "1");
    quiz.querySelectorAll(".lq-q").forEach(function (q) {
      var t = q.getAttribute("data-type");
      if (t === "single") { wireSingle(q); } else if (t === "multiple") { wireMultiple(q); } else { wireNumeric(q); }
    });
  });
})();
"""


def quiz_html(bank, ids=None, title=None, source="<quiz>"):
    """Render questions of a validated bank (all, or those named in ids, in that order) as self-contained HTML."""
    validate_bank(bank, source)
    by_id = {q["id"]: q for q in bank["questions"]}
    if ids is None:
        ids = list(by_id)
    if isinstance(ids, str) or not ids:
        raise TypeError("ids must be a non-empty list of question ids")
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise KeyError(f"{source}: no question with id {missing}; available: {', '.join(by_id)}")
    page_key = hashlib.sha1(f"{source}|{'|'.join(ids)}".encode()).hexdigest()[:8]
    heading = title if title is not None else bank["title"]
    body = "\n".join(_question_html(by_id[i], n, page_key) for n, i in enumerate(ids, start=1))
    return (f'<style>{_CSS}</style><div class="lq-quiz" data-quiz="{_attr(source)}">'
            f'<p class="lq-title">{_attr(heading)}</p>\n{body}\n<script>{_JS}</script></div>')


def show_quiz(chapter, *ids, title=None):
    """Display a chapter's quiz questions (all, or the given ids) in Jupyter, Colab or the built site."""
    from IPython.display import HTML, display

    bank = load_bank(chapter)
    source = f"quizzes/{chapter}.yml"
    display(HTML(quiz_html(bank, list(ids) if ids else None,
                           title=title if title is not None else ("Check your understanding" if ids else None),
                           source=source)))
