"""The chapter registry: `_toc.yml` lists the chapters; every other list of them is read or generated from it.

A chapter `NN_topic` is three files, registered by two entries of `_toc.yml` (Chapters and Exercises parts):

    chapters/NN_topic.ipynb     the chapter (its first heading "# N. Title" gives the title)
    exercises/NN_topic.ipynb    its exercises, ending with the chapter's whole quiz
    quizzes/NN_topic.yml        its quiz bank (shipped inside the helper package)

Tests, tools and the README read the chapters from here (`chapters()`, `notebooks()`); the README's chapter
table is generated (`readme_table`) and `make test` fails when it is stale. `make chapter NAME=NN_topic`
scaffolds a new chapter in the course's shape and registers it (`scaffold`).

    python tools/registry.py                  # list the registered chapters
    python tools/registry.py --write-readme   # regenerate the README's chapter table
    python tools/registry.py --new NN_topic   # scaffold and register a chapter (make chapter NAME=NN_topic)
"""

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^(\d{2})_([a-z][a-z0-9_]*)$")
TITLE = re.compile(r"^# (\d+)\. (.+)$", re.M)
PARTS = {"chapters": "Chapters", "exercises": "Exercises"}
README_START = "<!-- chapter table: generated from _toc.yml by `python tools/registry.py --write-readme` -->"
README_END = "<!-- end of chapter table -->"


class RegistryError(ValueError):
    """The registry and the files on disk disagree; the message says what to fix."""


@dataclass(frozen=True)
class Chapter:
    """One registered chapter: its name NN_topic, number, title and the paths of its three files."""

    name: str
    root: Path

    @property
    def number(self):
        return int(self.name[:2])

    @property
    def topic(self):
        return self.name[3:]

    @property
    def chapter(self):
        return self.root / "chapters" / f"{self.name}.ipynb"

    @property
    def exercises(self):
        return self.root / "exercises" / f"{self.name}.ipynb"

    @property
    def bank(self):
        return self.root / "quizzes" / f"{self.name}.yml"

    @property
    def title(self):
        """The chapter's title, from its first heading "# N. Title" (the number must match the name)."""
        from lstm_course.notebooks import cell_source

        for cell in json.loads(self.chapter.read_text(encoding="utf-8"))["cells"]:
            found = TITLE.search(cell_source(cell)) if cell["cell_type"] == "markdown" else None
            if found:
                if int(found.group(1)) != self.number:
                    raise RegistryError(f"{self.chapter.relative_to(self.root)}: its title is numbered "
                                        f"{found.group(1)}, its file name {self.number}")
                return found.group(2).strip()
        raise RegistryError(f"{self.chapter.relative_to(self.root)}: no title heading '# {self.number}. Title'")


def _toc_entries(root):
    """{part folder: [names in order]} for the numbered entries of the Chapters and Exercises parts."""
    import yaml

    toc_path = Path(root) / "_toc.yml"
    if not toc_path.is_file():
        raise RegistryError(f"{toc_path}: no table of contents (expected the course's repository root)")
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    entries = {folder: [] for folder in PARTS}
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            folder, _, name = entry.get("file", "").partition("/")
            if folder in PARTS and NAME.match(name):
                if part.get("caption") != PARTS[folder]:
                    raise RegistryError(f"_toc.yml: {folder}/{name} belongs in the part '{PARTS[folder]}'")
                entries[folder].append(name)
    return entries


def chapters(root=ROOT):
    """The registered chapters in order, after checking that the registry and the files agree."""
    root = Path(root)
    entries = _toc_entries(root)
    names = entries["chapters"]
    problems = []
    if names != sorted(names):
        problems.append(f"the Chapters part of _toc.yml is not in number order: {names}")
    numbers = [int(n[:2]) for n in names]
    problems += [f"_toc.yml: chapter number {n:02d} is used twice" for n in sorted(set(numbers))
                 if numbers.count(n) > 1]
    if entries["exercises"] != names:
        missing = [n for n in names if n not in entries["exercises"]]
        extra = [n for n in entries["exercises"] if n not in names]
        problems.append("the Exercises part of _toc.yml must list exercises/NN_topic for each chapter, in the "
                        f"same order (missing: {missing}, without a chapter: {extra})")
    for chapter in (Chapter(name, root) for name in names):
        for path in (chapter.chapter, chapter.exercises, chapter.bank):
            if not path.is_file():
                problems.append(f"{path.relative_to(root)} is missing (registered as chapter {chapter.name} in _toc.yml)")
    for folder, suffix in (("chapters", ".ipynb"), ("exercises", ".ipynb"), ("quizzes", ".yml")):
        for path in sorted((root / folder).glob(f"*{suffix}")):
            if NAME.match(path.stem) and path.stem not in names:
                problems.append(f"{path.relative_to(root)} is not registered: add chapters/{path.stem} and "
                                f"exercises/{path.stem} to _toc.yml (make chapter does it for a new chapter)")
    if problems:
        raise RegistryError("the chapter registry (_toc.yml) and the files disagree:\n  " + "\n  ".join(problems))
    return [Chapter(name, root) for name in names]


def notebooks(root=ROOT):
    """Every notebook of the course: each chapter's, then each exercise notebook, in registry order."""
    registered = chapters(root)
    return [c.chapter for c in registered] + [c.exercises for c in registered]


