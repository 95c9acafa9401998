"""`make bench`: time every notebook and the site build, and rerun the chapters' models with more time than a notebook has."""

import argparse
import functools
import inspect
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench_report import RECALL_SOLVED  # noqa: E402  (tools/ is on the path when bench runs)
from lstm_course.notebooks import load_definitions

NOTEBOOK_BUDGET_S = 60.0
ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"


def machine():
    """Facts about where the numbers were measured: CPU model, cores, torch version and device."""
    import torch

    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        cpu = names[0] if names else cpu
    cuda = torch.cuda.is_available()
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "python": platform.python_version(), "device": f"cuda ({torch.cuda.get_device_name()})" if cuda else "cpu",
            "date": date.today().isoformat()}


def time_notebooks(paths, timeout=600):
    """Run each notebook top to bottom in a fresh kernel (tools/execute.py); return [{notebook, seconds}] in order."""
    from tqdm.auto import tqdm

    from execute import run_notebook

    rows = []
    for path in tqdm([Path(p) for p in paths], desc="notebooks"):
        with tempfile.TemporaryDirectory() as folder:          # files a notebook writes stay out of the repo
            _, seconds, failure = run_notebook(path, cwd=folder, timeout=timeout)
        if failure is not None:
            raise RuntimeError(f"{path.relative_to(ROOT)}::Cell {failure['cell']} failed: {failure['error']}")
        rows.append({"notebook": str(path.relative_to(ROOT)), "seconds": round(seconds, 1)})
    return rows


def over_budget(rows, budget=NOTEBOOK_BUDGET_S):
    """Messages naming every notebook whose time exceeds the budget (an empty list when all are within it)."""
    if not isinstance(budget, (int, float)) or budget <= 0:
        raise ValueError(f"budget must be a positive number of seconds, got {budget!r}")
    return [f"{row['notebook']} took {row['seconds']:.1f} s, over the {budget:g} s budget"
            for row in rows if row["seconds"] > budget]


