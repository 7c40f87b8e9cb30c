"""Running `modelgen lint` in a fixture tree, for the lint tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MODELING = "src/transformers/models/brand_new_bert/modeling_brand_new_bert.py"


def lint(repo: Path, *arguments: str) -> subprocess.CompletedProcess:
    """`modelgen lint --repo REPO ARGUMENTS...` run from inside the repository."""
    return subprocess.run(
        [sys.executable, "-m", "modelgen", "lint", "--repo", str(repo), *arguments],
        check=False,
        capture_output=True,
        text=True,
        cwd=repo,
    )
