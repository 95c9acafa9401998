"""The from-scratch LSTM cell of chapter 3, taken from the notebook itself, equals nn.LSTM for random shapes."""

import pytest
import torch
from torch import nn

from conftest import ROOT
from lstm_course.notebooks import load_definitions


@pytest.fixture(scope="module")
def scratch():
    """lstm_cell_step and lstm_unroll as chapter 3 defines them (load_definitions, as the benchmark uses them)."""
    return load_definitions(ROOT / "chapters" / "03_gates.ipynb", ["lstm_cell_step", "lstm_unroll"],
                            {"torch": torch, "nn": nn})


@pytest.mark.parametrize("seed", range(8))
def test_scratch_equals_nn_lstm_for_random_shapes(scratch, seed):
    gen = torch.Generator().manual_seed(seed)
    seq_len, batch, inp, hid = (int(torch.randint(1, hi, (1,), generator=gen)) for hi in (25, 9, 20, 33))
    torch.manual_seed(seed)
    ref = nn.LSTM(inp, hid, dtype=torch.float64)
    x = torch.randn(seq_len, batch, inp, dtype=torch.float64, generator=gen)
    h0 = torch.randn(1, batch, hid, dtype=torch.float64, generator=gen)
    c0 = torch.randn(1, batch, hid, dtype=torch.float64, generator=gen)
    with torch.no_grad():
        out_ref, (h_ref, c_ref) = ref(x, (h0, c0))
        out, (h_n, c_n) = scratch["lstm_unroll"](x, h0[0], c0[0], ref.weight_ih_l0, ref.weight_hh_l0,
                                                  ref.bias_ih_l0, ref.bias_hh_l0)
    assert out.shape == out_ref.shape == (seq_len, batch, hid)
    for mine, theirs in ((out, out_ref), (h_n, h_ref[0]), (c_n, c_ref[0])):
        assert (mine - theirs).abs().max().item() <= 1e-10


def test_scratch_step_notices_a_wrong_gate_order(scratch):
    torch.manual_seed(0)
    ref = nn.LSTMCell(3, 4, dtype=torch.float64)
    x, h, c = (torch.randn(2, n, dtype=torch.float64) for n in (3, 4, 4))
    w_ih = ref.weight_ih.detach().clone()
    w_ih[4:8], w_ih[8:12] = ref.weight_ih[8:12].detach(), ref.weight_ih[4:8].detach()   # swap f and g
    with torch.no_grad():
        h_ref, _ = ref(x, (h, c))
        h_ok, _ = scratch["lstm_cell_step"](x, h, c, ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh)
        h_bad, _ = scratch["lstm_cell_step"](x, h, c, w_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh)
    assert (h_ok - h_ref).abs().max() <= 1e-12
    assert (h_bad - h_ref).abs().max() > 1e-3
