"""The benchmark's outputs: results as JSON and CSV, figures, and the appendix page generated from them."""

import csv
import json
import statistics
from pathlib import Path

PAGE = "how_fast.md"
RESULTS = "bench_results.json"
# The appendix's own bar for the delayed-recall tasks (chapters 2 and 3 train until validation is perfect).
RECALL_SOLVED = 0.99
REVIEW_CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "04_nn_lstm.ipynb"


def review_learned():
    """Chapter 4's LEARNED, read from the chapter: a review model learned the task above this held-out accuracy."""
    from lstm_course.notebooks import load_definitions

    return load_definitions(REVIEW_CHAPTER, ["LEARNED"], {})["LEARNED"]


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _longest_solved(recall, model):
    solved = [r["delay"] for r in recall if r["model"] == model and r["accuracy"] >= RECALL_SOLVED]
    return max(solved) if solved else None


def _mean_accuracy(recall, model, delay):
    values = [r["accuracy"] for r in recall if r["model"] == model and r["delay"] == delay]
    return sum(values) / len(values)


def _lm_ladders(lm):
    """The character-LM runs grouped by settings ("chapter" for results written before settings were recorded)."""
    ladders = {"chapter": [], "regularised": []}          # the chapter's settings first, whatever the run order
    for row in lm["lstm"]:
        ladders.setdefault(row.get("settings", "chapter"), []).append(row)
    return {name: runs for name, runs in ladders.items() if runs}


def _ladder_sentence(name, runs, best_ngram):
    """What more training did for one settings' runs, and why when it made things worse (measured, not assumed)."""
    label = {"chapter": "With chapter 6's settings", "regularised": "With the settings for long runs"}.get(name, name)
    falls = all(b["bpc"] < a["bpc"] for a, b in zip(runs, runs[1:]))
    ahead = [r for r in runs if r["bpc"] < best_ngram["bpc"]]
    if not ahead:
        where = (f"it stays behind the best n-gram at every budget, by "
                 f"{min(r['bpc'] for r in runs) - best_ngram['bpc']:.3f} at best")
    elif runs[runs.index(ahead[0]):] == ahead:
        where = f"it beats the best n-gram from {ahead[0]['budget_s']:g} s on ({ahead[0]['bpc']:.3f} against {best_ngram['bpc']:.3f})"
    else:
        where = "it beats the best n-gram at " + ", ".join(f"{r['budget_s']:g} s" for r in ahead) + " only"
    if falls:
        return (f"{label}, validation bits/char falls at every step of the ladder, from {runs[0]['bpc']:.3f} "
                f"({runs[0]['budget_s']:g} s) to {runs[-1]['bpc']:.3f} ({runs[-1]['budget_s']:g} s, "
                f"{runs[-1]['epochs']:.0f} passes over the training text), and {where}.")
    best = min(runs, key=lambda r: r["bpc"])
    worst_after = max((r for r in runs if r["budget_s"] > best["budget_s"]), key=lambda r: r["bpc"], default=None)
    text = f"{label}, more time does not help at every step: the best run is the {best['budget_s']:g} s one ({best['bpc']:.3f})"
    if worst_after is None:
        return text + f", and {where}."
    text += f", while {worst_after['budget_s']:g} s gives {worst_after['bpc']:.3f}"
    if "train_bpc" in worst_after and "train_bpc" in best:
        if worst_after["train_bpc"] < best["train_bpc"]:
            text += (f". Its training loss is lower ({worst_after['train_bpc']:.3f} against {best['train_bpc']:.3f}): "
                     f"after {worst_after['epochs']:.0f} passes it memorises the training text")
        else:
            text += (f". Its training loss is higher too ({worst_after['train_bpc']:.3f} against "
                     f"{best['train_bpc']:.3f}): the run itself went wrong, which at a peak learning rate of "
                     f"{worst_after['max_lr']:g} over {worst_after['steps']:,} steps is instability, not memorising")
    return text + f"; {where}."


DEFAULTS_NOTE = ("A model named without a set-up (\"RNN\", \"GRU\", \"LSTM\") keeps PyTorch's default initialisation: "
                 "its row compares set-ups, not architectures. For each architecture at its best set-up, see the section "
                 "on chapter 1's fair test, and the IRNN rows of the delayed-recall and review tables.")


