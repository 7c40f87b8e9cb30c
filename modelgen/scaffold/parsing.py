"""Read-only parsing of the tree's files with `ast`; a file that does not parse is a one-line input error."""

from __future__ import annotations

import ast
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.files import read_text


def parse_python(path: Path, text: str | None = None) -> ast.Module:
    if text is None:
        text = read_text(path)
    try:
        return ast.parse(text)
    except SyntaxError as error:
        raise ModelgenError(f"cannot parse: {error.msg}", path, error.lineno) from None


def statement_lists(tree: ast.Module):
    """Every statement list of the module (bodies, `else:` and `finally:` branches), outermost first."""
    for node in ast.walk(tree):
        for field_name in ("body", "orelse", "finalbody"):
            body = getattr(node, field_name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body
