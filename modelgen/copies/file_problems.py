"""Files that check-copies could not read: an error for that file (a note for a special file skipped on
purpose), while every other file is still checked."""

from __future__ import annotations

from pathlib import Path

from modelgen.files import FileProblem
from modelgen.repo import RepoLayout


def report_file_problems(report, problems: list[FileProblem], layout: RepoLayout, wanted: set[Path] | None) -> None:
    from modelgen.copies.checker import Finding

    for problem in problems:
        path = layout.root / problem.path if not Path(problem.path).is_absolute() else Path(problem.path)
        if wanted is not None and path.absolute() not in wanted and path.resolve() not in wanted:
            continue
        relative = layout.relative(path)
        finding = Finding(relative, problem.line or 1, "", "note" if problem.skipped else "error", problem.message)
        (report.notes if problem.skipped else report.findings).append(finding)