def _seeds_phrase(rows):
    """How many seeds a table's runs used, in words: 'one seed (seed 0) per cell' or 'mean over seeds 0, 1, 2'."""
    seeds = sorted({r["seed"] for r in rows})
    if len(seeds) == 1:
        return f"one seed (seed {seeds[0]}) per cell, so each cell is a single run"
    return f"mean over {len(seeds)} seeds ({', '.join(map(str, seeds))})"


def _stuck_sentence(recall):
    stuck = [r for r in recall if r["accuracy"] < 0.6]
    if not stuck:
        return ""
    most = max(stuck, key=lambda r: r["steps"])
    return (f" More steps do not rescue a run that starts without a gradient signal: the {most['model']} at delay "
            f"{most['delay']} took {most['steps']:,} steps and ended at {most['accuracy']:.2f}. The forget-gate bias "
            "sets how far back the LSTM's gradient reaches at the start (chapter 2), so it decides which delays "
            "can be learned at all.")


def _long_recall_section(rows):
    """The page's section on chapter 3's protocol: the longest delay each model learned, and what it took."""
    models = list(dict.fromkeys(r["model"] for r in rows))
    lines = []
    for model in models:
        runs = [r for r in rows if r["model"] == model]
        solved = [r for r in runs if r["accuracy"] >= RECALL_SOLVED]
        failed = [r for r in runs if r["accuracy"] < RECALL_SOLVED]
        best = max(solved, key=lambda r: r["delay"]) if solved else None
        lines.append((model, f"{best['delay']:,}" if best else "none",
                      f"{best['steps']:,} steps, {best['seconds']:.1f} s" if best else "",
                      f"{failed[0]['delay']:,}: {failed[0]['accuracy']:.2f} after {failed[0]['steps']:,} steps, "
                      f"{failed[0]['seconds']:.0f} s" if failed else "none: it learned every delay tried"))
    budget = max(r["budget_s"] for r in rows)
    top = max(r["delay"] for r in rows)
    seeds = len({r["seed"] for r in rows})
    return ["## How far back each model learns", "",
            "Chapter 3's task and training protocol (the delayed-recall bit, batches of 16, Adam at 0.01, stopped at two "
            "perfect validation checks in a row), one delay after another, until the first delay a model fails "
            f"(held-out accuracy below {RECALL_SOLVED}) or the longest tried, {top:,}. Every run has the same time budget, "
            f"{budget:g} s. {seeds} seed(s) per model: a single run is an anecdote, so read a model's row as what it "
            "did here, not as what it can never do. " + DEFAULTS_NOTE, "",
            _table(["model", "longest delay learned", "it took", "first delay failed (accuracy, steps, seconds)"], lines),
            ""]


def _recall_1000_section(rows, ladder=None):
    """The page's section on delay 1,000 alone: each model once per seed, under the same time budget (bench: 30 s)."""
    models = list(dict.fromkeys(r["model"] for r in rows))
    seeds = sorted({r["seed"] for r in rows})
    cells = {(r["model"], r["seed"]): r for r in rows}
    solved = {m: sum(cells[m, s]["accuracy"] >= RECALL_SOLVED for s in seeds) for m in models}
    return ["### At delay 1,000, over seeds", "",
            f"Each model once per seed ({len(seeds)} seeds), stopped by a {rows[0]['budget_s']:g} s budget: held-out "
            "accuracy, then steps and seconds. " + DEFAULTS_NOTE, "",
            _table(["model"] + [f"seed {s}" for s in seeds],
                   [[m] + [f"{cells[m, s]['accuracy']:.3f} ({cells[m, s]['steps']:,} steps, {cells[m, s]['seconds']:.0f} s)"
                           for s in seeds] for m in models]), "",
            " ".join(f"{m}: solved in {solved[m]} of {len(seeds)} seeds." for m in models) + _luck(solved, ladder, len(seeds)),
            ""]


def sweep_rank(runs):
    """How chapter 1's sweep ranks one set-up's runs (higher is better): seeds solved, then fewer median steps,
    then higher mean accuracy."""
    if not runs:
        raise ValueError("runs must be a non-empty list of one set-up's sweep rows")
    return (sum(r["accuracy"] >= r["solved_at"] for r in runs), -statistics.median(r["steps"] for r in runs),
            statistics.mean(r["accuracy"] for r in runs))


