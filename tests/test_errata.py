"""Statements a careful reader found wrong, checked so they cannot come back: each phrase must stay out of
the chapters, quizzes, exercises and interview questions (the corrected text teaches what is true)."""

import pytest

from conftest import NOTEBOOKS, ROOT, cell_source, load_notebook

WRONG = {
    "no direct GRU equivalent": "the GRU's update-gate bias plays the forget bias's role (chapter 7 measures it)",
    "slower and slower until memory": "without detach PyTorch raises an error; retain_graph=True makes each step reach all earlier windows (chapter 7 counts them)",
    "simply for being long": "P(word + space | prompt) is the exact probability of the word; candidates are disjoint",
    "all 500 test sequences": "chapter 3 tests 200 sequences",
    "1e-23": "a number nothing computes",
    "about 10⁶": "a number nothing computes",
    "from the LSTM's output at the last step": "a bidirectional LSTM's last output holds the backward direction after one token",
    # issue 28
    "at several times the cost": "chapter 8 measured beam search at 1.0-1.7x greedy's time per sentence",
    "cannot run code on your": "weights_only=True narrows the risk (CVE-2025-32434 hit PyTorch up to 2.5.1)",
    "learns from less": "the course does not measure data efficiency; it is a hypothesis",
    "which this model has learned to ignore": "chapter 4 now measures what the late words do",
    "writes the bit onto its belt at": "the bit is in the cell state at t = 0, but the plotted unit accumulates a drift",
    "best-tuned": "scale 1.5 kept more gradient than scale 1.0 at k = 200",
    "a cure for exploding": "clipping stops the divergence; the clipped runs did not learn",
}


def _texts():
    for path in NOTEBOOKS:
        yield str(path.relative_to(ROOT)), "\n".join(cell_source(c) for c in load_notebook(path)["cells"])
    for pattern in ("quizzes/*.yml", "chapters/*.md"):
        for path in sorted(ROOT.glob(pattern)):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


@pytest.mark.parametrize("phrase", WRONG)
def test_a_corrected_statement_does_not_come_back(phrase):
    found = [where for where, text in _texts() if phrase.lower() in text.lower()]
    assert not found, f"{phrase!r} is back in {found}; what is true: {WRONG[phrase]}"
