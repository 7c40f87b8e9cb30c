"""Lint targets that cannot be read as text: an MG000 finding for that file (a note on stderr for a special
file skipped on purpose, such as a FIFO), while every other file is still linted."""

from __future__ import annotations

import sys
from pathlib import Path

from modelgen.files import FileProblem
from modelgen.lint.rule import Finding


def unreadable_file_findings(problem: FileProblem | OSError, path: Path, relative: str) -> list[Finding]:
    from modelgen.lint.syntax import SyntaxErrorRule

    if not isinstance(problem, FileProblem):
        problem = FileProblem(f"cannot be read: {problem.strerror or problem}", path)
    if problem.skipped:
        print(f"{relative}:1: note: {problem.message}", file=sys.stderr)
        return []
    error = SyntaxError(f"cannot read the file as text: {problem.message}")
    error.lineno, error.offset = problem.line or 1, 1
    return [SyntaxErrorRule.finding(relative, error)]
