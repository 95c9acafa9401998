"""The quiz bank and renderer: schema checks with clear messages, answer keys, escaping."""

import copy
import re

import pytest
import yaml

from conftest import REGISTERED, ROOT
from lstm_course.quiz import QuizError, load_bank, quiz_html, validate_bank

BANKS = [c.bank for c in REGISTERED]

GOOD = {
    "title": "t",
    "questions": [
        {"id": "a", "type": "single", "question": "Q?", "choices": [
            {"text": "yes", "correct": True, "feedback": "right"},
            {"text": "no", "correct": False, "feedback": "wrong"}]},
        {"id": "b", "type": "multiple", "question": "Q2?", "choices": [
            {"text": "x", "correct": True, "feedback": "fx"},
            {"text": "y", "correct": True, "feedback": "fy"},
            {"text": "z", "correct": False, "feedback": "fz"}]},
        {"id": "c", "type": "numeric", "question": "How many?", "answer": 256, "feedback": "yes",
         "default_feedback": "no", "wrong": [{"value": 128, "feedback": "one direction only"}]},
    ],
}


def test_every_bank_belongs_to_a_registered_chapter():
    assert BANKS, "no chapters registered in _toc.yml"
    assert sorted((ROOT / "quizzes").glob("*.yml")) == sorted(BANKS), "a bank without a chapter (tools/registry.py)"


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.name)
def test_bank_is_valid_and_answer_keys_are_consistent(path):
    bank = load_bank(path)
    assert len(bank["questions"]) >= 5, f"{path.name}: at least 5 questions per chapter"
    for q in bank["questions"]:
        if q["type"] == "single":
            assert sum(c["correct"] for c in q["choices"]) == 1
        if q["type"] == "numeric":
            tol = q.get("tolerance", 0)
            assert all(abs(w["value"] - q["answer"]) > tol for w in q.get("wrong", [])), \
                f"{q['id']}: a listed wrong value would be accepted as right"
        texts = [c["text"] for c in q.get("choices", [])]
        assert len(texts) == len(set(texts)), f"{q['id']}: duplicate choice text"


def test_good_bank_passes():
    assert validate_bank(copy.deepcopy(GOOD), "good.yml")["title"] == "t"


def _broken(mutate):
    bank = copy.deepcopy(GOOD)
    mutate(bank)
    return bank


@pytest.mark.parametrize("mutate, message", [
    (lambda b: [c.update(correct=False) for c in b["questions"][0]["choices"]], "question 'a': has no correct answer"),
    (lambda b: b["questions"][0]["choices"][1].update(correct=True), "question 'a': type single needs exactly one"),
    (lambda b: b["questions"][0]["choices"][1].pop("feedback"), "question 'a': choice 2 needs a non-empty text 'feedback'"),
    (lambda b: b["questions"][1].update(type="essay"), "question 'b': unknown type 'essay'"),
    (lambda b: b["questions"][2].pop("default_feedback"), "question 'c': a numeric question"),
    (lambda b: b["questions"][2].update(answer="many"), "question 'c': a numeric question needs a finite number"),
    (lambda b: b["questions"][2]["wrong"][0].pop("feedback"), "question 'c': wrong answer 1 needs"),
    (lambda b: b["questions"][1].update(id="a"), "question 'a': the id is used twice"),
    (lambda b: b["questions"][0].pop("id"), "a question has no 'id'"),
    (lambda b: b["questions"][0].update(hint="x"), "question 'a': unknown keys ['hint']"),
    (lambda b: b.update(questions=[]), "needs a non-empty list 'questions'"),
    (lambda b: b["questions"][0]["choices"].pop(), "question 'a': needs a list 'choices' with at least 2"),
])
def test_malformed_bank_is_rejected_naming_file_and_question(mutate, message):
    with pytest.raises(QuizError) as err:
        validate_bank(_broken(mutate), "quizzes/99_example.yml")
    assert str(err.value).startswith("quizzes/99_example.yml"), str(err.value)
    assert message in str(err.value), str(err.value)


def test_malformed_file_names_the_file(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(_broken(lambda b: b["questions"][1].update(type="essay"))))
    with pytest.raises(QuizError, match=r"bad\.yml: question 'b': unknown type"):
        load_bank(path)
    path.write_text("title: [unclosed")
    with pytest.raises(QuizError, match=r"bad\.yml: not valid YAML"):
        load_bank(path)


def test_unknown_chapter_and_ids_are_clear_errors():
    with pytest.raises(FileNotFoundError, match="no quiz bank for chapter '99_nope'; known: 01_"):
        load_bank("99_nope")
    with pytest.raises(KeyError, match=r"no question with id \['zzz'\]"):
        quiz_html(copy.deepcopy(GOOD), ["zzz"])
    with pytest.raises(TypeError):
        quiz_html(copy.deepcopy(GOOD), "a")


def test_text_is_escaped_never_markup():
    bank = copy.deepcopy(GOOD)
    bank["questions"][0]["question"] = "<script>alert(1)</script>"
    bank["questions"][0]["choices"][0]["text"] = '<img src=x onerror="alert(2)">'
    bank["questions"][0]["choices"][0]["feedback"] = '"><b>bold</b>'
    out = quiz_html(bank)
    assert "<script>alert(1)" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<img src=x" not in out and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in out
    assert "<b>bold</b>" not in out
    # the only scripts are the renderer's own
    assert len(re.findall(r"<script", out)) == 1


