"""Every public function of the helper package, and the bad inputs tried on it: each gets a clear
error of the right type whose message says what was wrong."""

import importlib
import inspect
import pkgutil
import types
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from torch import nn  # noqa: E402

from conftest import ROOT  # noqa: E402  (conftest puts tools/ on the path)
from lstm_course import checks, claims, corpus, data, diagrams, ngram, notebooks, plots, quiz, repro  # noqa: E402
from lstm_course.checks import feedback  # noqa: E402
import bench, bench_report, execute, registry, sphinxext  # noqa: E402,E401  (tools/: make bench, notebook runner, registry, build fixes)

# lstm_course.checks is a package: its functions are defined in one module per chapter, plus feedback.py
CHECK_MODULES = tuple(importlib.import_module(f"{checks.__name__}.{module.name}")
                      for module in pkgutil.iter_modules(checks.__path__))
MODULES = (checks, *CHECK_MODULES, claims, corpus, data, diagrams, ngram, notebooks, plots, quiz, repro,
           bench, bench_report, execute, registry, sphinxext)

GOOD_Q = {"id": "q", "type": "single", "question": "Q?", "choices": [
    {"text": "a", "correct": True, "feedback": "f"}, {"text": "b", "correct": False, "feedback": "g"}]}


def _unlabelled_figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    return fig


