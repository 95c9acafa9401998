"""A fixed text corpus for chapter 6: Python 3.11's help pages, the same on every Python version and machine."""

import gzip
import hashlib
from importlib import resources

# Python ships the text of its help pages as pydoc_data.topics, but the text changes between Python versions
# (Colab's Python is not the course's), so the course ships one snapshot: the 79 topics of CPython 3.11.7's
# Lib/pydoc_data/topics.py, sorted by name and joined by blank lines. Source: the CPython repository (Python
# documentation, © Python Software Foundation), distributed under the PSF License Agreement (Python's
# documentation licence); see https://docs.python.org/3/license.html.
SNAPSHOT = "python_help_3.11.txt.gz"
SNAPSHOT_SHA256 = "71f2ff5d99bdc1f9c48c5c2353ad138201c5ca1c377e0226857ef8fa89b8bcee"
SNAPSHOT_CHARACTERS = 465_126


def python_help_text():
    """The snapshot's text (465,126 characters), checked against its SHA-256 so every reader trains on the same text."""
    data = gzip.decompress(resources.files("lstm_course").joinpath(SNAPSHOT).read_bytes())
    digest = hashlib.sha256(data).hexdigest()
    if digest != SNAPSHOT_SHA256:
        raise RuntimeError(f"{SNAPSHOT} is damaged (SHA-256 {digest}, expected {SNAPSHOT_SHA256}): "
                           "reinstall lstm_course")
    return data.decode("utf-8")