def time_site_build():
    """Seconds for a clean build of the site (every notebook executed) and for a rebuild from the cache."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    out = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        times = []
        for _ in ("clean", "cached"):
            start = time.perf_counter()
            proc = subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
                                  capture_output=True, text=True)
            times.append(round(time.perf_counter() - start, 1))
            if proc.returncode != 0:
                raise RuntimeError(f"the site build failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"clean_s": times[0], "cached_s": times[1]}


def _torch_namespace():
    import torch
    from torch import nn
    from tqdm.auto import tqdm

    torch.set_flush_denormal(True)     # as every chapter does: subnormal floats make long CPU runs crawl
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return {"torch": torch, "nn": nn, "math": math, "time": time, "Path": Path, "tqdm": tqdm, "device": device}


# Chapter 6's character LSTM under two settings: the chapter's own (None: the defaults of its CharLM and
# train_char_lm, made for its 1,000-step runs) and settings for long runs (dropout 0.25 on the embeddings
# and the LSTM's output, peak 0.005: a one-cycle run at the chapter's 0.02 can blow up over many thousand steps).
LM_SETTINGS = {"chapter": None, "regularised": {"dropout": 0.25, "max_lr": 0.005}}


def charlm_vs_ngram(budgets, orders=range(2, 8), settings=None):
    """Chapter 6's character LSTM trained for each time budget (seconds) against Kneser-Ney n-grams,
    all in validation bits per character; the n-grams report the seconds they took to fit and score.
    `budgets` maps a name of LM_SETTINGS to its budgets (a plain list: the same budgets for every setting)."""
    if not isinstance(budgets, dict):
        budgets = {name: budgets for name in LM_SETTINGS}
    settings = LM_SETTINGS if settings is None else settings
    if not budgets or set(budgets) - set(settings):
        raise ValueError(f"budgets must name some of the settings {sorted(settings)}, got {sorted(budgets)}")
    for name, values in budgets.items():
        if not values or not all(isinstance(b, (int, float)) and b > 0 for b in values):
            raise ValueError(f"budgets must be positive numbers of seconds, got {values!r} for {name!r}")
    import torch

    from lstm_course.corpus import python_help_text
    from lstm_course.ngram import KneserNey

    ns = load_definitions(CHAPTERS / "06_text_generation.ipynb",
                          ["deduplicated_corpus", "CharLM", "train_char_lm", "lstm_bits_per_char"],
                          _torch_namespace() | {"python_help_text": python_help_text})
    text, _ = ns["deduplicated_corpus"]()
    split = int(0.9 * len(text))
    train_text, valid_text = text[:split], text[split:]
    ngrams = []
    for order in orders:
        start = time.perf_counter()
        bpc = KneserNey(order).fit(train_text).bits_per_char(valid_text)
        ngrams.append({"order": order, "bpc": round(bpc, 4), "seconds": round(time.perf_counter() - start, 1)})
    chars = sorted(set(train_text))
    lookup = {c: i for i, c in enumerate(chars)}
    train_ids = torch.tensor([lookup[c] for c in train_text])
    valid_ids = torch.tensor([lookup.get(c, 0) for c in valid_text])
    defaults = inspect.signature(ns["train_char_lm"]).parameters
    tokens_per_step = defaults["batch"].default * defaults["window"].default
    chapter_settings = {"dropout": inspect.signature(ns["CharLM"]).parameters["dropout"].default,
                        "max_lr": defaults["max_lr"].default}
    probe_steps = 50
    lstm = []
    for name, values in budgets.items():
        chosen = settings[name] or chapter_settings
        dropout, max_lr = chosen["dropout"], chosen["max_lr"]
        new_model = lambda: ns["CharLM"](len(chars), dropout=dropout).to(ns["device"])
        torch.manual_seed(0)
        probe = new_model()
        ns["train_char_lm"](probe, train_ids, 20, max_lr=max_lr, desc="warm-up")   # first calls pay set-up costs
        start = time.perf_counter()
        ns["train_char_lm"](probe, train_ids, probe_steps, max_lr=max_lr, desc="timing")
        seconds_per_step = (time.perf_counter() - start) / probe_steps
        for budget in values:
            steps = max(20, int(budget / seconds_per_step))
            torch.manual_seed(0)
            model = new_model()
            start = time.perf_counter()
            losses = ns["train_char_lm"](model, train_ids, steps, max_lr=max_lr, desc=f"{name}, {budget:g} s")
            seconds = time.perf_counter() - start
            lstm.append({"settings": name, "dropout": dropout, "max_lr": max_lr, "budget_s": budget, "steps": steps,
                         "train_s": round(seconds, 1), "epochs": round(steps * tokens_per_step / len(train_ids), 2),
                         "train_bpc": round(sum(losses[-100:]) / len(losses[-100:]), 4),
                         "bpc": round(ns["lstm_bits_per_char"](model, valid_ids), 4)})
            print(lstm[-1], flush=True)
    return {"ngram": ngrams, "lstm": lstm}


# Chapter 2's Recaller: (kind, keyword arguments of its train_recall).
RECALL_MODELS = {"RNN": ("RNN", {}), "RNN, IRNN": ("RNN", {"identity": True}), "GRU": ("GRU", {}),
                 "LSTM": ("LSTM", {}), "LSTM, forget bias 3": ("LSTM", {"forget_bias": 3.0}),
                 "LSTM, forget bias 5": ("LSTM", {"forget_bias": 5.0})}
# Chapter 3's protocol (batches of 16, Adam 0.01, stop at two perfect validation checks): (kind, initialisation).
LONG_RECALL_MODELS = {"RNN": ("RNN", "PyTorch default"), "GRU": ("GRU", "PyTorch default"),
                      "GRU, chrono": ("GRU", "chrono"), "LSTM": ("LSTM", "PyTorch default"),
                      "LSTM, forget biases alone": ("LSTM", "forget biases alone"), "LSTM, chrono": ("LSTM", "chrono")}
EXPERIMENTS = ("notebooks", "scratch", "marked", "recall", "long_recall", "recall_1000", "reviews", "human_numbers",
               "charlm", "site")
RECALL_1000_MODELS = ["RNN", "GRU", "LSTM, chrono"]       # chapter 3's delay, over seeds, each under one budget
RECALL_1000_BUDGET_S = 30.0


def _check_budget_and_models(seconds, models, known):
    """Raise ValueError unless seconds is a positive time budget and every model named is one of `known`."""
    if not isinstance(seconds, (int, float)) or seconds <= 0:
        raise ValueError(f"seconds must be a positive time budget, got {seconds!r}")
    unknown = sorted(set(models or ()) - set(known))
    if unknown:
        raise ValueError(f"unknown recall models {unknown}; choose from {list(known)}")


def recall_vs_delay(delays, seconds, seeds=(0,), models=None):
    """Chapter 2's delayed-recall task: held-out accuracy of each model against the delay, each run
    stopped by the same time budget (or earlier, after 20 perfect batches in a row)."""
    from tqdm.auto import tqdm


    if not delays or not all(isinstance(d, int) and d >= 1 for d in delays):
        raise ValueError(f"delays must be ints >= 1, got {delays!r}")
    _check_budget_and_models(seconds, models, RECALL_MODELS)
    from lstm_course.data import delayed_recall

    ns = load_definitions(CHAPTERS / "02_cell_state.ipynb", ["Recaller", "train_recall"],
                          _torch_namespace() | {"delayed_recall": delayed_recall})
    nn = ns["nn"]
    runs = [(name, delay, seed) for name in (models or RECALL_MODELS) for delay in delays for seed in seeds]
    rows = []
    for name, delay, seed in tqdm(runs, desc="delayed recall"):
        kind, options = RECALL_MODELS[name]
        start = time.perf_counter()
        _, accuracy, steps = ns["train_recall"](getattr(nn, kind), delay, max_steps=10**9, seed=seed,
                                                max_seconds=seconds, **options)
        rows.append({"model": name, "delay": delay, "seed": seed, "accuracy": round(accuracy, 4), "steps": steps,
                     "seconds": round(time.perf_counter() - start, 1)})
    return rows


def longest_delay(delays, seconds, seeds=(0,), models=None):
    """Chapter 3's training protocol on ever longer delays: for each model and seed, runs at each delay in turn
    (each under the same time budget) until the first delay it fails (held-out accuracy below RECALL_SOLVED)."""
    from tqdm.auto import tqdm

    from lstm_course.data import delayed_recall

    if not delays or not all(isinstance(d, int) and d >= 2 for d in delays) or list(delays) != sorted(set(delays)):
        raise ValueError(f"delays must be increasing ints >= 2, got {delays!r}")
    _check_budget_and_models(seconds, models, LONG_RECALL_MODELS)
    ns = _torch_namespace() | {"delayed_recall": delayed_recall, "RECALL_DELAY": max(delays), "MAX_STEPS": 10**9}
    ns = load_definitions(CHAPTERS / "03_gates.ipynb", ["chrono_init", "Recaller", "train_long_recall"], ns)
    rows = []
    for name, seed in tqdm([(m, s) for m in (models or LONG_RECALL_MODELS) for s in seeds], desc="longest delay"):
        kind, init = LONG_RECALL_MODELS[name]
        for delay in delays:
            accuracy, steps, took, _ = ns["train_long_recall"](init, seed, delay=delay, kind=kind, max_seconds=seconds)
            rows.append({"model": name, "delay": delay, "seed": seed, "accuracy": round(accuracy, 4), "steps": steps,
                         "seconds": round(took, 1), "budget_s": seconds})
            if accuracy < RECALL_SOLVED:
                break
    return rows


MARKED_CHAPTER = CHAPTERS / "01_vanishing_gradients.ipynb"
MARKED_NAMES = ["SWEEP_INITS", "SWEEP_RATES", "BEST_SETUPS", "FAIR_STEPS", "SOLVED"]


def _marked_namespace():
    """Chapter 1's fair test: its constants and its own initialise / MarkedRecaller / train_marked."""
    from lstm_course.data import marked_recall

    ns = load_definitions(MARKED_CHAPTER, MARKED_NAMES, _torch_namespace() | {"marked_recall": marked_recall})
    return load_definitions(MARKED_CHAPTER, ["initialise", "MarkedRecaller", "recall_accuracy", "train_marked"], ns)


