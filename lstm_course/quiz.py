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
    parts = [f'<fieldset class="lq-q" data-type="{q["type"]}" data-qid="{_attr(q["id"])}">',
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


def _asset(name):
    """A file shipped beside this module (the quiz's styles and script)."""
    return resources.files("lstm_course").joinpath(name).read_text(encoding="utf-8")


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
    return (f'<style>{_asset("quiz.css")}</style><div class="lq-quiz" data-quiz="{_attr(source)}">'
            f'<p class="lq-title">{_attr(heading)}</p>\n{body}\n<script>{_asset("quiz.js")}</script></div>')


def show_quiz(chapter, *ids, title=None):
    """Display a chapter's quiz questions (all, or the given ids) in Jupyter, Colab or the built site."""
    from IPython.display import HTML, display

    bank = load_bank(chapter)
    source = f"quizzes/{chapter}.yml"
    display(HTML(quiz_html(bank, list(ids) if ids else None,
                           title=title if title is not None else ("Check your understanding" if ids else None),
                           source=source)))
