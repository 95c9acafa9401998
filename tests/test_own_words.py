"""The course asks its questions in its own words: no quiz question, interview question or exercise heading
shares a run of six words with a question of the source chapter. The source's questions are not copied here:
only short hashes of their six-word runs (lower case, words of letters, digits and underscores)."""

import hashlib
import re

import yaml

from conftest import ROOT, cell_source, load_notebook

SOURCE_RUNS = set("""
02c6b8e5326e 08c9270c4236 08e8861ee632 0acb02e33084 0e87980a7d89 0e8a6602af61 10bd39c1d44e 10ff1ddef346 1387f53e6b76
1afd1c38ce06 2002684351a9 22de3fefa636 25b1d3ded56f 2fa5067e10a5 33f119fb4acc 399800492bd2 3d128f2cfcc9 598e9210df0b
5b0e87e94079 6097a63473f0 6dfb39a4ca68 751908614b75 8a31e2bd3c2a 8cceefbbfc5f 8cdd7223f050 8e625e985aa9 9a874c1d0453
a0620e0b1945 a4192f011240 a8203b93df0f ad106c95e799 ad1abceaab02 b08ca11f07fc b8f927138043 b9ea83269ca0 beda4059e39d
bfd6ade556eb c000c3a72065 c0b01a9eeb80 c20b2c3faad2 c41b6e80ae0c c7d285da9aee cb61e3614f95 d0ad3e83a49e d11d9872ce9a
d7cd70632b36 d858fd89ed24 d8cb158f918a dc02ff05575b df0b6b30d57c e12d57871b1f e59166030ab1 e59e5d9a840b e9f36fc790a3
ecb80774bf1c ef85a1fe18a8 f03749b40784 f1cb13591148 f331d2d4ffab f50ae99414e3 f69bb8520903 f77991b97da8 f9762e44b6b2
""".split())


def six_word_runs(text):
    """Short hashes of every run of six consecutive words in text."""
    words = re.findall(r"[a-z0-9_]+", text.lower())
    return {hashlib.sha256(" ".join(words[i:i + 6]).encode()).hexdigest()[:12] for i in range(len(words) - 5)}


def course_questions():
    """(where, text) for every quiz question, interview question and exercise task heading."""
    for bank in sorted((ROOT / "quizzes").glob("*.yml")):
        for q in yaml.safe_load(bank.read_text(encoding="utf-8"))["questions"]:
            yield f"{bank.name}:{q['id']}", q["question"]
    for line in (ROOT / "chapters" / "interview_questions.md").read_text(encoding="utf-8").splitlines():
        if re.match(r"\*\*\d+\.", line):
            yield "interview_questions.md", line
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        for cell in load_notebook(path)["cells"]:
            if cell["cell_type"] == "markdown" and cell_source(cell).startswith("## Task"):
                yield path.name, cell_source(cell)


def test_the_check_recognises_a_copied_question():
    copied = "Quick question: how does an LSTM solve the vanishing gradient problem found in standard RNNs today?"
    assert six_word_runs(copied) & SOURCE_RUNS
    assert not six_word_runs("How does the cell state let gradients survive long spans?") & SOURCE_RUNS


def test_no_question_repeats_the_source_chapter():
    copied = [(where, text[:80]) for where, text in course_questions() if six_word_runs(text) & SOURCE_RUNS]
    assert not copied, f"reword these in the course's own words: {copied}"
