"""The hooks in .pre-commit-hooks.yaml, run by the real `pre-commit` against a small repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "fixtures"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def git(repo: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def run_hook(repo: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
    """Run a hook of this project, installed by pre-commit from its last commit, as a user's config would."""
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {PROJECT_ROOT}\n    rev: {revision}\n    hooks:\n      - id: {hook}\n"
    )
    environment = {**os.environ, "PRE_COMMIT_HOME": str(Path.home() / ".cache" / "modelgen-pre-commit")}
    executable = Path(sys.executable).parent / "pre-commit"
    command = [str(executable) if executable.exists() else "pre-commit", "run", hook, "--files", *files]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=environment)


def test_check_copies_hook_flags_copies_of_a_changed_source(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "copies_forms", repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    bert = "src/transformers/models/bert/modeling_bert.py"

    clean = run_hook(repo, "modelgen-check-copies", bert)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    path = repo / bert
    path.write_text(path.read_text().replace("nn.Tanh()", "nn.ReLU()"))
    git(repo, "add", bert)
    drifted = run_hook(repo, "modelgen-check-copies", bert)
    assert drifted.returncode == 1
    assert "src/transformers/models/roberta/modeling_roberta.py:40: copy of" in drifted.stdout
