"""The files `make chapter` writes: a chapter, its exercise notebook and its quiz bank in the course's shape."""

import json

import nbformat


def _notebook(cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for n, cell in enumerate(nb.cells):            # stable ids: the scaffold writes the same file every time
        cell["id"] = f"cell-{n:02d}"
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _md(text):
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def _code(text, *tags):
    return nbformat.v4.new_code_cell(text.strip("\n"), metadata={"tags": list(tags)} if tags else {})


def _words(chapter):
    return chapter.topic.replace("_", " ")


def chapter_notebook(chapter, install):
    """A chapter that runs: title, what you will learn, the big idea, one measured section, checks, links."""
    n, name, words = chapter.number, chapter.name, _words(chapter)
    label, quiz = chapter.topic.replace("_", "-"), "quiz-" + name.replace("_", "-")
    return _notebook([
        _md(f"""
(ch-{label})=
# {n}. {words.capitalize()}

**The big idea.** (The chapter's one idea in two sentences, and the picture below that shows it.)

**What you will learn**

- (one line per objective: what the reader can do after this chapter)
"""),
        _code(install, "remove-cell"),
        _code("""
import matplotlib.pyplot as plt
import torch

from lstm_course.claims import claim
from lstm_course.plots import show_figure, use_course_style
from lstm_course.quiz import show_quiz
from lstm_course.repro import course_seeds, seed_everything

SEED = seed_everything()  # from COURSE_SEED (default 0)
use_course_style()
"""),
        _md("""
(The key picture, before the first long code cell: a diagram with `show_diagram(name, alt=...)`
from `lstm_course/*.svg`, or a figure with `show_figure(fig, alt=...)`, in a cell tagged
`hide-input`.)
"""),
        _md("""
## A first measurement

(One idea a cell. Measure every comparison over the seeds of `course_seeds(3)` and show the spread.)
"""),
        _code("""
seeds = course_seeds(3)
values = []
for s in seeds:
    draws = torch.randn(1000, generator=torch.Generator().manual_seed(s))
    values.append(draws.std().item())
print(f"std over seeds {seeds}: {min(values):.3f} to {max(values):.3f}")
"""),
        _code("""
fig, ax = plt.subplots()
ax.bar([str(s) for s in seeds], values)
ax.set_title("Standard deviation of 1,000 normal draws, one bar per seed")
ax.set_xlabel("seed")
ax.set_ylabel("standard deviation")
show_figure(
    fig,
    alt=f"Bar chart: the standard deviation of 1,000 normal draws is "
    f"{min(values):.3f} to {max(values):.3f} over seeds {seeds}.",
)
""", "hide-input"),
        _code(f"""
show_quiz("{name}", "q1")
"""),
        _md("""
## Summary

- (what the reader should keep, each point backed by a measurement above)
"""),
        _md("""
## Checks

Every claim the text makes, asserted on this run's numbers (`make robustness` reruns them under other seeds).
"""),
        _code("""
near_one = all(0.9 < v < 1.1 for v in values)
claim("the std of 1,000 normal draws is near 1", values, near_one)
claim("every seed gave a positive std", values, min(values) > 0)
claim("three seeds were measured", [len(values)], len(values) == 3)
print("all checks passed")
"""),
        _md(f"""
## Practise

- [Exercises {n}](../exercises/{name}.ipynb): an experiment, a bug to fix and written tasks, with checks
  that tell you what is wrong and hidden solutions.
- {{ref}}`Quiz {n} <{quiz}>`: every question of this chapter, at the end of the exercises.
- [Glossary](glossary.md): the terms the chapters use, defined in a few lines each.
"""),
    ])


def exercise_notebook(chapter, install):
    """An exercise notebook's frame: tasks to write (an experiment, a debugging task, a written one), the quiz."""
    n, name, words = chapter.number, chapter.name, _words(chapter)
    label = name.replace("_", "-")
    return _notebook([
        _md(f"""
(ex-{label})=
# Exercises {n}: {words}

Tasks for [chapter {n}](../chapters/{name}.ipynb). Run a task's cell to have your answer checked.
"""),
        _code(install, "remove-cell"),
        _md("""
## Task 1 (experiment): (a small experiment whose outcome the checker verifies)
"""),
        _md("""
## Task 2 (debugging): (a broken function to fix)
"""),
        _md("""
## Task 3 (harder): (a question to answer in words; written)

<details><summary>Model answer</summary>

(the model answer)

</details>
"""),
        _md(f"""
(quiz-{label})=
## Quiz

Every question from [chapter {n}](../chapters/{name}.ipynb) in one place. Choose an answer to see why it is
right or wrong; Tab and the arrow keys work too. Nothing is sent anywhere and no kernel is needed.
"""),
        _code(f"""
from lstm_course.quiz import show_quiz

show_quiz("{name}")
""", "remove-input"),
    ])


def bank_yaml(chapter):
    """A quiz bank with one placeholder question, to be replaced by at least five real ones."""
    return f"""\
# Quiz bank of chapter {chapter.number}: at least 5 questions, each choice with feedback (see README.md,
# "Adding a chapter"). Replace the placeholder below.
title: "Chapter {chapter.number} quiz: {_words(chapter)}"
questions:
  - id: q1
    type: single
    question: "(placeholder) Which choice is right?"
    choices:
      - text: "the first choice"
        correct: true
        feedback: "(why it is right)"
      - text: "the second choice"
        correct: false
        feedback: "(the misconception behind it)"
      - text: "the third choice"
        correct: false
        feedback: "(the misconception behind it)"
      - text: "the fourth choice"
        correct: false
        feedback: "(the misconception behind it)"
"""
