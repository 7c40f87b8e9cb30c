"""The choices that make up a marker dialect: how one library's own checker reads `# Copied from`.

Every built-in dialect is one module in this package declaring a `DIALECT`; the checker reads these
fields and has no code of its own per library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    packages: tuple[str, ...]  # library packages this dialect is chosen for automatically
    compare_signature: bool  # the `def`/`class` signature is part of the copy (else: the copy keeps its own)
    spaced_pairs: bool  # `A -> B` (spaces around the arrow) is a replacement pair (else: not applied, a note)
    slash_in_paths: bool  # a marker's dotted path may hold `/` (`pkg.a/b.Name`): the parts form a file path
    check_tests: bool  # `tests.` markers in test files count, and `tests/models` is checked by default
