"""`make bench`: its appendix page is generated from its results, budgets name the slow notebook, and its
experiments run the chapters' own code (tried here with tiny budgets)."""

import ast
import json
from collections import Counter
from pathlib import Path

import pytest
import torch

from conftest import NOTEBOOKS, ROOT  # conftest puts tools/ on the path
import bench  # noqa: E402
from bench_report import PAGE, RESULTS, render_page, review_learned, write_report  # noqa: E402
from lstm_course.data import human_numbers
from lstm_course.notebooks import load_definitions
from lstm_course.repro import course_seeds

LEARNED = review_learned()       # chapter 4's bar for a learned review task
APPENDIX = ROOT / "appendix"


def test_committed_page_is_generated_from_committed_results():
    results = json.loads((APPENDIX / RESULTS).read_text(encoding="utf-8"))
    page = (APPENDIX / PAGE).read_text(encoding="utf-8")
    assert page == render_page(results) + "\n", "appendix/how_fast.md was edited by hand: rerun `make bench`"
    for key in ("cpu", "cores", "torch", "device"):
        assert str(results["machine"][key]) in page
    for figure in ("bench_charlm.png", "bench_recall.png"):
        assert (APPENDIX / figure).stat().st_size > 5000


def chapter_claims(path, namespace):
    """{statement: holds} for the claim(...) calls of a chapter's checks cell, run in namespace on other numbers
    (say, the appendix's). Top-level assignments run first; a claim that needs a name the namespace lacks (a
    measurement the appendix does not make) is skipped."""
    from lstm_course.notebooks import cell_source

    cells = [cell_source(c) for c in json.loads(Path(path).read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    checks = max(cells, key=lambda source: source.count("claim("))
    held = {}
    namespace = dict(namespace, claim=lambda statement, values, holds, **_: held.__setitem__(statement, bool(holds)))
    for node in ast.parse(checks).body:
        is_claim = isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "claim"
        if isinstance(node, ast.Assign) or is_claim:
            try:
                exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
            except NameError:
                continue
    return held


def test_chapter_claims_are_evaluated_on_other_numbers(tmp_path):
    cell = ('x = values * 2\nclaim("x is big", x, x > 10)\nclaim("needs y", y, y > 0)\n'
            'claim("x is small", x, x < 3)\nassert False')
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": cell}]}))
    assert chapter_claims(path, {"values": 6}) == {"x is big": True, "x is small": False}


def test_committed_results_cover_every_notebook_and_every_experiment():
    results = json.loads((APPENDIX / RESULTS).read_text(encoding="utf-8"))
    notebooks = {str(p.relative_to(ROOT)) for p in NOTEBOOKS}
    timed = [row["notebook"] for row in results["notebooks"]]
    assert len(timed) == len(set(timed)) and set(timed) <= notebooks, \
        f"timings of notebooks that no longer exist: {sorted(set(timed) - notebooks)}; rerun `make bench --only notebooks`"
    ladders = {}
    for row in results["charlm"]["lstm"]:
        ladders.setdefault(row["settings"], []).append(row)
    assert {name: [r["budget_s"] for r in runs] for name, runs in ladders.items()} == \
        {"regularised": [30, 60, 300, 1200], "chapter": [30, 60, 300]}
    long_runs = [r["bpc"] for r in ladders["regularised"]]
    assert all(b < a for a, b in zip(long_runs, long_runs[1:])), \
        ("with the settings for long runs, validation bits/char falls at every step of the ladder", long_runs)
    # What chapter 6 says of these runs ("More training pays only with other settings"):
    short = ladders["chapter"]
    assert short[-1]["bpc"] > short[0]["bpc"] and short[-1]["train_bpc"] < short[0]["train_bpc"], \
        ("chapter 6: with its settings more time makes the model worse on validation while its training loss falls", short)
    best_ngram = min(r["bpc"] for r in results["charlm"]["ngram"])
    assert all(r["bpc"] < best_ngram - 0.03 for r in ladders["regularised"] if r["budget_s"] >= 300), \
        ("chapter 6: after a few minutes the regularised LSTM beats the best n-gram clearly", ladders["regularised"])
    assert ladders["regularised"][0]["bpc"] > short[0]["bpc"], "chapter 6: at a short budget dropout gives a worse model"
    assert {r["model"] for r in results["recall"]} == set(bench.RECALL_MODELS)
    long = results["long_recall"]
    assert {r["model"] for r in long} == set(bench.LONG_RECALL_MODELS) and max(r["delay"] for r in long) >= 4000
    for model in bench.LONG_RECALL_MODELS:
        runs = [r for r in long if r["model"] == model]
        assert all(r["accuracy"] >= 0.99 for r in runs[:-1]), f"{model}: the runs stop at the first delay failed"
    at_1000 = results["recall_1000"]
    assert sorted((r["model"], r["seed"]) for r in at_1000) == sorted((m, s) for m in bench.RECALL_1000_MODELS for s in (0, 1, 2))
    delay = load_definitions(bench.CHAPTERS / "03_gates.ipynb", ["RECALL_DELAY"], {})["RECALL_DELAY"]
    assert all(r["delay"] == delay and r["budget_s"] == bench.RECALL_1000_BUDGET_S for r in at_1000)
    reviews = results["reviews"]
    models = bench.review_models() | bench.REVIEW_EXTRA
    assert {r["model"] for r in reviews} == set(models)
    assert all(r["lr"] == models[r["model"]][2] for r in reviews), "each review model at chapter 4's learning rate"
    for model in models:
        for seed in (0, 1, 2):
            runs = [r for r in reviews if r["model"] == model and r["seed"] == seed]
            assert runs and all(r["accuracy"] > LEARNED for r in runs[:-1]), f"{model}: the runs stop at the first length failed"
    ladder = results["human_numbers"]
    chapter = load_definitions(ROOT / "chapters" / "09_word_language_model.ipynb",
                                        ["SEEDS", "RUNGS", "train_words", "word_id", "train_ids", "valid_ids",
                                         "most_frequent", "baseline"],
                                        bench._torch_namespace() | {"course_seeds": course_seeds,
                                                                    "human_numbers": human_numbers, "Counter": Counter})
    rungs, baseline = chapter["RUNGS"], chapter["baseline"]
    assert [(r["rung"], r["seed"]) for r in ladder] == [(rung, s) for rung in rungs for s in range(10)], \
        "the appendix trains every rung of chapter 9's ladder with seeds 0-9"
    accuracy = {rung: [r["accuracy"] for r in ladder if r["rung"] == rung] for rung in rungs}
    mean = {rung: sum(a) / len(a) for rung, a in accuracy.items()}
    for row in ladder:
        settings = rungs[row["rung"]]
        assert row["chapter_seeds"] == settings.get("seeds", len(chapter["SEEDS"])), "the page says how many seeds the chapter trains"
        assert (row["bptt"], row["epochs"]) == (settings["bptt"], settings["epochs"]), "the appendix trained chapter 9's settings"
    # Chapter 9's own claims, evaluated on the appendix's ten seeds (the chapter's code, not a copy of its thresholds):
    # the appendix must not contradict them.
    held = chapter_claims(ROOT / "chapters" / "09_word_language_model.ipynb",
                          bench._torch_namespace() | {"RUNGS": rungs, "baseline": baseline,
                                                      "accuracy": {r: torch.tensor(a) for r, a in accuracy.items()},
                                                      "reg": torch.tensor(accuracy["regularised LSTM"])})
    assert len(held) >= 5, f"expected chapter 9's ladder claims to be evaluated on the appendix, got {held}"
    assert all(held.values()), {statement: ok for statement, ok in held.items() if not ok}
    best = accuracy["regularised LSTM"]
    book = next(r["book"] for r in ladder if r["rung"] == "regularised LSTM")
    assert mean["regularised LSTM"] > book + 0.01 and min(best) < book, \
        ("chapter 9: over ten seeds the mean beats the book's figure, but not every seed does", best)
    chrono = [r for r in reviews if r["model"] == "LSTM, chrono"]
    assert all(max(r["length"] for r in chrono if r["seed"] == s and r["accuracy"] > LEARNED) >= 400 for s in (0, 1, 2)), \
        "chapter 4 says the chrono LSTM learns 400-word reviews in every seed: the appendix must not contradict it"


def test_a_slow_notebook_is_named_with_its_time():
    rows = [{"notebook": "chapters/01_a.ipynb", "seconds": 12.0}, {"notebook": "chapters/06_b.ipynb", "seconds": 61.4}]
    assert bench.over_budget(rows) == ["chapters/06_b.ipynb took 61.4 s, over the 60 s budget"]
    assert bench.over_budget(rows, budget=70) == []
    with pytest.raises(ValueError, match="positive number of seconds"):
        bench.over_budget(rows, budget=0)


def test_incomplete_results_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="lack 'recall'"):
        write_report({"machine": {}, "budget_s": 60, "scratch": [], "charlm": {}}, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_load_definitions_runs_the_chapter_code_and_refuses_missing_names():
    ns = load_definitions(ROOT / "chapters" / "03_gates.ipynb", ["lstm_cell_step"], {"torch": torch})
    cell = torch.nn.LSTMCell(3, 4)
    x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
    mine = ns["lstm_cell_step"](x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    theirs = cell(x, (h, c))
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(mine, theirs))
    with pytest.raises(ValueError, match="no top-level definition of \\['nope'\\]"):
        load_definitions(ROOT / "chapters" / "03_gates.ipynb", ["nope"], {})
    with pytest.raises(TypeError, match="list of function, class or constant names"):
        load_definitions(ROOT / "chapters" / "03_gates.ipynb", "lstm_cell_step", {})


def test_experiments_run_on_tiny_budgets(tmp_path):
    scratch = bench.scratch_vs_nn_lstm([8], batch=2, length=5, repeats=1)
    assert scratch[0]["scratch_ms"] > 0 and scratch[0]["nn.LSTM_ms"] > 0
    recall = bench.recall_vs_delay([5], seconds=0.5)
    assert [r["model"] for r in recall] == list(bench.RECALL_MODELS)
    assert all(0 <= r["accuracy"] <= 1 and r["seconds"] < 5 for r in recall)
    long = bench.longest_delay([3, 6], seconds=0.5, models=["LSTM, chrono", "RNN"])
    assert [r["model"] for r in long][:1] == ["LSTM, chrono"] and all(r["budget_s"] == 0.5 for r in long)
    for model in ("LSTM, chrono", "RNN"):
        runs = [r for r in long if r["model"] == model]
        assert runs and all(r["accuracy"] >= 0.99 for r in runs[:-1]), "a model's runs stop at the first delay it fails"
    reviews = bench.longest_review([3, 6], seeds=(0,), models=["LSTM, chrono", "RNN"])
    assert [r["model"] for r in reviews][:1] == ["LSTM, chrono"] and all(r["max_steps"] >= r["steps"] for r in reviews)
    for model in ("LSTM, chrono", "RNN"):
        runs = [r for r in reviews if r["model"] == model]
        assert runs and all(r["accuracy"] > LEARNED for r in runs[:-1]), "a model's runs stop at the first length it fails"
    words = bench.human_numbers_seeds((0,), rungs=["plain RNN", "regularised LSTM"], epochs=1)
    assert [(r["rung"], r["seed"], r["epochs"]) for r in words] == [("plain RNN", 0, 1), ("regularised LSTM", 0, 1)]
    assert all(0.1 < r["accuracy"] < 1 for r in words)
    lm = bench.charlm_vs_ngram({"chapter": [0.5], "regularised": [0.5, 1]}, orders=[2])
    assert [(r["settings"], r["budget_s"]) for r in lm["lstm"]] == [("chapter", 0.5), ("regularised", 0.5), ("regularised", 1)]
    assert all(r["steps"] >= 20 and 1 < r["bpc"] < 7 and r["train_bpc"] > 0 for r in lm["lstm"]) and 2 < lm["ngram"][0]["bpc"] < 5
    results = {"machine": bench.machine(), "budget_s": 60.0, "scratch": scratch, "recall": recall, "charlm": lm,
               "long_recall": long, "reviews": reviews, "human_numbers": words}
    page = write_report(results, tmp_path)
    assert page.read_text(encoding="utf-8") == render_page(results) + "\n"
    assert "## How far back each model learns" in page.read_text(encoding="utf-8")
    assert "## How long a review each model learns" in page.read_text(encoding="utf-8")
    assert "## Chapter 9's ladder over more seeds" in page.read_text(encoding="utf-8")
    assert "With chapter 6's settings" in page.read_text(encoding="utf-8")
    assert "With the settings for long runs" in page.read_text(encoding="utf-8")
    assert {p.name for p in tmp_path.iterdir()} >= {RESULTS, PAGE, "bench_recall.png", "bench_charlm.png", "bench_recall.csv"}


def test_the_page_says_why_more_training_made_the_character_model_worse():
    from bench_report import _ladder_sentence

    ngram = {"order": 7, "bpc": 1.83}
    run = lambda budget, bpc, train: {"budget_s": budget, "bpc": bpc, "train_bpc": train, "epochs": budget / 5,
                                      "steps": budget * 60, "max_lr": 0.02}
    falling = _ladder_sentence("regularised", [run(30, 2.0, 2.2), run(300, 1.8, 1.9), run(1200, 1.7, 1.7)], ngram)
    assert "falls at every step" in falling and "beats the best n-gram from 300 s on" in falling
    memorising = _ladder_sentence("chapter", [run(30, 1.86, 1.9), run(300, 1.95, 1.5)], ngram)
    assert "memorises" in memorising and "instability" not in memorising and "stays behind" in memorising
    unstable = _ladder_sentence("chapter", [run(30, 1.86, 1.9), run(300, 3.0, 3.1)], ngram)
    assert "instability" in unstable and "memorises" not in unstable
    patchy = _ladder_sentence("chapter", [run(30, 1.82, 1.9), run(60, 1.84, 1.8), run(300, 1.81, 1.7)], ngram)
    assert "at 30 s, 300 s only" in patchy


def test_sweep_winner_is_most_seeds_solved_then_fewest_steps():
    def run(model, init, lr, accuracy, steps):
        return {"model": model, "init": init, "lr": lr, "accuracy": accuracy, "steps": steps, "solved_at": 0.95}
    rows = [run("RNN", "a", 0.01, 1.0, 300), run("RNN", "a", 0.01, 0.5, 600),      # 1 of 2 solved
            run("RNN", "b", 0.001, 0.99, 500), run("RNN", "b", 0.001, 0.96, 560),  # 2 of 2, slower
            run("RNN", "c", 0.001, 1.0, 200), run("RNN", "c", 0.001, 0.97, 240),   # 2 of 2, fastest: chosen
            run("LSTM", "x", 0.01, 0.6, 600), run("LSTM", "y", 0.01, 0.7, 600)]    # none solved: higher accuracy
    assert bench.sweep_winners(rows) == {"RNN": ("c", 0.001), "LSTM": ("y", 0.01)}
    with pytest.raises(ValueError, match="no sweep rows"):
        bench.sweep_winners([])


def test_marked_recall_runs_chapter_1s_code_on_tiny_budgets(tmp_path):
    sweep = bench.marked_recall_sweep(seeds=(0,), length=12, steps=20, models=["RNN"])
    assert [(r["init"], r["lr"]) for r in sweep] == [(i, lr) for i in ("PyTorch default", "orthogonal", "identity (IRNN)")
                                                      for lr in (1e-3, 1e-2)]
    assert all(r["steps"] == 20 and 0 <= r["accuracy"] <= 1 for r in sweep)
    rows = bench.marked_recall_reliability({"LSTM": ("chrono", 1e-2)}, lengths=(12, 15), seeds=(0, 1), steps=20)
    assert [(r["length"], r["seed"]) for r in rows] == [(12, 0), (12, 1), (15, 0), (15, 1)]
    page = _marked_page(sweep, rows)
    assert "## A fair test: marked recall, each model at its best" in page and "| length 15 |" in page


def _marked_page(sweep, reliability):
    from bench_report import _marked_section
    return "\n".join(_marked_section({"sweep": sweep, "reliability": reliability}))


def test_chapter_1_trains_the_sweeps_winners_and_says_what_the_appendix_shows():
    results = json.loads((APPENDIX / RESULTS).read_text(encoding="utf-8"))
    marked = results["marked"]
    chapter = load_definitions(bench.MARKED_CHAPTER, bench.MARKED_NAMES, {})
    winners = bench.sweep_winners(marked["sweep"])
    assert {m: chapter["BEST_SETUPS"][m] for m in chapter["BEST_SETUPS"]} == {m: winners[m] for m in chapter["BEST_SETUPS"]}, \
        ("chapter 1's BEST_SETUPS must be the appendix sweep's winners", chapter["BEST_SETUPS"], winners)
    inits = {m: sorted({r["init"] for r in marked["sweep"] if r["model"] == m}) for m in chapter["SWEEP_INITS"]}
    assert inits == {m: sorted(v) for m, v in chapter["SWEEP_INITS"].items()}, "the sweep tried the chapter's starts"
    assert {r["lr"] for r in marked["sweep"]} == set(chapter["SWEEP_RATES"])
    assert len({len([r for r in marked["sweep"] if r["model"] == m]) for m in inits}) == 1, "the same budget for all"
    rel = marked["reliability"]
    assert sorted({r["length"] for r in rel}) == [100, 300, 1000] and len({r["seed"] for r in rel}) >= 5
    assert min(r["budget_steps"] for r in rel) >= chapter["FAIR_STEPS"], "the appendix's budget is at least the chapter's"
    solved = lambda m, n: sum(r["accuracy"] >= r["solved_at"] for r in rel if r["model"] == m and r["length"] == n)  # noqa: E731
    seeds = len({r["seed"] for r in rel})
    # What chapter 1 says: a tuned RNN can learn the short task; at the long one the LSTM solves more seeds and
    # the RNN none. The appendix must show the same with more seeds and a larger budget.
    assert solved("RNN", 100) >= 1, "chapter 1: the tuned RNN learns length 100"
    assert solved("LSTM", 300) > solved("RNN", 300) == 0, "chapter 1: at 300 the LSTM solves more seeds, the RNN none"
    assert solved("LSTM", 1000) > solved("RNN", 1000), "the LSTM's advantage grows with the length"


def test_chapters_2_and_4_give_the_rnn_chapter_1s_best_start():
    """Chapters 2 and 4 compare the LSTM with the RNN at the start that won chapter 1's sweep (and label defaults)."""
    chapter_1 = load_definitions(bench.MARKED_CHAPTER, bench.MARKED_NAMES, {})
    best, best_rates = chapter_1["BEST_SETUPS"], chapter_1["SWEEP_RATES"]
    assert best["RNN"] == ("identity (IRNN)", 1e-3) and best["LSTM"][0] == "chrono"
    models = bench.review_models()
    assert models["RNN, IRNN"] == ("RNN", "IRNN", best["RNN"][1]), "chapter 4's IRNN at chapter 1's learning rate"
    assert models["LSTM, chrono"] == ("LSTM", "chrono", best["LSTM"][1])
    runs = load_definitions(bench.REVIEW_CHAPTER, ["MODELS", "RUNS"],
                                 bench._torch_namespace())["RUNS"]
    longest_with_rnn = max(n for n, names in runs.items() if any(m.startswith("RNN") for m in names))
    assert [m for m in runs[longest_with_rnn] if m.startswith("RNN")] == ["RNN, IRNN"], \
        "at its longest RNN length chapter 4 trains the RNN at its best start, not at PyTorch's default"
    recall = load_definitions(bench.CHAPTERS / "02_cell_state.ipynb", ["SETUPS"], bench._torch_namespace())
    assert recall["SETUPS"]["IRNN"]["identity"] is True and bench.RECALL_MODELS["RNN, IRNN"][1] == {"identity": True}
    # what the two chapters say, checked against the appendix's longer runs
    results = json.loads((APPENDIX / RESULTS).read_text(encoding="utf-8"))
    irnn_recall = {r["delay"]: r["accuracy"] for r in results["recall"] if r["model"] == "RNN, IRNN"}
    assert irnn_recall[100] >= 0.99, "chapter 2: the IRNN learns delay 100; the appendix must agree"
    reviews = [r for r in results["reviews"] if r["model"] == "RNN, IRNN"]
    assert all(r["accuracy"] > LEARNED for r in reviews if r["length"] == 50), "chapter 4: the IRNN learns 50 words"
    learned_200 = {m: sum(r["accuracy"] > LEARNED for r in results["reviews"] if r["model"] == m and r["length"] == 200)
                   for m in ("RNN, IRNN", "LSTM, chrono")}
    assert learned_200["LSTM, chrono"] == 3 > learned_200["RNN, IRNN"], \
        ("chapter 4: at 200 words the chrono LSTM learns in every seed, the IRNN in fewer", learned_200)
    other_rate = [r for r in results["reviews"] if r["model"] == "RNN, IRNN, lr 0.01"]
    assert bench.REVIEW_EXTRA["RNN, IRNN, lr 0.01"][2] in best_rates and \
        not any(r["accuracy"] > LEARNED and r["length"] >= 200 for r in other_rate), \
        "chapter 4: at the sweep's other rate the IRNN does not learn 200 words either"