def _marked_section(marked):
    """The page's section on chapter 1's fair test: the sweep of starts and learning rates, then each model's
    winner at every length over several seeds (seeds solved, median steps of the solved runs, lowest accuracy)."""
    sweep, reliability = marked["sweep"], marked["reliability"]
    solved_at = sweep[0]["solved_at"]
    winners = {r["model"]: (r["init"], r["lr"]) for r in reliability}
    setups = {}
    for r in sweep:
        setups.setdefault((r["model"], r["init"], r["lr"]), []).append(r)
    sweep_seeds = len(next(iter(setups.values())))
    ties = [f"the {model}'s choice tied with {init}, lr {lr:g}" for (model, init, lr), runs in setups.items()
            if model in winners and (init, lr) != winners[model]
            and sweep_rank(runs) == sweep_rank(setups[(model, *winners[model])])]
    sweep_rows = []
    for (model, init, lr), runs in setups.items():
        solved = [r for r in runs if r["accuracy"] >= solved_at]
        name = f"{init}, lr {lr:g}"
        sweep_rows.append([model, f"**{name}** (chosen)" if winners.get(model) == (init, lr) else name,
                           f"{len(solved)} of {len(runs)}",
                           f"{statistics.median(r['steps'] for r in solved):.0f}" if solved else "—",
                           f"{statistics.mean(r['accuracy'] for r in runs):.2f}"])
    cells = {}
    for r in reliability:
        cells.setdefault((r["model"], r["length"]), []).append(r)
    lengths = sorted({r["length"] for r in reliability})
    seeds = len(next(iter(cells.values())))

    def cell(runs):
        solved = [r for r in runs if r["accuracy"] >= solved_at]
        steps = f", median {statistics.median(r['steps'] for r in solved):.0f} steps" if solved else ""
        return f"{len(solved)} of {len(runs)}{steps}; min {min(r['accuracy'] for r in runs):.3f}"

    return ["## A fair test: marked recall, each model at its best", "",
            "Chapter 1's task: a sign, +1 or -1, at every step; one of the first ten steps is marked; at the last step "
            "the model gives the marked sign. First the same sweep for every model: each start times each learning "
            f"rate, {sweep[0]['budget_steps']} steps, {sweep_seeds} seeds, at length {sweep[0]['length']}, Adam with "
            f"gradient clipping. A run counts as solved at held-out accuracy ≥ {solved_at}. The chosen set-up has the "
            "most seeds solved, then the fewest median steps, then the highest mean accuracy; a tie keeps the start "
            "listed first.", "",
            _table(["model", "start, learning rate", "seeds solved", "median steps (solved)", "mean accuracy"],
                   sweep_rows), "",
            f"Then each model's chosen set-up at every length, {seeds} seeds each, the same budget of "
            f"{reliability[0]['budget_steps']:,} steps for all: seeds solved, median steps of the solved runs, and "
            "the lowest held-out accuracy.", "",
            _table(["model (set-up)"] + [f"length {n:,}" for n in lengths],
                   [[f"{m} ({winners[m][0]}, lr {winners[m][1]:g})"] + [cell(cells[m, n]) for n in lengths]
                    for m in winners]), "",
            ("Ties in the sweep: " + "; ".join(ties) + ". The rule picked the start listed first; the other was not "
             "run at the longer lengths. " if ties else "")
            + "Seeds solved at the longest length: " + ", ".join(
                f"{m} {sum(r['accuracy'] >= solved_at for r in cells[m, lengths[-1]])} of {seeds}" for m in winners)
            + ". Chapter 1 trains the RNN's and the LSTM's chosen set-ups at its own, shorter lengths.", ""]


def _rates(rows):
    """The learning rates of the review runs, in words: the common one, and each exception by model."""
    rate = {r["model"]: r["lr"] for r in rows}
    common = max(set(rate.values()), key=list(rate.values()).count)
    others = [f'"{model}" at {lr:g}' for model, lr in rate.items() if lr != common]
    return f"{common:g}" + (f" ({', '.join(others)})" if others else "")


