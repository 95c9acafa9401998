"""lstm_course.claims: a chapter's claim asserts, prints its spread, and records itself for the appendix."""

import json

import numpy as np
import pytest
import torch

from lstm_course.claims import CLAIMS_VARIABLE, claim, headline, spread


def test_spread_gives_range_and_count_per_group():
    assert spread(0.5) == "0.5"
    assert spread([0.991, 1.0, 0.9975]) == "0.991 to 1 (3)"
    assert spread(torch.tensor([3.0, 1.0])) == "1 to 3 (2)"
    assert spread(torch.tensor([[3.0, 1.0], [2.0, 5.0]])) == "1 to 5 (4)", "a table counts every entry"
    assert spread([torch.tensor([3.0, 1.0]), np.array([5.0])]) == "1 to 5 (3)"
    assert spread({"chrono": np.array([1.0, 0.99]), "alone": [0.51]}) == "chrono 0.99 to 1 (2); alone 0.51"


def test_a_claim_that_holds_prints_itself_with_its_spread(capsys):
    claim("chrono solves it", torch.tensor([0.99, 1.0, 1.0]), torch.tensor(True))
    assert capsys.readouterr().out == "✓ chrono solves it [0.99 to 1 (3)]\n"


def test_a_long_claim_is_wrapped_to_fit_the_column_without_losing_words(capsys):
    statement = "at 200 words the chrono LSTM learns in every seed and the IRNN in fewer of them, " * 2
    claim(statement, {"LSTM, chrono": [0.998, 1.0, 1.0], "RNN, IRNN": [0.5, 0.52, 0.986]}, True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 2 and all(len(line) <= 78 for line in lines), lines
    assert lines[0].startswith("✓ at 200 words") and all(line.startswith("  ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines).split() == f"✓ {statement} [LSTM, chrono 0.998 to 1 (3); RNN, IRNN 0.5 to 0.986 (3)]".split()


def test_a_claim_that_fails_raises_naming_the_claim_and_the_numbers():
    # a claim() that only printed would let a chapter's wrong sentence through
    with pytest.raises(AssertionError, match=r"A beats B \(measured: A 0.4 to 0.6 \(2\)\)"):
        claim("A beats B", {"A": [0.4, 0.6]}, False)


def test_claims_are_recorded_only_where_the_variable_names_a_file(tmp_path, monkeypatch):
    target = tmp_path / "claims.jsonl"
    monkeypatch.delenv(CLAIMS_VARIABLE, raising=False)
    claim("not recorded", [1.0], True)
    assert not target.exists()
    monkeypatch.setenv(CLAIMS_VARIABLE, str(target))
    claim("first", [0.5, 0.7], True, isolates="initialisation")
    with pytest.raises(AssertionError):
        claim("second", {"x": 2}, False)
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert records == [
        {"statement": "first", "values": {"": [0.5, 0.7]}, "isolates": "initialisation", "holds": True},
        {"statement": "second", "values": {"x": [2.0]}, "isolates": None, "holds": False}]


def test_headline_prints_mean_seed_count_and_minimum_in_the_issue_format(capsys):
    # mean of 0.7, 0.8, 0.9 is 0.8 (by hand); a bug printing the max or the median would differ
    headline("forecast_lstm_mase", [0.9, 0.7, 0.8])
    headline("forecast_best_baseline_mase", 0.901234)
    assert capsys.readouterr().out.splitlines() == [
        "headline: forecast_lstm_mase = 0.8 (3 seeds, min 0.7)",
        "headline: forecast_best_baseline_mase = 0.9012 (1 seeds, min 0.9012)"]


@pytest.mark.parametrize("name, values, message", [
    ("lstm mase", [1.0], "identifier"), ("x", [], "empty"), ("x", [float("nan")], "finite")])
def test_headline_rejects_bad_names_and_numbers(name, values, message):
    with pytest.raises(ValueError, match=message):
        headline(name, values)
