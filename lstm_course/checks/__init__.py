"""Answer checkers for the exercise notebooks, one module per chapter; each returns Feedback naming the mistake."""

from .feedback import Feedback
from .vanishing_gradients import check_clip_by_total_norm, check_steps_below, clip_reference
from .cell_state import check_belt_factor, check_forget_bias_for, check_set_forget_bias
from .gates import check_bidirectional_head, check_lstm_param_count, check_lstm_step
from .gates import _reference_step  # noqa: F401  (not public: tests build wrong LSTM steps from it)
from .nn_lstm import check_last_real_step, check_lstm_shapes
from .bidirectional import check_bidirectional_summary, check_causal_forecast
from .text_generation import check_bits_per_char, check_sampling_distribution
from .mistakes_and_practices import check_conv_output_length, check_gru_param_count
from .sequence_to_sequence import check_attention_weights, check_beam_step, check_teacher_forcing_inputs
from .word_language_model import check_as_streams, check_shifted_chunk, check_tied_weights

__all__ = [
    "Feedback",
    "check_steps_below", "check_clip_by_total_norm", "clip_reference",
    "check_belt_factor", "check_forget_bias_for", "check_set_forget_bias",
    "check_lstm_step", "check_lstm_param_count", "check_bidirectional_head",
    "check_lstm_shapes", "check_last_real_step",
    "check_bidirectional_summary", "check_causal_forecast",
    "check_bits_per_char", "check_sampling_distribution",
    "check_gru_param_count", "check_conv_output_length",
    "check_teacher_forcing_inputs", "check_attention_weights", "check_beam_step",
    "check_as_streams", "check_shifted_chunk", "check_tied_weights",
]
