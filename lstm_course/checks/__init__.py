"""Answer checkers for the exercise notebooks, one module per chapter; each returns Feedback naming the mistake."""

# Every module here except feedback.py is a chapter's (named like it: gates.py for 03_gates) and lists its
# checkers in __all__. They are found by name, so a new chapter's module needs no edit in this file.
import importlib
import pkgutil

from .feedback import Feedback

CHAPTER_MODULES = tuple(importlib.import_module(f"{__name__}.{info.name}")
                        for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
                        if info.name != "feedback")
__all__ = ["Feedback"]
for _module in CHAPTER_MODULES:
    for _name in _module.__all__:
        if _name in __all__:
            raise ImportError(f"lstm_course.checks: {_module.__name__} defines {_name}, which another module has")
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)
del _module, _name
