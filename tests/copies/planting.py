"""Seeded random edits planted in real trees: inside copies, and inside the sources they copy."""

from __future__ import annotations

import ast
import functools
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from modelgen.copies.checker import CopyChecker
from modelgen.copies.resolution import ResolutionError
from modelgen.copies.scan import scan_markers
from modelgen.copies.segments import IGNORE_COPY


@dataclass(frozen=True)
class Site:
    path: Path
    marker_line: int  # 1-based
    target: str
    copy_start: int  # 0-based header line of the copy
    copy_end: int
    source_path: Path
    source_start: int
    source_end: int


def marker_sites(checker: CopyChecker) -> list[Site]:
    """Every well-formed, resolvable marker of the tree with its copy and source line ranges."""
    sites = []
    for marked in scan_markers(checker.layout, checker.cache, checker.fingerprints, checker.texts):
        text = checker.texts.get(marked.path)
        for marker in marked.markers:
            definition = text.first_definition_after(marker.line - 1)
            if marker.misspelling or marker.syntax_error or definition is None:
                continue
            try:
                source = checker.resolver.resolve(marker.target)
            except ResolutionError:
                continue
            end = text.block_end(definition.header, stop_at_end_copy=True)
            sites.append(Site(marked.path, marker.line, marker.target, definition.header, end, source.path, source.start, source.end))
    return sites


def statement_lines(path: Path, start: int, end: int) -> list[int]:
    """0-based lines in [start, end) holding a one-line assignment or return (safe places to edit)."""
    return [line for line in _one_line_statements(path.read_text(encoding="utf-8")) if start < line < end]


@functools.lru_cache(maxsize=8)
def _one_line_statements(text: str) -> tuple[int, ...]:
    """Parsed once per text: a tree's sites ask about the same big files again and again."""
    return tuple(sorted(
        node.lineno - 1
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Return)) and node.lineno == node.end_lineno
    ))


def has_ignore_copy(path: Path, start: int, end: int) -> bool:
    lines = path.read_text(encoding="utf-8").splitlines()[start:end]
    return any(IGNORE_COPY in line for line in lines)


def plant(path: Path, line: int, seed: int) -> None:
    """Insert an assignment after `line` at its indentation: a real change of the code."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())]
    lines.insert(line + 1, f"{indent}planted_drift_{seed} = {seed}\n")
    path.write_text("".join(lines), encoding="utf-8")


def choose(rng: random.Random, items: list, count: int) -> list:
    return rng.sample(items, min(count, len(items)))


def tree_digest(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        for path in sorted(root.rglob("*.py"))
    }
