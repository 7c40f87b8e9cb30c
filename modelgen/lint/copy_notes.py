"""After `lint --fix`: the copies that the fixes made drift (a fixed file may be the source of `# Copied
from` blocks elsewhere), so that the user learns that `check-copies --fix` repairs them."""

from __future__ import annotations

from pathlib import Path

from modelgen.repo import RepoLayout


def drifted_copies_note(root: Path, fixed: list[Path]) -> str | None:
    from modelgen.copies.checker import CopyChecker

    layout = RepoLayout.discover(root)
    report = CopyChecker(layout).check([path.resolve() for path in fixed])
    drifted = [finding for finding in report.findings if finding.kind == "drift"]
    if not drifted:
        return None
    first = drifted[0]
    return (f"note: the fixes made {len(drifted)} `# Copied from` cop{'y' if len(drifted) == 1 else 'ies'} drift "
            f"(first: {first.path}:{first.line}); `modelgen check-copies --fix` repairs them")
