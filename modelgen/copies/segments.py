"""A copied block split into segments: its header part, then one segment per inner definition.

`# Ignore copy` anywhere in a segment (above a method, inside its body, or as a trailing comment) exempts
that segment from the comparison; a method that exists only in the copy may be exempted the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelgen.copies.blocks import DEFINITION_HEADER, indent_of

IGNORE_COPY = "# Ignore copy"


@dataclass(frozen=True)
class Segment:
    key: str  # the inner definition's name ("" for the header part), numbered when repeated: `x`, `x#2`
    lines: tuple[str, ...]

    @property
    def ignored(self) -> bool:
        return any(IGNORE_COPY in line for line in self.lines)


def split_segments(lines: list[str], in_strings: frozenset[int] = frozenset()) -> list[Segment]:
    """Split a block's lines (header first) at the definitions one level below the header."""
    body_indent = _body_indent(lines, in_strings)
    starts: list[tuple[int, str]] = []
    for index, line in enumerate(lines[1:], 1):
        if index in in_strings or indent_of(line) != body_indent:
            continue
        match = DEFINITION_HEADER.match(line, len(body_indent))
        if match is None:
            continue
        start = index
        while start - 1 > 0 and _is_attached_prefix(lines[start - 1], body_indent):
            start -= 1
        starts.append((start, match.group("name")))
    boundaries = [(0, ""), *starts]
    seen: dict[str, int] = {}
    segments = []
    for (start, name), (end, _) in zip(boundaries, [*boundaries[1:], (len(lines), "")]):
        seen[name] = seen.get(name, 0) + 1
        key = name if seen[name] == 1 else f"{name}#{seen[name]}"
        segments.append(Segment(key, tuple(lines[start:end])))
    return segments


def _body_indent(lines: list[str], in_strings: frozenset[int]) -> str:
    header_indent = indent_of(lines[0]) if lines else ""
    for index, line in enumerate(lines[1:], 1):
        if line.strip() and index not in in_strings and len(indent_of(line)) > len(header_indent):
            return indent_of(line)
    return header_indent + "    "


def _is_attached_prefix(line: str, body_indent: str) -> bool:
    """A decorator or comment line directly above an inner definition belongs to its segment."""
    return indent_of(line) == body_indent and line.lstrip().startswith(("@", "#"))


def join_segments(segments: list[Segment]) -> list[str]:
    return [line for segment in segments for line in segment.lines]