def _reviews_section(rows):
    """The page's section on chapter 4's reviews: the longest review each model learned in each seed."""
    models = list(dict.fromkeys(r["model"] for r in rows))
    seeds = sorted({r["seed"] for r in rows})
    learned_above = review_learned()  # chapter 4's LEARNED
    lines = []
    for model in models:
        learned, failed = [], []
        for seed in seeds:
            runs = [r for r in rows if r["model"] == model and r["seed"] == seed]
            passed = [r for r in runs if r["accuracy"] > learned_above]
            best = passed[-1] if passed else None
            learned.append(f"{best['length']:,} ({best['steps']} steps, {best['seconds']:.1f} s)" if best else "none")
            last = runs[-1]
            failed.append(f"{last['length']:,}: {last['accuracy']:.2f}" if last["accuracy"] <= learned_above else "none")
        lines.append([model, "; ".join(learned), "; ".join(failed)])
    top = max(r["length"] for r in rows)
    return ["## How long a review each model learns", "",
            "Chapter 4's synthetic reviews (the label is set by the first two words), classifier and training protocol "
            f"(batches of {rows[0]['batch']}, Adam at {_rates(rows)}, at most {rows[0]['max_steps']} steps, stopped early once 98% "
            "of 256 validation reviews are right at two checks in a row; chrono's time scales drawn up to "
            f"{min(r['chrono_t_max'] for r in rows):,} steps or the review's length if longer), one length after "
            "another until a model's first "
            f"failure (held-out accuracy {learned_above} or below) or the longest tried, {top:,} words. "
            f"{len(seeds)} seeds per model, listed in order (seeds {', '.join(map(str, seeds))}). " + DEFAULTS_NOTE, "",
            _table(["model", "longest review learned, per seed (steps, seconds)", "first length failed, per seed (accuracy)"],
                   lines), ""]


BOOK_BPTT = 16                # the fast.ai book's chunk length (sl) for its Human Numbers models


def _human_numbers_section(rows):
    """The page's section on chapter 9's ladder, every rung over more seeds than the chapter trains."""
    rungs = list(dict.fromkeys(r["rung"] for r in rows))
    by_rung = {rung: [r for r in rows if r["rung"] == rung] for rung in rungs}
    accuracy = {rung: [r["accuracy"] for r in runs] for rung, runs in by_rung.items()}
    means = {rung: sum(a) / len(a) for rung, a in accuracy.items()}
    above = {rung: sum(x > by_rung[rung][0]["book"] for x in a) for rung, a in accuracy.items()}
    summary = []
    for rung, runs in by_rung.items():
        a, first = accuracy[rung], runs[0]
        summary.append((rung, len(a), first["chapter_seeds"], f"{means[rung]:.3f} ({min(a):.3f} – {max(a):.3f})",
                        f"{above[rung]} of {len(a)}", first["book"], f"{sum(r['seconds'] for r in runs) / len(runs):.1f}"))
    pairs = list(zip(rungs, rungs[1:]))
    apart = [(low, high) for low, high in pairs if min(accuracy[high]) > max(accuracy[low])]
    out = ["## Chapter 9's ladder over more seeds", "",
           f"Chapter 9's rungs, its data and its training code, each rung once per seed; validation accuracy read in "
           f"{rows[0]['eval_rows']} rows. The chapter trains fewer seeds per rung (COURSE_SEED=0 gives the first of "
           "these seeds); the fast.ai book reports one run of each on a GPU.", "",
           _table(["rung", "seeds here", "seeds in the chapter", "validation accuracy, mean (min – max)",
                   "seeds above the book", "fast.ai book", "training seconds per seed"], summary), ""]
    if pairs:
        out += [("Every rung beats the one below it on average" if all(means[h] > means[l] for l, h in pairs) else
                 "Not every rung beats the one below it on average")
                + (f"; {len(apart)} of {len(pairs)} steps up the ladder separate every seed of the higher rung from "
                   f"every seed of the lower one"
                   + (f" (not: {', '.join(f'{l} to {h}' for l, h in pairs if (l, h) not in apart)})."
                      if len(apart) < len(pairs) else ".")), ""]
    best = rungs[-1]
    first, a = by_rung[best][0], accuracy[best]
    book, mean = first["book"], means[best]
    out += [f"The {best} (the fast.ai book's recipe: {first['epochs']} epochs on {first['batch']} rows, in chunks of "
            f"{first['bptt']} tokens{'' if first['bptt'] == BOOK_BPTT else f' where the book uses {BOOK_BPTT}'}), seed by seed:", "",
            _table(["seed", "validation accuracy", "training seconds"],
                   [(r["seed"], f"{r['accuracy']:.3f}", f"{r['seconds']:.1f}") for r in by_rung[best]]), "",
            f"Mean {mean:.3f}, from {min(a):.3f} to {max(a):.3f}; {above[best]} of {len(a)} seeds above the "
            f"book's {book} (reported for one run on a GPU). Over these seeds the recipe "
            + ("beats the book's figure on average" if mean > book else "does not beat the book's figure on average")
            + (", but not in every seed." if above[best] < len(a) else ", in every seed."), ""]
    return out


