"""MG000: a file that does not parse is a finding, not a crash."""

from __future__ import annotations

from modelgen.lint.rule import CONFIGURATION, MODELING, MODULAR, OTHER, Example, Finding, Rule


class SyntaxErrorRule(Rule):
    code = "MG000"
    name = "syntax-error"
    title = "the file does not parse as Python"
    message = "cannot parse: {error}"
    rationale = "Every other rule needs the syntax tree; a file that does not parse is reported, not skipped."
    fix_note = "no safe fix: the syntax must be repaired by hand"
    applies_to = frozenset({MODELING, CONFIGURATION, MODULAR, OTHER})
    valid = (
        Example("x_values = [1, 2]\n"),
        Example("def forward(self) -> None:\n    pass\n"),
        Example("match command:\n    case _:\n        pass\n", note="3.10+ syntax parses"),
    )
    invalid = (
        Example("def forward(self:\n    pass\n", lines=(1,)),
        Example("class Broken\n", lines=(1,)),
        Example("x_values = [1,\n", lines=(1,)),
        Example("\tif True:\n  pass\n", lines=(1,)),
    )

    @classmethod
    def finding(cls, path: str, error: SyntaxError | ValueError) -> Finding:
        line = getattr(error, "lineno", None) or 1
        column = getattr(error, "offset", None) or 1
        reason = getattr(error, "msg", None) or str(error)
        return Finding(path, line, column, cls.code, cls.message.format(error=reason), "", "", "")