def marked_recall_sweep(seeds=(0, 1), length=100, steps=600, models=None):
    """Chapter 1's sweep: for each model every start in SWEEP_INITS times every rate in SWEEP_RATES, the same
    seeds and the same step budget; one row per run (held-out accuracy, steps used)."""
    ns = _marked_namespace()
    if not isinstance(steps, int) or steps < 20:
        raise ValueError(f"steps must be an int >= 20 (validation runs every 20 steps), got {steps!r}")
    if not isinstance(length, int) or length <= 10:
        raise ValueError(f"length must be an int > 10 (the mark falls in the first ten steps), got {length!r}")
    unknown = sorted(set(models or ()) - set(ns["SWEEP_INITS"]))
    if unknown:
        raise ValueError(f"unknown sweep models {unknown}; choose from {list(ns['SWEEP_INITS'])}")
    runs = [(m, init, lr, length, seed) for m in (models or ns["SWEEP_INITS"]) for init in ns["SWEEP_INITS"][m]
            for lr in ns["SWEEP_RATES"] for seed in seeds]
    return _marked_runs(ns, runs, steps, "marked-recall sweep")


def _marked_runs(ns, runs, steps, desc):
    """Train chapter 1's train_marked once per (model, init, lr, length, seed) in runs; one row per run."""
    from tqdm.auto import tqdm

    rows = []
    for model, init, lr, length, seed in tqdm(runs, desc=desc):
        start = time.perf_counter()
        accuracy, used = ns["train_marked"](model, init, lr, length, seed, max_steps=steps)
        rows.append({"model": model, "init": init, "lr": lr, "length": length, "seed": seed,
                     "accuracy": round(accuracy, 4), "steps": used, "budget_steps": steps,
                     "seconds": round(time.perf_counter() - start, 1), "solved_at": ns["SOLVED"]})
    return rows


