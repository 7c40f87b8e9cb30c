"""`# modelgen: ignore[MG105]` comments: on the offending line, or alone on the line above.

A bare `# modelgen: ignore` silences every rule there. A code that names no rule is reported as MG001
(a typo must not silently disable nothing), so suppressions stay honest.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from modelgen.lint.rule import CONFIGURATION, MODELING, MODULAR, OTHER, Example, Finding, Rule

_MARKER = re.compile(r"#\s*modelgen:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?")


class UnknownSuppressionCode(Rule):
    code = "MG001"
    name = "unknown-suppression-code"
    title = "a suppression comment names a code that is no rule"
    message = "unknown rule code `{code}` in a `# modelgen: ignore` comment"
    rationale = "A misspelt code would silence nothing while looking like it does; it is reported instead."
    fix_note = "no safe fix: correct or remove the code by hand"
    applies_to = frozenset({MODELING, CONFIGURATION, MODULAR, OTHER})
    valid = (
        Example("activation = 1  # modelgen: ignore[MG106]\n"),
        Example("# modelgen: ignore[MG105, MG106]\nx = 1\n"),
        Example("x = 1  # modelgen: ignore\n", note="a bare ignore names no code"),
    )
    invalid = (
        Example("x = 1  # modelgen: ignore[MG999]\n", lines=(1,)),
        Example("# modelgen: ignore[MG105, E501]\nx = 1\n", lines=(1,)),
        Example("def forward(self) -> None:\n    value = 1  # modelgen: ignore[mg105]\n", lines=(2,)),
    )


@dataclass(frozen=True)
class Suppression:
    line: int  # the line it silences
    comment_line: int
    comment_column: int
    codes: frozenset[str] | None  # None: every code


def find_suppressions(source: str) -> list[Suppression]:
    if "modelgen:" not in source:
        return []
    found = []
    for line, column, text, standalone in _comments(source):
        match = _MARKER.search(text)
        if match is None:
            continue
        codes = match.group("codes")
        parsed = (
            None if codes is None else frozenset(code.strip() for code in codes.split(",") if code.strip())
        )
        found.append(Suppression(line + 1 if standalone else line, line, column + 1, parsed))
    return found


def apply_suppressions(
    file, findings: list[Finding], known_codes: frozenset[str], report_unknown: bool
) -> list[Finding]:
    """The findings no suppression silences, plus MG001 for unknown codes when `report_unknown`."""
    suppressions = find_suppressions(file.source)
    if not suppressions:
        return findings
    by_line: dict[int, list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault(suppression.line, []).append(suppression)
    kept = [finding for finding in findings if not _silenced(finding, by_line.get(finding.line, ()))]
    if report_unknown:
        for suppression in suppressions:
            for code in sorted(suppression.codes or ()):
                if code not in known_codes:
                    kept.append(
                        file.finding(
                            UnknownSuppressionCode,
                            line=suppression.comment_line,
                            column=suppression.comment_column,
                            context="",
                            code=code,
                        )
                    )
    return kept


def _silenced(finding: Finding, suppressions: Iterable[Suppression]) -> bool:
    return any(s.codes is None or finding.code in s.codes for s in suppressions)


def _comments(source: str):
    """(line, column, text, standalone) for each comment; standalone comments are alone on their line."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        for number, text in enumerate(source.splitlines(), start=1):
            position = text.find("#")
            if position >= 0:
                yield number, position, text[position:], not text[:position].strip()
        return
    lines = source.splitlines()
    for token in tokens:
        if token.type == tokenize.COMMENT:
            line, column = token.start
            yield line, column, token.string, not lines[line - 1][:column].strip()
