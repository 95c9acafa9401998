"""Answer checkers for the exercise notebooks, one module per chapter; each returns Feedback naming the mistake."""

# Each chapter's module lists its checkers in __all__; a new checker needs no edit here.
from . import (bidirectional, cell_state, gates, mistakes_and_practices, nn_lstm, sequence_to_sequence,
               text_generation, vanishing_gradients, word_language_model)
from .bidirectional import *  # noqa: F401,F403
from .cell_state import *  # noqa: F401,F403
from .feedback import Feedback
from .gates import *  # noqa: F401,F403
from .mistakes_and_practices import *  # noqa: F401,F403
from .nn_lstm import *  # noqa: F401,F403
from .sequence_to_sequence import *  # noqa: F401,F403
from .text_generation import *  # noqa: F401,F403
from .vanishing_gradients import *  # noqa: F401,F403
from .word_language_model import *  # noqa: F401,F403

CHAPTER_MODULES = (vanishing_gradients, cell_state, gates, nn_lstm, bidirectional, text_generation,
                   mistakes_and_practices, sequence_to_sequence, word_language_model)
__all__ = ["Feedback"] + [name for module in CHAPTER_MODULES for name in module.__all__]