def _luck(solved, ladder, seeds):
    """A sentence for models that learned delay 1,000 in some seed although the ladder stopped them earlier."""
    if not ladder:
        return ""
    lucky = [m for m, n in solved.items() if n and (_longest_solved(ladder, m) or 0) < 1000]
    if not lucky:
        return ""
    return (f" {', '.join(lucky)} stopped short of 1,000 in the ladder above, yet learned delay 1,000 in some seeds "
            "here: for such a model, whether training finds a way to hold the bit depends on the seed more than on "
            "the delay." + (" What chrono initialisation bought the LSTM is that it learned in every seed."
                            if solved.get("LSTM, chrono") == seeds else ""))


def check_results(results):
    """Raise ValueError unless results hold every experiment the page and the figures show."""
    if not isinstance(results, dict):
        raise TypeError(f"benchmark results must be a dict, got {type(results).__name__}")
    for key in ("machine", "budget_s", "scratch", "recall", "charlm"):
        if key not in results:
            raise ValueError(f"benchmark results lack {key!r}: run `make bench` to produce complete results")


def render_page(results):
    """The appendix page (MyST markdown) for a results dict, as written by `make bench`."""
    check_results(results)
    m, budget = results["machine"], results["budget_s"]
    out = ["(appendix-how-fast)=", "# How fast is this course?", "",
           "<!-- Generated by `make bench` (tools/bench_report.py) from bench_results.json. Do not edit by hand. -->",
           "",
           "Every number on this page was measured by `make bench`, which runs the notebooks and the chapters' own "
           "model code with more time than a notebook has. Rerun it on your machine to get your own page.", "",
           f"**Measured on** {m['date']}: {m['cpu']}, {m['cores']} core(s), {m['torch_threads']} torch thread(s), "
           f"torch {m['torch']}, Python {m['python']}, device: {m['device']}.", ""]
    if "notebooks" in results:
        rows = results["notebooks"]
        total = sum(r["seconds"] for r in rows)
        out += ["## Every notebook, top to bottom", "",
                f"Each notebook runs in a fresh kernel. The budget is {budget:g} s per notebook on a 2-core laptop; "
                f"the benchmark fails, naming the notebook, when one takes longer.", "",
                _table(["notebook", "seconds", f"within {budget:g} s"],
                       [(f"`{r['notebook']}`", f"{r['seconds']:.1f}", "yes" if r["seconds"] <= budget else "**no**")
                        for r in rows]), "",
                f"All {len(rows)} notebooks: {total:.0f} s in total, the slowest "
                f"`{max(rows, key=lambda r: r['seconds'])['notebook']}` "
                f"({max(r['seconds'] for r in rows):.1f} s).", ""]
    if "site" in results:
        site = results["site"]
        out += ["## Building the site", "",
                f"A clean build (every notebook executed) took {site['clean_s']:.0f} s; a rebuild with nothing "
                f"changed, served from the execution cache, took {site['cached_s']:.0f} s.", ""]

    if "marked" in results:
        out += _marked_section(results["marked"])
    out += _charlm_section(results["charlm"], _charlm_alt(results))

    recall = results["recall"]
    models = list(dict.fromkeys(r["model"] for r in recall))
    delays = sorted({r["delay"] for r in recall})
    seconds = max(r["seconds"] for r in recall)
    out += ["## Delayed recall against the delay", "",
            "Chapter 2's task: remember one bit for `delay` steps of noise. Every model gets the same time "
            "budget (it stops early after 20 perfect batches in a row); held-out accuracy, 0.5 is chance, "
            + _seeds_phrase(recall) + ". " + DEFAULTS_NOTE, "",
            _table(["model"] + [f"delay {d}" for d in delays],
                   [[m_] + [f"{_mean_accuracy(recall, m_, d):.2f}" for d in delays] for m_ in models]), "",
            " ".join(f"{m_}: " + (f"solves (accuracy ≥ {RECALL_SOLVED}) delays up to {_longest_solved(recall, m_)}."
                                  if _longest_solved(recall, m_) else "solves none of the delays.") for m_ in models)
            + _stuck_sentence(recall)
            + f" The longest single run took {seconds:.0f} s.", "",
            "```{figure} bench_recall.png", ":alt: " + _recall_alt(results), "",
            "Held-out accuracy on delayed recall against the delay, one line per model.", "```", ""]

    if "long_recall" in results:
        out += _long_recall_section(results["long_recall"])
    if "recall_1000" in results:
        out += _recall_1000_section(results["recall_1000"], results.get("long_recall"))

    if "reviews" in results:
        out += _reviews_section(results["reviews"])
    if "human_numbers" in results:
        out += _human_numbers_section(results["human_numbers"])

    scratch = results["scratch"]
    out += ["## The from-scratch LSTM against `nn.LSTM`", "",
            "Chapter 3's cell in plain tensor code, unrolled in Python, against PyTorch's fused implementation: "
            "forward and backward over a sequence, median of several runs.", "",
            _table(["hidden size", "batch × length", "from scratch (ms)", "nn.LSTM (ms)", "ratio"],
                   [(r["hidden"], f"{r['batch']} × {r['length']}", f"{r['scratch_ms']:.1f}", f"{r['nn.LSTM_ms']:.1f}",
                     f"{r['ratio']:.1f}×") for r in scratch]), "",
            ("Same arithmetic, different speed: `nn.LSTM` was faster at every size measured, "
             f"{min(r['ratio'] for r in scratch):.1f}× to {max(r['ratio'] for r in scratch):.1f}×. "
             if all(r["ratio"] > 1 for r in scratch) else
             "Same arithmetic; here the from-scratch version was not slower at every size. ")
            + "Write the cell by hand to understand it; train with `nn.LSTM`.", ""]
    return "\n".join(out)