# (function, args, kwargs, exception, message fragment)
CASES = [
    (diagrams.diagram_svg, ("no_such_diagram",), {}, ValueError, "unknown diagram"),
    (diagrams.diagram_html, ("lstm_cell", "short"), {}, ValueError, "alt text"),
    (diagrams.show_diagram, (3, "a description of the diagram"), {}, ValueError, "unknown diagram 3"),
    (notebooks.course_notebooks, ("no/such/folder",), {}, NotADirectoryError, "course's repository root"),
    (notebooks.cell_source, (["print(1)"],), {}, TypeError, "cell is a dict, got list"),
    (notebooks.load_definitions, ("chapters/03_gates.ipynb", "lstm_cell_step", {}), {}, TypeError, "list of function, class or constant names"),
    (notebooks.load_definitions, ("chapters/03_gates.ipynb", ["no_such_function"], {}), {}, ValueError, "no top-level definition"),
    (bench.time_notebooks, (["no/such/notebook.ipynb"],), {}, FileNotFoundError, "no/such/notebook.ipynb"),
    (bench.over_budget, ([], -5), {}, ValueError, "positive number of seconds"),
    (bench.charlm_vs_ngram, ([0],), {}, ValueError, "budgets must be positive"),
    (bench.charlm_vs_ngram, ([],), {}, ValueError, "budgets must be positive"),
    (bench.charlm_vs_ngram, ({"large": [30]},), {}, ValueError, "budgets must name some of the settings"),
    (bench.recall_vs_delay, ([0], 1.0), {}, ValueError, "delays must be ints >= 1"),
    (bench.recall_vs_delay, ([5], 0), {}, ValueError, "positive time budget"),
    (bench.recall_vs_delay, ([5], 1.0), {"models": ["Transformer"]}, ValueError, "unknown recall models"),
    (bench.scratch_vs_nn_lstm, ([0],), {}, ValueError, "sizes must be hidden sizes"),
    (bench.longest_delay, ([100, 25], 1.0), {}, ValueError, "delays must be increasing ints >= 2"),
    (bench.longest_delay, ([25], -1), {}, ValueError, "positive time budget"),
    (bench.longest_delay, ([25], 1.0), {"models": ["LSTM, forget bias 9"]}, ValueError, "unknown recall models"),
    (bench.longest_review, ([50, 25],), {}, ValueError, "lengths must be increasing ints >= 2"),
    (bench.longest_review, ([25],), {"models": ["GRU, chrono"]}, ValueError, "unknown review models"),
    (bench.review_models, ("chapters/03_gates.ipynb",), {}, ValueError, "no top-level definition"),
    (bench.human_numbers_seeds, ((),), {}, ValueError, "seeds must be distinct ints >= 0"),
    (bench.human_numbers_seeds, ((1, 1),), {}, ValueError, "seeds must be distinct ints >= 0"),
    (bench.human_numbers_seeds, ((0,),), {"epochs": 0}, ValueError, "epochs must be an int >= 1"),
    (bench.human_numbers_seeds, ((0,),), {"rungs": ["GRU"]}, ValueError, "unknown rung 'GRU'"),
    (bench.human_numbers_seeds, ((0,),), {"rungs": []}, ValueError, "rungs must name at least one"),
    (bench.human_numbers_seeds, ((0,),), {"rungs": "plain RNN"}, TypeError, "rungs must be a list"),
    (bench.marked_recall_sweep, (), {"steps": 5}, ValueError, "steps must be an int >= 20"),
    (bench.marked_recall_sweep, (), {"length": 8}, ValueError, "length must be an int > 10"),
    (bench.marked_recall_sweep, (), {"models": ["Transformer"]}, ValueError, "unknown sweep models"),
    (bench.marked_recall_reliability, ({},), {}, ValueError, "winners must name at least one model"),
    (bench.marked_recall_reliability, ({"LSTM": ("chrono", 0.01)},), {"lengths": [5]}, ValueError, "lengths must be ints > 10"),
    (bench.sweep_winners, ([],), {}, ValueError, "no sweep rows"),
    (bench_report.sweep_rank, ([],), {}, ValueError, "non-empty list of one set-up's sweep rows"),
    (claims.describe, ({"": []},), {}, ValueError, "no numbers in group"),
    (notebooks.load_definitions, ("chapters/04_nn_lstm.ipynb", ["NO_SUCH_CONSTANT"], {}), {}, ValueError, "no top-level definition"),
    (bench.merge_previous, ({"machine": {}}, "no/such/results.json"), {}, ValueError, "run the whole benchmark once"),
    (bench_report.check_results, ([],), {}, TypeError, "must be a dict"),
    (execute.run_notebook, ("no_such_chapter.ipynb",), {}, FileNotFoundError, "no such notebook"),
    (execute.execute_alone, ("no_such_chapter.ipynb", "unused", "unused.whl"), {}, FileNotFoundError, "no such notebook"),
    (execute.execute_all, ("chapters/01_vanishing_gradients.ipynb", "unused", "unused.whl"), {}, TypeError, "list of notebook paths"),
    (execute.execute_all, ([], "unused", "unused.whl"), {"jobs": 0}, ValueError, "jobs must be a whole number >= 1"),
    (execute.execute_all, ([], "unused", "unused.whl"), {"again": ["chapters/01_vanishing_gradients.ipynb"]}, ValueError,
     "again must name notebooks among paths"),
    (execute.first_error, ({"cells": []},), {}, TypeError, "expected an executed notebook"),
    (execute.fill_cache, ([],), {}, TypeError, "the dict execute_all returns"),
    (execute.helper_key, ("no/such/folder",), {}, NotADirectoryError, "course's repository root"),
    (execute.expected_seconds, (ROOT / "_toc.yml",), {}, ValueError, "notebook path: seconds"),
    (execute.record_seconds, ({"chapters/01_a.ipynb": "slow"}, ROOT / "no" / "such.json"), {}, ValueError, "could not convert"),
    (execute.longest_first, ("chapters/01_a.ipynb",), {}, TypeError, "list of notebook paths"),
    (registry.chapters, ("no/such/folder",), {}, registry.RegistryError, "expected the course's repository root"),
    (registry.notebooks, ("no/such/folder",), {}, registry.RegistryError, "expected the course's repository root"),
    (registry.readme_table, ("no/such/folder",), {}, registry.RegistryError, "expected the course's repository root"),
    (registry.stale_readme, ("no/such/folder",), {}, FileNotFoundError, "README.md"),
    (registry.write_readme, ("no/such/folder",), {}, FileNotFoundError, "README.md"),
    (registry.scaffold, ("10-forecasting",), {}, registry.RegistryError, "a chapter name is NN_topic"),
    (bench_report.render_page, ({"machine": {}},), {}, ValueError, "lack 'budget_s'"),
    (bench_report.write_figures, ({}, "."), {}, ValueError, "lack 'machine'"),
    (bench_report.write_report, ({"machine": {}, "budget_s": 60},), {"out": "unused"}, ValueError, "lack 'scratch'"),
    (bench_report.write_csv, ([], "unused.csv"), {}, ValueError, "nothing to write"),
    (repro.seed_everything, (-1,), {}, ValueError, "seed must be in"),
    (repro.seed_everything, ("7",), {}, TypeError, "seed must be an int"),
    (repro.seed_everything, (2.5,), {}, TypeError, "seed must be an int"),
    (repro.course_seeds, (0,), {}, ValueError, "n must be an int >= 1"),
    (repro.course_seeds, ("3",), {}, ValueError, "n must be an int >= 1"),
    (plots.check_figure, (None,), {}, TypeError, "expected a matplotlib Figure"),
    (plots.check_figure, (_unlabelled_figure(),), {}, ValueError, "has no title"),
    (plots.figure_html, (_unlabelled_figure(), ""), {}, ValueError, "alt text"),
    (plots.figure_html, ("figure.png", "A description that is long enough"), {}, TypeError, "expected a matplotlib Figure"),
    (plots.show_figure, (_unlabelled_figure(), "A description that is long enough"), {}, ValueError, "has no title"),
    (plots.animation_html, (_unlabelled_figure(), "A description that is long enough"), {}, TypeError, "expected a matplotlib animation"),
    (plots.show_animation, (object(), "A description that is long enough"), {}, TypeError, "expected a matplotlib animation"),
    (plots.animation_html, (object(), None), {}, ValueError, "alt text"),
    (quiz.validate_question, ("not a dict",), {}, quiz.QuizError, "must be a mapping"),
    (quiz.validate_question, ({**GOOD_Q, "type": "essay"},), {}, quiz.QuizError, "unknown type 'essay'"),
    (quiz.validate_bank, ([],), {}, quiz.QuizError, "must hold a mapping"),
    (quiz.validate_bank, ({"title": "t", "questions": [GOOD_Q, GOOD_Q]},), {}, quiz.QuizError, "used twice"),
    (quiz.load_bank, ("99_no_such_chapter",), {}, FileNotFoundError, "no quiz bank for chapter"),
    (quiz.load_bank, ("/no/such/file.yml",), {}, FileNotFoundError, "no quiz file at"),
    (quiz.load_bank, (42,), {}, TypeError, "chapter must be a chapter name"),
    (quiz.quiz_html, ({"title": "t", "questions": [GOOD_Q]}, ["nope"]), {}, KeyError, "no question with id"),
    (quiz.quiz_html, ({"title": "t", "questions": [GOOD_Q]}, []), {}, TypeError, "non-empty list of question ids"),
    (quiz.show_quiz, ("01_vanishing_gradients", "no-such-question"), {}, KeyError, "no question with id"),
    (quiz.show_quiz, ("99_no_such_chapter",), {}, FileNotFoundError, "no quiz bank for chapter"),
    (notebooks.setup_cell_source, ("http://insecure.example",), {}, ValueError, "https URL"),
    (notebooks.setup_cell_source, (None,), {}, ValueError, "https URL"),
    (notebooks.first_code_cell, ({"cells": []},), {}, ValueError, "no code cell"),
    (notebooks.first_code_cell, ("notebook.ipynb",), {}, TypeError, "expected a notebook as a dict"),
    (notebooks.sync, (["/no/such.ipynb"], "https://example.org/x"), {}, FileNotFoundError, "such.ipynb"),
    (notebooks.sync, ([], "ftp://example.org/x"), {}, ValueError, "https URL"),
    (notebooks.repository_url, ("/no/such/_config.yml",), {}, FileNotFoundError, "_config.yml"),
    (data.synthetic_reviews, (10, -5), {}, ValueError, "length must be at least 1"),
    (data.synthetic_reviews, ("10", 5), {}, TypeError, "n must be an int"),
    (data.synthetic_reviews, (10, 10), {"min_length": 11}, ValueError, "must not exceed length"),
    (data.bank_sentences, (5, 3), {"lookahead": 3}, ValueError, "must exceed lookahead"),
    (data.bank_sentences, (True, 10), {}, TypeError, "n must be an int"),
    (data.noisy_waves, (4, 10), {"noise": -0.5}, ValueError, "noise must be a number >= 0"),
    (data.noisy_waves, (4, 1), {}, ValueError, "length must be at least 2"),
    (data.number_words, (0,), {}, ValueError, "n must be at least 1"),
    (data.number_words, (10_000,), {}, ValueError, "n must be at most 9999"),
    (data.number_words, (2.0,), {}, TypeError, "n must be an int"),
    (data.human_numbers, (), {"valid_fraction": 1.0}, ValueError, "strictly between 0 and 1"),
    (data.human_numbers, (1,), {}, ValueError, "last must be at least 2"),
    (data.human_numbers, (20_000,), {}, ValueError, "last must be at most 9999"),
    (data.held_out_numbers, (3,), {}, ValueError, "top must be at least 5"),
    (data.held_out_numbers, (20_000,), {}, ValueError, "top must be at most 9999"),
    (data.held_out_numbers, (), {"fraction": 0}, ValueError, "strictly between 0 and 1"),
    (data.number_lists, (5, [1, 2]), {"count": (3, 2)}, ValueError, "low <= high"),
    (data.number_lists, (5, [1, 2]), {"count": 0}, ValueError, "count must be at least 1"),
    (data.number_lists, (5, []), {}, ValueError, "non-empty list of whole numbers from 1 to 9999"),
    (data.number_lists, (5, [0, 12_000]), {}, ValueError, "non-empty list of whole numbers from 1 to 9999"),
    (data.number_lists, (5.0, [1, 2]), {}, TypeError, "n must be an int"),
    (data.delayed_recall, (4, 0), {}, ValueError, "delay must be at least 1"),
    (data.marked_recall, (4, 10), {"window": 10}, ValueError, "window must be shorter than length"),
    (data.marked_recall, (4, 1), {}, ValueError, "length must be at least 2"),
    (data.marked_recall, (4, 20), {"generator": 3}, TypeError, "generator must be a torch.Generator"),
    (data.marked_recall, (2.0, 20), {}, TypeError, "batch must be an int"),
    (data.delayed_recall, (4.5, 10), {}, TypeError, "batch must be an int"),
    (data.delayed_recall, (4, 10), {"generator": 7}, TypeError, "generator must be a torch.Generator"),
    (data.delayed_recall, (4, 10), {"noise": -0.1}, ValueError, "noise must be a number >= 0"),
    (feedback.checker, ("check_steps_below",), {}, TypeError, "@checker decorates a checker function, got str"),
    (claims.claim, ("", [1.0], True), {}, TypeError, "statement must be a non-empty sentence"),
    (claims.claim, ("it holds", [1.0], "yes"), {}, TypeError, "holds must be True or False"),
    (claims.claim, ("it holds", [], True), {}, ValueError, "values is empty"),
    (claims.claim, ("it holds", ["0.9"], True), {}, TypeError, "values must all be numbers"),
    (claims.claim, ("it holds", [1.0], True), {"isolates": ""}, TypeError, "isolates must be a short phrase"),
    (claims.measurements, ({},), {}, ValueError, "values is an empty dict"),
    (claims.measurements, ({1: [0.5]},), {}, TypeError, "labelled by non-empty strings"),
    (claims.spread, (None,), {}, TypeError, "values must be a number or a sequence"),
    (claims.headline, ("lstm mase", [0.5]), {}, ValueError, "name must be an identifier"),
    (claims.headline, ("lstm_mase", []), {}, ValueError, "values is empty"),
    (claims.headline, ("lstm_mase", [float("inf")]), {}, ValueError, "needs finite numbers"),
]