def test_rendering_marks_each_choice_and_numeric_answer():
    out = quiz_html(copy.deepcopy(GOOD))
    assert out.count('type="radio"') == 2 and out.count('type="checkbox"') == 3
    assert 'data-correct="1" data-feedback="right"' in out
    assert 'data-answer="256"' in out and 'data-wrong="128"' in out


# Single-answer choices must not give the answer away (issue 30): a test-wise learner who picks the
# longest or the most carefully qualified choice, or avoids absolutes, should do no better than chance.
GIVEAWAY_WORDS = ("always", "never", "nothing", "impossible", "guaranteed", "entirely", "completely")
_GIVEAWAY = re.compile(r"\b(?:" + "|".join(GIVEAWAY_WORDS) + r")\b", re.IGNORECASE)
MAX_LONGEST_SHARE = 0.30      # share of single-answer questions whose correct choice is the longest
MAX_SHORTEST_SHARE = 0.40     # and whose correct choice is the shortest (the over-correction)
MAX_LENGTH_RATIO = 1.5        # correct choice against the mean length of the others


def answer_cue_figures(banks):
    """Figures over the single-answer questions of (name, bank) pairs; every entry names 'bank:id'."""
    figures = {"single": 0, "longest": [], "shortest": [], "too_long": [], "few_choices": [], "giveaway": []}
    for name, bank in banks:
        for q in bank["questions"]:
            if q["type"] != "single":
                continue
            where = f"{name}:{q['id']}"
            figures["single"] += 1
            lengths = [len(c["text"]) for c in q["choices"]]
            right = next(i for i, c in enumerate(q["choices"]) if c["correct"])
            others = [n for i, n in enumerate(lengths) if i != right]
            if len(q["choices"]) < 4:
                figures["few_choices"].append(f"{where} has {len(q['choices'])} choices")
            if lengths[right] >= max(others):
                figures["longest"].append(where)
            if lengths[right] <= min(others):
                figures["shortest"].append(where)
            ratio = lengths[right] / (sum(others) / len(others))
            if ratio > MAX_LENGTH_RATIO:
                figures["too_long"].append(f"{where} ({ratio:.2f}x)")
            for n, c in enumerate(q["choices"], start=1):
                for word in _GIVEAWAY.findall(c["text"]):
                    figures["giveaway"].append(f"{where} choice {n} says {word!r}: {c['text'][:60]!r}")
    return figures


def test_single_answer_choices_do_not_give_the_answer_away():
    figures = answer_cue_figures((path.stem, load_bank(path)) for path in BANKS)
    single = figures["single"]
    assert single >= 20, f"only {single} single-answer questions found"
    assert not figures["few_choices"], f"give every single-answer question at least 4 choices: {figures['few_choices']}"
    share = len(figures["longest"]) / single
    assert share <= MAX_LONGEST_SHARE, (
        f"the correct choice is the longest in {len(figures['longest'])} of {single} single-answer questions "
        f"({share:.0%} > {MAX_LONGEST_SHARE:.0%}); make wrong choices as specific as the right one: {figures['longest']}")
    share = len(figures["shortest"]) / single
    assert share <= MAX_SHORTEST_SHARE, (
        f"the correct choice is the shortest in {len(figures['shortest'])} of {single} single-answer questions "
        f"({share:.0%} > {MAX_SHORTEST_SHARE:.0%}), the opposite cue: {figures['shortest']}")
    assert not figures["too_long"], (
        f"correct choice longer than {MAX_LENGTH_RATIO}x the mean of the other choices: {figures['too_long']}")
    assert not figures["giveaway"], f"give-away words in single-answer choices: {figures['giveaway']}"


def _single(qid, right, *wrong):
    choices = [{"text": right, "correct": True, "feedback": "right"}]
    choices += [{"text": text, "correct": False, "feedback": "wrong"} for text in wrong]
    return {"id": qid, "type": "single", "question": "Q?", "choices": choices}


@pytest.mark.parametrize("question, flagged", [
    (_single("balanced", "The forget gate scales c.", "The input gate scales h.", "The output gate scales c.",
             "The candidate scales the gates."), set()),
    (_single("long-right", "The forget gate scales the old cell state, unit by unit, before the write.",
             "The input gate.", "The output gate.", "The candidate."), {"longest", "too_long"}),
    (_single("a-bit-longer", "The forget gate scales the old cell state.", "The input gate scales the new one.",
             "The output gate scales the cell state.", "The candidate scales the cell state."), {"longest"}),
    (_single("short-right", "f_t.", "The input gate scales the new one.", "The output gate scales the state.",
             "The candidate scales the cell state."), {"shortest"}),
    (_single("three", "The forget gate scales c.", "The input gate scales h.", "The candidate scales the gates."),
     {"few_choices"}),
    (_single("absolute", "The forget gate scales c.", "It never changes c at all.", "The output gate, h.",
             "Nevertheless, forever scales."), {"giveaway"}),
], ids=lambda v: v["id"] if isinstance(v, dict) else "+".join(sorted(v)) or "clean")
def test_answer_cue_figures_catch_a_crafted_bank(question, flagged):
    bank = validate_bank({"title": "t", "questions": [question]}, "crafted.yml")
    figures = answer_cue_figures([("99_crafted", bank)])
    found = {key for key, value in figures.items() if key != "single" and value}
    assert found == flagged, figures
    for key in flagged:
        assert all(entry.startswith(f"99_crafted:{question['id']}") for entry in figures[key]), figures[key]
    if "giveaway" in flagged:       # whole words only: "Nevertheless" and "forever" do not count
        assert len(figures["giveaway"]) == 1 and "'never'" in figures["giveaway"][0], figures["giveaway"]
