"""Infrastructure for the 'LSTM and Sequence Models' course (teaching code lives in the notebooks)."""

__version__ = "0.1.0"
