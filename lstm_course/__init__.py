"""Infrastructure for the 'LSTM and Sequence Models' course (teaching code lives in the notebooks)."""

# The notebooks' install cells ask for exactly this version (`make sync` writes it into them), from the
# repository's tag v<version>: bump it when the helper changes, run `make sync`, and tag the release.
__version__ = "0.9.1"
