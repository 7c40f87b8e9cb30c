"""A baseline of accepted findings, for adopting the linter on a large existing tree.

Each finding is keyed by file, code, enclosing definition and a hash of the offending line's text (not its
line number), so that editing elsewhere in the file does not resurrect old findings. Identical keys are
counted: a baseline with two `x` findings in one function accepts two, and a third is new.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from modelgen.changeset import write_atomic
from modelgen.errors import ModelgenError
from modelgen.lint.rule import Finding

FORMAT_VERSION = 1


def baseline_key(finding: Finding) -> tuple[str, str, str, str]:
    return (finding.path, finding.code, finding.context, finding.line_hash)


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    counts = Counter(baseline_key(finding) for finding in findings)
    entries = [
        {"path": key[0], "code": key[1], "context": key[2], "line_hash": key[3], "count": count}
        for key, count in sorted(counts.items())
    ]
    write_atomic(path, json.dumps({"version": FORMAT_VERSION, "findings": entries}, indent=1) + "\n")


def read_baseline(path: Path) -> Counter:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ModelgenError(f"cannot read the baseline: {error.strerror}", path) from None
    except ValueError as error:
        raise ModelgenError(f"the baseline is not JSON: {error}", path) from None
    if (
        not isinstance(data, dict)
        or data.get("version") != FORMAT_VERSION
        or not isinstance(data.get("findings"), list)
    ):
        raise ModelgenError(f"not a modelgen lint baseline (version {FORMAT_VERSION})", path)
    counts: Counter = Counter()
    for entry in data["findings"]:
        try:
            counts[(entry["path"], entry["code"], entry["context"], entry["line_hash"])] += int(
                entry["count"]
            )
        except (KeyError, TypeError, ValueError):
            raise ModelgenError(f"malformed baseline entry: {entry!r}", path) from None
    return counts


def new_findings_only(findings: Sequence[Finding], baseline: Counter) -> list[Finding]:
    """The findings the baseline does not account for (each baseline entry absorbs up to `count` findings)."""
    remaining = Counter(baseline)
    kept = []
    for finding in findings:
        key = baseline_key(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            kept.append(finding)
    return kept
