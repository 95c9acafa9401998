"""A fork publishes itself: the GitHub workflow passes actionlint (offline), tests with `make test`, deploys the
site it built and tags the helper's version; Binder installs the CPU build of the pinned torch."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from lstm_course import __version__

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent))


def _actionlint(*paths, cwd=ROOT):
    assert ACTIONLINT, "actionlint is missing from .venv: run make test (it installs requirements.txt)"
    return subprocess.run([ACTIONLINT, "-no-color", *map(str, paths)], capture_output=True, text=True, cwd=cwd)


def _workflow():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert len(files) == 1, f"expected one workflow in .github/workflows, found {files}"
    return yaml.safe_load(files[0].read_text(encoding="utf-8")), files[0]


def test_actionlint_passes_on_the_workflow():
    _, path = _workflow()
    proc = _actionlint(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_fails_on_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_requestx\njobs:\n  t:\n    steps:\n      - run: echo ${{ github.nope }}\n")
    proc = _actionlint(broken, cwd=tmp_path)
    assert proc.returncode == 1
    assert 'unknown Webhook event "pull_requestx"' in proc.stdout and '"runs-on" section is missing' in proc.stdout


def test_the_workflow_tests_pull_requests_then_publishes_and_tags_main():
    flow, _ = _workflow()
    on = flow.get("on", flow.get(True))              # YAML 1.1 reads the key `on` as True
    assert "pull_request" in on and on["push"]["branches"] == ["main"]
    jobs = flow["jobs"]
    runs = [step.get("run", "") for step in jobs["test"]["steps"]]
    assert "bash .ci/run" in runs, "the test job runs what CI runs"
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("make test")
    upload = next(s for s in jobs["test"]["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html" and "pull_request" in upload["if"]
    assert jobs["deploy"]["needs"] == jobs["tag-helper"]["needs"] == "test"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["tag-helper"]["permissions"] == {"contents": "write"}


def test_the_tag_job_reads_the_helpers_version_as_python_does(tmp_path):
    flow, _ = _workflow()
    script = next(s["run"] for s in flow["jobs"]["tag-helper"]["steps"] if "git tag" in s.get("run", ""))
    read = next(line for line in script.splitlines() if line.strip().startswith("version=$("))
    command = read.strip()[len("version=$("):-1]
    got = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    assert got == __version__, (command, got)
    (tmp_path / "lstm_course").mkdir()
    (tmp_path / "lstm_course" / "__init__.py").write_text('"""x"""\n\n__version__ = "9.8.7"\n')
    assert subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=tmp_path).stdout.strip() == "9.8.7"


def test_binder_installs_the_cpu_build_of_the_pinned_torch():
    pinned = re.search(r"^torch==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    binder = (ROOT / ".binder" / "requirements.txt").read_text()
    assert re.search(rf"^torch=={re.escape(pinned)}\+cpu$", binder, re.M), "Binder must pin requirements.txt's torch, +cpu"
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in binder
    post = ROOT / ".binder" / "postBuild"
    assert post.stat().st_mode & 0o111 and "pip install --no-deps" in post.read_text()


@pytest.mark.parametrize("readme_step", ["Settings", "Pages", "GitHub Actions", "repository.url", "make sync"])
def test_the_readme_says_how_to_publish_a_fork(readme_step):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Publish your fork"):]
    section = section[:section.find("\n## ", 3)]
    assert readme_step in section
    assert len(re.findall(r"^\d\. ", section, re.M)) == 3, "three steps"