# Checkers answer a learner, so they never raise: bad input comes back as Feedback(ok=False, message).
CHECKER_CASES = [
    (checks.check_steps_below, ("66",), "must be a whole number"),
    (checks.check_steps_below, (None,), "no answer yet"),
    (checks.check_steps_below, (65.5,), "must be a whole number"),
    (checks.check_forget_bias_for, (0.95,), "expected a function"),
    (checks.check_set_forget_bias, ([],), "expected a function"),
    (checks.check_bidirectional_head, (lambda h, c: 256, lambda o, h: o[:, -1]), "return an nn.Linear"),
    (checks.check_bidirectional_head, (lambda h, c: nn.Linear(2 * h, c), lambda o, h: "both states"), "must return a tensor"),
]

# Bad inputs of the newer checkers live beside their typical wrong answers, one module per chapter: each
# tests/exercise_cases_<topic>.py may define BAD (checker, args, message fragment) in the same shape as CHECKER_CASES,
# collected here as test_exercises.py collects their WRONG and RIGHT.
CASE_MODULES = [importlib.import_module(p.stem) for p in sorted(Path(__file__).parent.glob("exercise_cases_*.py"))]
CHECKER_CASES += [case for module in CASE_MODULES for case in getattr(module, "BAD", [])]

EXEMPT = {
    "plots.use_course_style": "takes no arguments",
    "data.review_vocabulary": "takes no arguments",
    "sphinxext.setup": "called by Sphinx with its application object",
    "bench.machine": "takes no arguments",
    "bench.time_site_build": "takes no arguments",
    "bench.main": "argparse rejects bad options itself, with a usage message and exit status 2",
    "bench_report.review_learned": "takes no argument: it reads chapter 4's LEARNED",
    "registry.main": "argparse rejects bad options itself; a bad name gets scaffold's message",
    "execute.main": "argparse rejects bad options itself; a missing notebook gets 'no such notebook'",
    "execute.build_wheel": "takes a folder to write into (created if missing)",
    "execute.bare_environment": "takes a folder to create the environment in",
    "execute.clear_stale_cache": "takes the build folder (created if missing); a bad root is helper_key's case",
    "repro.course_seed": "takes no arguments; bad COURSE_SEED values are tested in test_plots_repro",
    "corpus.python_help_text": "takes no arguments; a damaged snapshot is tested in test_data",
}


