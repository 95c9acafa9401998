"""Notebook conventions: the canonical install cell, a sync command for it, and reuse of a chapter's definitions."""

import ast
import json
import re
import sys
from pathlib import Path

ENV_VAR = "LSTM_COURSE_SOURCE"

SETUP_TEMPLATE = '''\
# Installs the course's helper package, the version this notebook was
# written for, unless it is already there (Colab, a notebook opened alone).
# Set LSTM_COURSE_SOURCE to install from a local checkout or wheel.
import importlib
import importlib.metadata
import importlib.util
import os
import subprocess
import sys

HELPER_VERSION = "{version}"
RELEASE = "git+{repo_url}@v{version}"


def helper_version():
    if importlib.util.find_spec("lstm_course") is None:
        return None
    try:
        return importlib.metadata.version("lstm_course")
    except importlib.metadata.PackageNotFoundError:
        return None


if helper_version() != HELPER_VERSION:
    source = os.environ.get("LSTM_COURSE_SOURCE", RELEASE)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", source]
    subprocess.run(pip, check=True)
    importlib.invalidate_caches()
    if helper_version() != HELPER_VERSION:
        raise RuntimeError(
            f"this notebook needs lstm_course {{HELPER_VERSION}}, "
            f"but {{source}} gave {{helper_version()}}"
        )'''

SETUP_TAG = "remove-cell"


def repository_url(config_path="_config.yml"):
    """Read repository.url from the book's _config.yml (the one place the repository is named)."""
    import yaml

    config = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))
    url = (config.get("repository") or {}).get("url")
    if not isinstance(url, str) or not re.match(r"^https://\S+$", url):
        raise ValueError(f"{config_path}: repository.url must be an https URL, got {url!r}")
    return url.rstrip("/")


def setup_cell_source(repo_url, version=None):
    """The exact source of the first code cell of every notebook, for the given repository URL: it installs
    the helper at `version` (default: this package's), from the repository's tag v<version>."""
    from . import __version__

    if not isinstance(repo_url, str) or not repo_url.startswith("https://"):
        raise ValueError(f"repo_url must be an https URL, got {repo_url!r}")
    version = __version__ if version is None else version
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise ValueError(f"version must look like 1.2.3, got {version!r}")
    return SETUP_TEMPLATE.format(repo_url=repo_url, version=version)


def first_code_cell(nb):
    """Return the first code cell of a notebook dict, or raise ValueError if it has none."""
    if not isinstance(nb, dict):
        raise TypeError(f"expected a notebook as a dict, got {type(nb).__name__}")
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            return cell
    raise ValueError("notebook has no code cell")


NOTEBOOK_DIRS = ("chapters", "exercises")


def course_notebooks(root):
    """Every notebook of the course under `root` (chapters, exercises), sorted: what `make sync` rewrites."""
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder: expected the course's repository root")
    return sorted(p for d in NOTEBOOK_DIRS for p in (root / d).glob("*.ipynb"))


def cell_source(cell):
    """A notebook cell's source as one string (nbformat stores it as a string or a list of lines)."""
    if not isinstance(cell, dict):
        raise TypeError(f"a notebook cell is a dict, got {type(cell).__name__}")
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def sync(paths, repo_url):
    """Rewrite the first code cell of each notebook to the canonical setup cell; return changed paths."""
    expected = setup_cell_source(repo_url)
    changed = []
    for path in map(Path, paths):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = first_code_cell(nb)
        source = cell_source(cell)
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if source != expected or SETUP_TAG not in tags:
            cell["source"] = expected
            if SETUP_TAG not in tags:
                tags.append(SETUP_TAG)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(str(path))
    return changed


def load_definitions(path, names, namespace):
    """Execute in namespace the top-level definitions of `names` from a notebook's code cells, in notebook order:
    functions and classes (from the first decorator to the end of the body) and assignments to those names
    (constants such as MAX_STEPS, or a measured table); return namespace, which supplies what they use (torch,
    nn, device ...). This is the one way the benchmark and the tests run a chapter's code instead of copying it;
    a chapter's text names what they take from it."""
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError("names must be a list of function, class or constant names")
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    wanted, pieces, found = set(names), [], set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in wanted:
                # from the first decorator (such as @torch.no_grad()) to the end of the body
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                pieces.append((node.name, "\n".join(lines[first - 1:node.end_lineno])))
                found.add(node.name)
            elif isinstance(node, ast.Assign):
                targets = {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
                if targets & wanted:
                    pieces.append((",".join(sorted(targets)), ast.get_source_segment(source, node)))
                    found |= targets & wanted
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(f"{path}: no top-level definition of {missing}")
    for label, code in pieces:
        exec(compile(code, f"{path}:{label}", "exec"), namespace)
    return namespace


if __name__ == "__main__":  # python -m lstm_course.notebooks  (run by `make sync`)
    for name in sync(course_notebooks("."), repository_url()):
        print("updated", name)
    sys.exit(0)
