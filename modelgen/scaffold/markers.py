"""`# Copied from` markers for the copied definitions, with replacement pairs verified to reproduce the copy.

A copy points at the old model's definition with the pairs of the renaming. When the old definition was
itself a copy (`RobertaSelfOutput` copied from `BertSelfOutput with Bert->Roberta`), the new copy points at
that original source with the rename appended, provided the combined pairs reproduce the new copy from the
original text; otherwise it points at the old definition.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from modelgen.copies.replacements import (
    Replacement,
    ReplacementSyntaxError,
    apply_replacements,
    format_replacements,
    parse_replacements,
)
from modelgen.files import read_text
from modelgen.repo import RepoLayout
from modelgen.scaffold.parsing import parse_python
from modelgen.scaffold.renamer import Renaming

MARKER = re.compile(r"^\s*#\s*Copied from\s+(?P<target>[\w.]+)(?P<rest>.*)$")
_DEFINITION_NAME = re.compile(r"^(\s*(?:async\s+)?(?:def|class)\s+)\w+", re.MULTILINE)


@dataclass
class SourceIndex:
    """Definition texts of the tree's modules, each file parsed once, by dotted name."""

    layout: RepoLayout
    _files: dict[Path, tuple[list[str], ast.Module]] = field(default_factory=dict)

    def definition(self, dotted: str) -> str | None:
        parts = dotted.split(".")
        for split in range(len(parts) - 1, 0, -1):
            path = self.layout.module_file(".".join(parts[:split]))
            if path is not None:
                return self._definition_in(path, parts[split:])
        return None

    def _definition_in(self, path: Path, names: list[str]) -> str | None:
        if path not in self._files:
            text = read_text(path)
            self._files[path] = (text.splitlines(keepends=True), parse_python(path, text))
        lines, tree = self._files[path]
        body, node = tree.body, None
        for name in names:
            node = next(
                (item for item in body if isinstance(item, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                 and item.name == name),
                None,
            )
            if node is None:
                return None
            body = node.body
        start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
        return "".join(lines[start - 1 : node.end_lineno])


def same_code(first: str, second: str) -> bool:
    """Equal up to formatting (whitespace, line breaks) and the name of the definition on its first line."""
    return _tokens(_DEFINITION_NAME.sub(r"\1_", first, count=1)) == _tokens(_DEFINITION_NAME.sub(r"\1_", second, count=1))


def _tokens(code: str) -> list[tuple[int, str]] | None:
    skipped = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    try:
        return [
            (token.type, token.string.rstrip())
            for token in tokenize.generate_tokens(io.StringIO(_dedent(code)).readline)
            if token.type not in skipped
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None


def _dedent(code: str) -> str:
    import textwrap

    return textwrap.dedent(code)


@dataclass
class MarkerMaker:
    renaming: Renaming
    sources: SourceIndex
    unverified: list[str] = field(default_factory=list)

    def marker(self, old_target: str, old_block: str, new_block: str, old_marker: str | None) -> str | None:
        """The marker line for `new_block` (a copy of `old_block`, the definition `old_target`)."""
        if old_marker is not None:
            chained = self._chained(old_marker, new_block)
            if chained is not None:
                return chained
        pairs = self.renaming.marker_pairs(old_block, new_block)  # exact: verified inside
        if pairs is None:
            self.unverified.append(old_target)
            return None
        return _marker_line(old_target, pairs)

    def _chained(self, old_marker: str, new_block: str) -> str | None:
        match = MARKER.match(old_marker)
        if match is None:
            return None
        try:
            old_pairs = parse_replacements(match.group("rest"))
        except ReplacementSyntaxError:
            return None
        original = self.sources.definition(match.group("target"))
        if original is None:
            return None
        rendered = apply_replacements(original, old_pairs)
        own_pairs = self.renaming.marker_pairs(rendered, self.renaming.apply(rendered))
        if own_pairs is None:
            return None
        pairs = old_pairs + own_pairs
        try:
            written = parse_replacements(format_replacements(pairs))
        except ReplacementSyntaxError:
            return None
        if not same_code(apply_replacements(original, written), new_block):
            return None
        return _marker_line(match.group("target"), pairs)


def _marker_line(target: str, pairs: list[Replacement]) -> str:
    return " ".join(part for part in ("# Copied from", target, format_replacements(pairs)) if part)
