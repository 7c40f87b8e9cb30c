"""Findings as text (`path:line:col: CODE message`), a JSON array, or GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from modelgen.lint.rule import Finding
from modelgen.reporting import github_annotation


def render(findings: Sequence[Finding], output_format: str) -> str:
    if output_format == "json":
        return json.dumps([finding.to_json() for finding in findings], indent=2)
    if output_format == "github":
        return "\n".join(
            github_annotation(
                finding.path,
                finding.line,
                f"{finding.code} {finding.message}",
                finding.code,
                column=finding.column,
            )
            for finding in findings
        )
    return "\n".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings)


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda finding: (finding.path, finding.line, finding.column, finding.code))