def sweep_winners(rows):
    """Each model's best set-up in sweep rows by bench_report.sweep_rank (a tie keeps the set-up met first);
    returns {model: (init, lr)}."""
    from bench_report import sweep_rank

    if not rows:
        raise ValueError("no sweep rows: run marked_recall_sweep first")
    scores = {}
    for r in rows:
        scores.setdefault((r["model"], r["init"], r["lr"]), []).append(r)
    best = {}
    for (model, init, lr), runs in scores.items():
        key = sweep_rank(runs)
        if model not in best or key > best[model][0]:
            best[model] = (key, (init, lr))
    return {model: setup for model, (_, setup) in best.items()}


def marked_recall_reliability(winners, lengths=(100, 300, 1000), seeds=tuple(range(5)), steps=1000):
    """Each model's swept best set-up (winners: {model: (init, lr)}) at every length over the seeds, with the
    same step budget for all; one row per run."""
    if not winners:
        raise ValueError("winners must name at least one model's (init, lr)")
    if not lengths or not all(isinstance(n, int) and n > 10 for n in lengths):
        raise ValueError(f"lengths must be ints > 10, got {lengths!r}")
    runs = [(m, init, lr, n, s) for m, (init, lr) in winners.items() for n in lengths for s in seeds]
    return _marked_runs(_marked_namespace(), runs, steps, "marked-recall reliability")


REVIEW_CHAPTER = CHAPTERS / "04_nn_lstm.ipynb"