def _charlm_section(lm, alt):
    """The page's section on chapter 6's character LSTM against the n-grams, one ladder of budgets per settings."""
    best = min(lm["ngram"], key=lambda r: r["bpc"])
    ladders = _lm_ladders(lm)
    short, long = ladders.get("chapter", [{}])[0], ladders.get("regularised", [{}])[0]
    settings = (f" Two settings are measured: the chapter's (dropout {short['dropout']:g}, peak learning rate "
                f"{short['max_lr']:g}), made for the chapter's short runs, and settings for long runs (dropout "
                f"{long['dropout']:g} on the embeddings and on the LSTM's output, peak {long['max_lr']:g}). The "
                "training loss is the mean of the last 100 steps, with dropout on." if "dropout" in long and "dropout" in short else "")
    rows = [(name, f"{r['budget_s']:g} s", f"{r['steps']:,}", f"{r['epochs']:.1f}",
             f"{r['train_bpc']:.3f}" if "train_bpc" in r else "", f"{r['bpc']:.3f}", f"{r['bpc'] - best['bpc']:+.3f}")
            for name, runs in ladders.items() for r in runs]
    shared = [(a, b) for a in ladders.get("chapter", []) for b in ladders.get("regularised", [])
              if a["budget_s"] == b["budget_s"]]
    cost = ("" if not shared else " Regularisation has a price at short budgets and pays at long ones: "
            + "; ".join(f"at {a['budget_s']:g} s the chapter's settings give {a['bpc']:.3f}, the long-run settings "
                        f"{b['bpc']:.3f}" for a, b in shared) + ".")
    return ["## Character LSTM against n-grams, by training time", "",
            "Chapter 6's model and training loop, trained for longer, scored in bits per character on the same "
            "validation split. The n-grams need no gradient training: their time is counting and scoring." + settings,
            "",
            _table(["n-gram order", "bits/char", "seconds"],
                   [(r["order"], f"{r['bpc']:.3f}", f"{r['seconds']:.1f}") for r in lm["ngram"]]), "",
            _table(["LSTM settings", "training budget", "steps", "epochs", "training bits/char", "validation bits/char",
                    "vs best n-gram"], rows), "",
            f"The best n-gram (order {best['order']}) scores {best['bpc']:.3f} bits/char. "
            + " ".join(_ladder_sentence(name, runs, best) for name, runs in ladders.items()) + cost,
            "", "```{figure} bench_charlm.png", ":alt: " + alt, "",
            "Validation bits per character of the LSTM against its training time, one line per settings, with the "
            "n-grams as horizontal lines.", "```", ""]