@pytest.mark.parametrize("func, args, kwargs, error, message", CASES,
                         ids=[f"{c[0].__module__.split('.')[-1]}.{c[0].__name__}-{n}" for n, c in enumerate(CASES)])
def test_bad_input_gets_a_clear_error(func, args, kwargs, error, message):
    with pytest.raises(error) as err:
        func(*args, **kwargs)
    assert message in str(err.value), f"{func.__name__}: unclear message {err.value!r}"


@pytest.mark.parametrize("checker, args, message", CHECKER_CASES,
                         ids=[f"{c[0].__name__}-{n}" for n, c in enumerate(CHECKER_CASES)])
def test_checker_answers_bad_input_with_feedback(checker, args, message):
    verdict = checker(*args)
    assert isinstance(verdict, checks.Feedback) and not verdict.ok
    assert message in verdict.message, f"{checker.__name__}: unclear message {verdict.message!r}"


def test_repository_url_rejects_a_config_without_https_url(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: git@github.com:x/y.git\n")
    with pytest.raises(ValueError, match="repository.url must be an https URL"):
        notebooks.repository_url(config)


def test_every_public_function_is_tried_with_bad_input():
    tried = {f"{f.__module__.split('.')[-1]}.{f.__name__}" for f, *_ in CASES + CHECKER_CASES}
    public = set()
    for module in MODULES:
        for name, obj in vars(module).items():
            if isinstance(obj, types.FunctionType) and not name.startswith("_") and obj.__module__ == module.__name__:
                public.add(f"{module.__name__.split('.')[-1]}.{name}")
    missing = public - tried - set(EXEMPT)
    assert not missing, f"public functions without a bad-input case: {sorted(missing)}"
    assert all(inspect.getdoc(getattr(m, n.split('.')[1])) for m in MODULES
               for n in public if n.startswith(m.__name__.split('.')[-1] + "."))