def readme_table(root=ROOT):
    """The README's chapter table, generated from the registry (between README_START and README_END)."""
    rows = ["| Chapter | Notebook | Exercises and quiz |", "| --- | --- | --- |"]
    for c in chapters(root):
        title = c.title.replace("|", "\\|")
        rows.append(f"| {c.number}. {title} | `chapters/{c.name}.ipynb` | `exercises/{c.name}.ipynb` |")
    return "\n".join([README_START, *rows, README_END])


def _readme_with_table(root):
    readme = (Path(root) / "README.md").read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.S)
    if not pattern.search(readme):
        raise RegistryError(f"README.md has no chapter table between '{README_START}' and '{README_END}'")
    return readme, pattern.sub(lambda _: readme_table(root), readme)


def stale_readme(root=ROOT):
    """True when README.md's chapter table differs from what the registry generates."""
    readme, fresh = _readme_with_table(root)
    return readme != fresh


def write_readme(root=ROOT):
    """Regenerate README.md's chapter table; return True if it changed."""
    readme, fresh = _readme_with_table(root)
    if fresh != readme:
        (Path(root) / "README.md").write_text(fresh, encoding="utf-8")
    return fresh != readme


def _register(root, name):
    """Insert chapters/<name> and exercises/<name> into _toc.yml in number order, keeping its other lines."""
    toc_path = Path(root) / "_toc.yml"
    lines = toc_path.read_text(encoding="utf-8").splitlines()
    for folder, caption in PARTS.items():
        start = next((i for i, line in enumerate(lines) if line.strip() == f"- caption: {caption}"), None)
        if start is None:
            raise RegistryError(f"_toc.yml has no part '- caption: {caption}'")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("- caption:")),
                   len(lines))
        entries = [i for i in range(start, end) if lines[i].strip().startswith("- file:")]
        if not entries:
            raise RegistryError(f"_toc.yml: the part '{caption}' lists no file to place the new one beside")
        numbered = [i for i in entries
                    if NAME.match(lines[i].split("/", 1)[-1].strip()) and lines[i].split()[-1].startswith(folder)]
        after = [i for i in numbered if lines[i].split("/", 1)[-1].strip() > name]
        at = after[0] if after else (numbered[-1] + 1 if numbered else entries[0])
        indent = lines[entries[0]][:len(lines[entries[0]]) - len(lines[entries[0]].lstrip())]
        lines.insert(at, f"{indent}- file: {folder}/{name}")
    toc_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def scaffold(name, root=ROOT):
    """Create chapters/<name>.ipynb, exercises/<name>.ipynb and quizzes/<name>.yml in the course's shape,
    register the chapter in _toc.yml and regenerate the README's table; return the paths written."""
    from scaffold_templates import bank_yaml, chapter_notebook, exercise_notebook

    root = Path(root)
    found = NAME.match(name or "")
    if not found:
        raise RegistryError(f"a chapter name is NN_topic: two digits, an underscore, lower-case words joined by "
                            f"underscores (e.g. 10_forecasting), got {name!r}")
    # a registry that is already broken is reported first
    taken = next((c.name for c in chapters(root) if c.number == int(found.group(1))), None)
    if taken is not None:
        raise RegistryError(f"chapter number {found.group(1)} is taken by {taken}")
    made = Chapter(name, root)
    for path in (made.chapter, made.exercises, made.bank):
        if path.exists():
            raise RegistryError(f"{path.relative_to(root)} exists already: pick another name")
    from lstm_course.notebooks import repository_url, setup_cell_source

    install = setup_cell_source(repository_url(root / "_config.yml"))
    made.chapter.write_text(chapter_notebook(made, install), encoding="utf-8")
    made.exercises.write_text(exercise_notebook(made, install), encoding="utf-8")
    made.bank.write_text(bank_yaml(made), encoding="utf-8")
    _register(root, name)
    write_readme(root)
    return [made.chapter, made.exercises, made.bank, root / "_toc.yml", root / "README.md"]


def main(argv=None):
    """Command line: list the chapters, regenerate the README's table, or scaffold a chapter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-readme", action="store_true", help="regenerate the README's chapter table")
    parser.add_argument("--new", metavar="NN_topic", help="scaffold and register a new chapter")
    args = parser.parse_args(argv)
    try:
        if args.new is not None:
            written = scaffold(args.new)
            topic = args.new[3:]
            print("Created and registered (git status lists these):")
            for path in written:
                print(f"  {path.relative_to(ROOT)}")
            print(f"""
Next, in this order (`make test` names whatever is still missing):
  1. chapters/{args.new}.ipynb: the big idea and its picture first, then one idea a cell; measure every
     comparison over course_seeds(3), and state each claim in the Checks cell with claim(...).
  2. quizzes/{args.new}.yml: replace the placeholder questions (at least 5).
  3. exercises/{args.new}.ipynb: an (experiment) and a (debugging) task; their checkers go in a new module
     lstm_course/checks/{topic}.py, their right, wrong and bad inputs in tests/exercise_cases_{topic}.py.
  4. Define new terms in chapters/glossary.md; bump lstm_course/__init__.py's version and run make sync
     when the helper changed.
  5. Run make test, then tools/robustness.py --merge chapters/{args.new}.ipynb.""")
        elif args.write_readme:
            print("README.md: chapter table", "updated" if write_readme() else "already up to date")
        else:
            for c in chapters():
                print(f"{c.number:>3}. {c.title}  ({c.name})")
    except RegistryError as err:
        print(f"registry: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
