"""The error a modular file gets for a construct the converter does not support (`path:line: problem`)."""

from __future__ import annotations

from modelgen.errors import ModelgenError


class ModularError(ModelgenError):
    pass


def line_of(text: str, pattern: str) -> int | None:
    """The 1-based line where `pattern` (a regular expression) first matches, if anywhere."""
    import re

    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None