def review_models(chapter=REVIEW_CHAPTER):
    """Chapter 4's MODELS, read from the chapter: {name: (layer name, init, learning rate)}."""
    ns = load_definitions(chapter, ["MODELS"], _torch_namespace())
    return {name: (kind.__name__, init, lr) for name, (kind, init, lr) in ns["MODELS"].items()}


# The IRNN at the other learning rate of chapter 1's sweep, so that on reviews it too gets both of the sweep's rates.
REVIEW_EXTRA = {"RNN, IRNN, lr 0.01": ("RNN", "IRNN", 1e-2)}


def longest_review(lengths, seeds=(0, 1, 2), models=None):
    """Chapter 4's review classifier and training protocol on ever longer reviews: for each model and seed, runs
    at each length in turn until the first it fails (held-out accuracy not above chapter 4's LEARNED)."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
    from tqdm.auto import tqdm

    from bench_report import review_learned

    from lstm_course.data import review_vocabulary, synthetic_reviews

    if not lengths or not all(isinstance(n, int) and n >= 2 for n in lengths) or list(lengths) != sorted(set(lengths)):
        raise ValueError(f"lengths must be increasing ints >= 2, got {lengths!r}")
    known = review_models() | REVIEW_EXTRA
    learned = review_learned()
    unknown = sorted(set(models or ()) - set(known))
    if unknown:
        raise ValueError(f"unknown review models {unknown}; choose from {list(known)}")
    chapter = REVIEW_CHAPTER
    ns = _torch_namespace() | {"functools": functools, "review_vocabulary": review_vocabulary,
                               "synthetic_reviews": synthetic_reviews, "pad_sequence": pad_sequence,
                               "pack_padded_sequence": pack_padded_sequence}
    ns = load_definitions(chapter, ["VOCAB", "MAX_STEPS", "BATCH", "CHRONO_T_MAX"], ns)
    ns = load_definitions(chapter, ["encode", "ReviewClassifier", "review_tensors", "train_classifier"], ns)
    nn = ns["nn"]
    rows = []
    for name, seed in tqdm([(m, s) for m in (models or known) for s in seeds], desc="longest review"):
        kind, init, lr = known[name]
        for length in lengths:
            start = time.perf_counter()
            t_max = max(ns["CHRONO_T_MAX"], length)     # chrono's time scales reach at least the review's length
            _, accuracy, _, steps = ns["train_classifier"](getattr(nn, kind), init, length, seed=seed, t_max=t_max,
                                                           lr=lr)
            rows.append({"model": name, "length": length, "seed": seed, "lr": lr, "accuracy": round(accuracy, 4),
                         "steps": steps, "seconds": round(time.perf_counter() - start, 1), "max_steps": ns["MAX_STEPS"],
                         "batch": ns["BATCH"], "chrono_t_max": t_max})
            ns["review_tensors"].cache_clear()           # long reviews take memory; each seed's data is made anew
            if accuracy <= learned:
                break
    return rows


def human_numbers_seeds(seeds=tuple(range(10)), rungs=None, epochs=None):
    """Chapter 9's ladder (every rung by default, or the rungs named), data and training code, once per rung and
    seed: validation accuracy and training seconds of each. `epochs` overrides the chapter's (for quick tests)."""
    from tqdm.auto import tqdm

    from lstm_course.data import human_numbers
    from lstm_course.repro import course_seeds

    if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds) \
            or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct ints >= 0, got {seeds!r}")
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1):
        raise ValueError(f"epochs must be an int >= 1 or None (the chapter's), got {epochs!r}")
    if isinstance(rungs, str):
        raise TypeError(f"rungs must be a list of rung names or None, got the string {rungs!r}")
    chapter = CHAPTERS / "09_word_language_model.ipynb"
    ns = _torch_namespace() | {"human_numbers": human_numbers}
    ns = load_definitions(chapter, ["SEEDS", "train_words", "word_id", "train_ids", "valid_ids", "BATCH",
                                       "EVAL_ROWS", "RUNGS", "FASTBOOK"], ns | {"course_seeds": course_seeds})
    rungs = list(ns["RUNGS"]) if rungs is None else list(rungs)
    unknown = [r for r in rungs if r not in ns["RUNGS"]]
    if unknown:
        raise ValueError(f"unknown rung {unknown[0]!r}; chapter 9's rungs are {list(ns['RUNGS'])}")
    if not rungs:
        raise ValueError(f"rungs must name at least one of chapter 9's rungs: {list(ns['RUNGS'])}")
    ns = load_definitions(chapter, ["as_streams", "WordModel", "detached", "chunks", "evaluate", "train_rung"], ns)
    rows = []
    for rung in rungs:
        if epochs is not None:
            ns["RUNGS"][rung] = ns["RUNGS"][rung] | {"epochs": epochs}
        settings = ns["RUNGS"][rung]
        for seed in tqdm(seeds, desc=rung):
            _, (correct, _, _), seconds = ns["train_rung"](rung, seed)
            rows.append({"rung": rung, "seed": seed, "accuracy": round(correct.float().mean().item(), 4),
                         "seconds": round(seconds, 1), "epochs": settings["epochs"],
                         "batch": settings.get("batch", ns["BATCH"]), "bptt": settings["bptt"],
                         "eval_rows": ns["EVAL_ROWS"], "chapter_seeds": settings.get("seeds", len(ns["SEEDS"])),
                         "book": ns["FASTBOOK"][rung]})
    return rows