def _charlm_alt(results):
    """Alt text of the character-LM figure, from the numbers it shows."""
    lm = results["charlm"]
    best = min(lm["ngram"], key=lambda r: r["bpc"])
    lines = "; ".join(f"{name} settings " + ", ".join(f"{r['bpc']:.2f} after {r['train_s']:.0f} s" for r in runs)
                      for name, runs in _lm_ladders(lm).items())
    return (f"Line chart of LSTM validation bits per character against training seconds, one line per settings: "
            f"{lines}; horizontal lines mark the n-grams, the best at {best['bpc']:.2f}.")


def _recall_alt(results):
    """Alt text of the delayed-recall figure, from the numbers it shows."""
    recall = results["recall"]
    parts = []
    for model in dict.fromkeys(r["model"] for r in recall):
        longest = _longest_solved(recall, model)
        parts.append(f"{model} solves delays up to {longest}" if longest else f"{model} stays near chance")
    return "Line chart of held-out accuracy against delay, log-scaled delay axis: " + "; ".join(parts) + "."


def _log_x_axis(ax, ticks):
    """Log-scaled x axis labelled only at `ticks`, in plain numbers."""
    from matplotlib.ticker import NullFormatter, NullLocator

    ax.set_xscale("log")
    ax.set_xticks(ticks, [f"{t:.0f}" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())


def write_figures(results, out):
    """Draw the two figures into `out` (checked for title and axis labels)."""
    check_results(results)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstm_course.plots import check_figure, use_course_style

    use_course_style()
    lm = results["charlm"]
    fig, ax = plt.subplots()
    for n, (name, runs) in enumerate(_lm_ladders(lm).items()):
        ax.plot([r["train_s"] for r in runs], [r["bpc"] for r in runs], marker="os"[n % 2], color=f"C{n}",
                label=f"LSTM, {name} settings")
    styles = iter(["--", "-.", ":", (0, (1, 3)), (0, (5, 2)), (0, (3, 1, 1, 1))])
    for row in lm["ngram"][-3:]:
        ax.axhline(row["bpc"], linestyle=next(styles), color="C3", alpha=0.8, label=f"{row['order']}-gram")
    _log_x_axis(ax, sorted({r["budget_s"] for r in lm["lstm"]}))
    ax.set_title("Character LSTM vs n-grams: validation bits/char by training time")
    ax.set_xlabel("LSTM training time (s, log scale)")
    ax.set_ylabel("bits per character")
    ax.legend()
    check_figure(fig)
    fig.savefig(out / "bench_charlm.png", dpi=100)
    plt.close(fig)

    recall = results["recall"]
    delays = sorted({r["delay"] for r in recall})
    fig, ax = plt.subplots()
    for n, model in enumerate(dict.fromkeys(r["model"] for r in recall)):
        # sizes shrink and dashes vary so that a line lying on top of another still lets it show
        ax.plot(delays, [_mean_accuracy(recall, model, d) for d in delays], marker="os^D*"[n % 5],
                markersize=11 - 1.5 * n, linestyle=["-", "--", "-.", ":", "-"][n % 5], label=model)
    ax.axhline(0.5, color="grey", linestyle=":", label="chance")
    _log_x_axis(ax, delays)
    ax.set_ylim(0.4, 1.05)
    ax.set_title("Delayed recall under one time budget per run")
    ax.set_xlabel("delay (steps)")
    ax.set_ylabel("held-out accuracy")
    ax.legend(fontsize=9)
    check_figure(fig)
    fig.savefig(out / "bench_recall.png", dpi=100)
    plt.close(fig)


def write_csv(rows, path):
    """Write a list of flat dicts as CSV with a header row."""
    if not rows:
        raise ValueError(f"nothing to write to {path}")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_report(results, out):
    """Write bench_results.json, one CSV per experiment, the figures and the page into `out`; return the page path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    page = render_page(results)            # validates the results before anything is written
    (out / RESULTS).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    tables = {"notebooks": results.get("notebooks"), "scratch": results["scratch"], "recall": results["recall"],
              "long_recall": results.get("long_recall"), "recall_1000": results.get("recall_1000"), "reviews": results.get("reviews"),
              "human_numbers": results.get("human_numbers"),
              "marked_sweep": (results.get("marked") or {}).get("sweep"),
              "marked_reliability": (results.get("marked") or {}).get("reliability"),
              "charlm_lstm": results["charlm"]["lstm"], "charlm_ngram": results["charlm"]["ngram"]}
    for name, rows in tables.items():
        if rows:
            write_csv(rows, out / f"bench_{name}.csv")
    write_figures(results, out)
    (out / PAGE).write_text(page + "\n", encoding="utf-8")
    return out / PAGE
