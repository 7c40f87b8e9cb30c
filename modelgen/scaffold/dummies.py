"""The dummy objects of 4.x trees: `utils/dummy_<backends>_objects.py` holds, for every name the top-level
`__init__` exports behind a backend check, a stand-in that raises a clear error when the backend is missing.

The library regenerates these files from the `__init__` (its `check_dummies`, run by `make fix-copies`) and its
CI fails when they differ, so the new model's dummies go exactly where that script would put them: in the
order the `__init__` lists its imports, i.e. right before the dummy of the first name imported after the new
model's import. Each new dummy is the old model's dummy with the name replaced.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from modelgen.scaffold.parsing import parse_python, statement_lists


def dummy_blocks(path: Path, text: str) -> dict[str, tuple[int, int]]:
    """{name: (first line, end line)} of each top-level dummy class or function, 0-based, end exclusive."""
    return {node.name: (node.lineno - 1, node.end_lineno) for node in parse_python(path, text).body
            if isinstance(node, (ast.ClassDef, ast.FunctionDef))}


def new_dummy_lines(text: str, blocks: dict[str, tuple[int, int]], renamed: dict[str, str]) -> list[str]:
    """The old model's dummies (file order, which is the `__init__`'s order) renamed, two blank lines apart."""
    lines = text.splitlines()
    new_lines: list[str] = []
    for old, (start, end) in sorted(((old, blocks[old]) for old in renamed if old in blocks), key=lambda item: item[1]):
        if new_lines:
            new_lines += ["", ""]
        pattern = re.compile(rf"\b{re.escape(old)}\b")
        new_lines += [pattern.sub(renamed[old], line) for line in lines[start:end]]
    return new_lines


def new_model_import(init_path: Path, init_text: str, module: str, candidates: set[str]
                     ) -> tuple[set[str], list[str]] | None:
    """(the names the `__init__` imports from `module` among `candidates`, the names imported after that statement
    in its backend branch, in order); None where it imports none of them (a tree whose dummies are not generated
    from its `__init__`)."""
    for body in statement_lists(parse_python(init_path, init_text)):
        for index, statement in enumerate(body):
            if not (isinstance(statement, ast.ImportFrom) and statement.level == 1 and statement.module == module):
                continue
            imported = candidates & {alias.name for alias in statement.names}
            if imported:
                following = [alias.name for later in body[index + 1:] if isinstance(later, ast.ImportFrom)
                             for alias in later.names]
                return imported, following
    return None


def insertion_point(blocks: dict[str, tuple[int, int]], following: list[str]) -> int | None:
    """The line the new dummies go before: the dummy of the first following name that has one; None at the end."""
    for name in following:
        if name in blocks:
            return blocks[name][0]
    return None