def scratch_vs_nn_lstm(sizes, batch=32, length=100, repeats=5):
    """Forward + backward time (ms, median of `repeats`) of chapter 3's from-scratch LSTM and of nn.LSTM."""
    if not sizes or not all(isinstance(n, int) and n >= 1 for n in sizes):
        raise ValueError(f"sizes must be hidden sizes (ints >= 1), got {sizes!r}")

    ns = load_definitions(CHAPTERS / "03_gates.ipynb", ["lstm_cell_step", "lstm_unroll"], _torch_namespace())
    torch, nn, device = ns["torch"], ns["nn"], ns["device"]
    rows = []
    for hidden in sizes:
        torch.manual_seed(0)
        lstm = nn.LSTM(hidden, hidden).to(device)
        x = torch.randn(length, batch, hidden, device=device)
        zeros = torch.zeros(batch, hidden, device=device)
        weights = (lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0)
        runs = {"scratch": lambda: ns["lstm_unroll"](x, zeros, zeros, *weights)[0],
                "nn.LSTM": lambda: lstm(x)[0]}
        row = {"hidden": hidden, "batch": batch, "length": length}
        for name, forward in runs.items():
            forward().sum().backward()                          # warm-up
            times = []
            for _ in range(repeats):
                if device.type == "cuda":
                    torch.cuda.synchronize()
                start = time.perf_counter()
                forward().sum().backward()
                if device.type == "cuda":
                    torch.cuda.synchronize()
                times.append((time.perf_counter() - start) * 1000)
            row[f"{name}_ms"] = round(statistics.median(times), 2)
        row["ratio"] = round(row["scratch_ms"] / row["nn.LSTM_ms"], 2)
        rows.append(row)
    return rows


def merge_previous(results, path):
    """Results from an earlier run on the same machine (same CPU, cores, torch and device), updated by `results`."""
    if not Path(path).exists():
        raise ValueError(f"{path} does not exist: run the whole benchmark once before rerunning parts of it")
    previous = json.loads(Path(path).read_text(encoding="utf-8"))
    keys = ("cpu", "cores", "torch", "device")
    if any(previous["machine"].get(k) != results["machine"][k] for k in keys):
        raise ValueError(f"{path} was measured on another machine ({previous['machine']}); rerun every experiment")
    return previous | results


