"""No hand-typed measured numbers: in the chapters' prose and figure alt text, every decimal, power of ten,
percentage or thousands-separated number must be a setting or a constant of the derivation (listed below).
A measured value has to be built from the computed result in the cell (f-string alt text, Markdown made in
code), so the text cannot drift from what the reader's run measured."""

import re

import pytest

from conftest import REGISTERED, ROOT, cell_source, load_notebook

CHECKED = [c.name for c in REGISTERED]          # every registered chapter
# Settings (weight scales, forget biases and the gate values they give, learning rates, dataset sizes) and
# results of arithmetic in the derivations (0.5^40 ~ 1e-12, 0.9^19 ~ 0.14): not measurements.
CONSTANTS = {"0.5", "1.0", "1.5", "3.0", "0.95", "0.73", "0.99", "0.3", "0.01", "0.003", "3e-3", "0.9", "0.14",
             "1e-10", "10^{-10}", "10^{-12}", "1,000", "2,000", "50%", "15%",
             # chapter 6: the corpus's Python version, the 90/10 split, log2(100), training steps, peak
             # learning rate, candidate words
             "3.11", "90%", "10%", "6.6", "1,000", "0.02", "3,000",
             # chapter 6: the last PyTorch release (2.5.1) that CVE-2025-32434 affects
             "2.5",
             # chapter 8: the share of numbers held out; chapter 9: the data set's range and split, the prompts,
             # the dropout and weight decay of the fast.ai book's recipe
             "20%", "9,999", "80%", "2,345", "9,000", "9,732", "0.4", "0.1",
             # chapter 3: the longest delay the benchmark appendix tries
             "4,000",
             # chapter 4: the early-stopping threshold of the review runs, the IRNN's learning rate (chapter 1's
             # sweep; tests/test_bench.py checks it against the chapter's MODELS)
             "98%", "0.001",
             # chapter 10: its time-ordered split, 70% to train, 15% to validate, 15% to test (TRAIN, VALID)
             "70%"}
NUMBER = re.compile(r"(?<![\w.{])(\d+\.\d+|\d+(?:\.\d+)?e-?\d+|10\^\{?-?\d+\}?|10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+|\d+(?:,\d{3})+|\d+ ?%)")
ALT = re.compile(r'alt=(f?)((?:"[^"\n]*"\s*)+)')


def typed_numbers(nb):
    """(cell index, number) for each number typed in Markdown cells or in the literal part of alt text."""
    found = []
    for index, cell in enumerate(nb["cells"]):
        source = cell_source(cell)
        if cell["cell_type"] == "markdown":
            found += [(index, number) for number in NUMBER.findall(source)]
        else:
            for _, literal in ALT.findall(source):
                literal = re.sub(r"\{[^}]*\}", "", literal)          # f-string fields are computed
                found += [(index, f"alt text: {number}") for number in NUMBER.findall(literal)]
    return found


def test_the_scanner_finds_typed_numbers_and_ignores_computed_ones():
    nb = {"cells": [{"cell_type": "markdown", "source": "The LSTM reached 0.97 accuracy, 12% better, 1e-23 and 10^{6}."},
                    {"cell_type": "code", "source": 'show_figure(fig, alt=f"accuracy {acc:.2f}, not 0.81")'}]}
    assert [n for _, n in typed_numbers(nb)] == ["0.97", "12%", "1e-23", "10^{6}", "alt text: 0.81"]


@pytest.mark.parametrize("chapter", CHECKED)
def test_no_hand_typed_measured_number(chapter):
    nb = load_notebook(ROOT / "chapters" / f"{chapter}.ipynb")
    typed = [(index, number) for index, number in typed_numbers(nb) if number.removeprefix("alt text: ") not in CONSTANTS]
    assert not typed, (f"{chapter}: numbers typed by hand (cell, number): {typed}. Build them from the measurement "
                       "(an f-string, Markdown made in the cell), or add a true constant to CONSTANTS.")