def main(argv=None):
    """Run the benchmark, write the results and the appendix page; exit 1 if a notebook is over budget."""
    from bench_report import write_report
    from execute import record_seconds
    from registry import notebooks

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "appendix"), help="folder for results, figures and the page")
    parser.add_argument("--lm-budgets", default="30,60,300", help="character-LM budgets (s), chapter 6's settings")
    parser.add_argument("--lm-long-budgets", default="30,60,300,1200",
                        help="character-LM budgets (s) with the settings for long runs (dropout, lower peak)")
    parser.add_argument("--recall-delays", default="25,50,100,200,400")
    parser.add_argument("--recall-seconds", type=float, default=60.0, help="time budget of each delayed-recall run")
    parser.add_argument("--long-recall-delays", default="25,50,100,200,400,1000,2000,4000")
    parser.add_argument("--long-recall-seconds", type=float, default=90.0, help="time budget of each run at one delay")
    parser.add_argument("--review-lengths", default="25,50,100,200,400,800")
    parser.add_argument("--sizes", default="32,128,512", help="hidden sizes for scratch vs nn.LSTM")
    parser.add_argument("--only", default=",".join(EXPERIMENTS),
                        help="experiments to run; the others are kept from the existing results in --out")
    parser.add_argument("--recall-models", default="", help="rerun only these recall models (names separated by ;)")
    args = parser.parse_args(argv)
    numbers = lambda text, kind: [kind(v) for v in text.split(",") if v.strip()]
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    if set(only) - set(EXPERIMENTS):
        parser.error(f"--only takes some of {', '.join(EXPERIMENTS)}")
    out = Path(args.out)
    results = {"machine": machine(), "budget_s": NOTEBOOK_BUDGET_S}
    if set(only) != set(EXPERIMENTS) or args.recall_models:
        results = merge_previous(results, out / "bench_results.json")

    if "notebooks" in only:
        results["notebooks"] = time_notebooks(notebooks(ROOT))
        record_seconds({row["notebook"]: row["seconds"] for row in results["notebooks"]})
    if "scratch" in only:
        results["scratch"] = scratch_vs_nn_lstm(numbers(args.sizes, int))
    if "marked" in only:
        sweep = marked_recall_sweep()
        results["marked"] = {"sweep": sweep, "reliability": marked_recall_reliability(sweep_winners(sweep))}
    if "recall" in only:
        models = [m.strip() for m in args.recall_models.split(";") if m.strip()] or None
        rows = recall_vs_delay(numbers(args.recall_delays, int), args.recall_seconds, models=models)
        kept = [r for r in results.get("recall", []) if models and r["model"] not in models]
        results["recall"] = sorted(kept + rows, key=lambda r: (list(RECALL_MODELS).index(r["model"]), r["delay"], r["seed"]))
    if "long_recall" in only:
        results["long_recall"] = longest_delay(numbers(args.long_recall_delays, int), args.long_recall_seconds)
    if "recall_1000" in only:
        delay = load_definitions(CHAPTERS / "03_gates.ipynb", ["RECALL_DELAY"], {})["RECALL_DELAY"]
        results["recall_1000"] = longest_delay([delay], RECALL_1000_BUDGET_S, seeds=(0, 1, 2), models=RECALL_1000_MODELS)
    if "reviews" in only:
        results["reviews"] = longest_review(numbers(args.review_lengths, int))
    if "human_numbers" in only:
        results["human_numbers"] = human_numbers_seeds()
    if "charlm" in only:
        results["charlm"] = charlm_vs_ngram({"regularised": numbers(args.lm_long_budgets, float),
                                             "chapter": numbers(args.lm_budgets, float)})
    page = write_report(results, out)
    if "site" in only:                   # the book includes the page, so it is built once the page exists
        results["site"] = time_site_build()
        page = write_report(results, out)
    print(f"results and page written: {page}")
    problems = over_budget(results.get("notebooks", []))
    for problem in problems:
        print("OVER BUDGET:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
