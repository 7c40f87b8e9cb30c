"""Line-level structure of a Python file: definitions, their blocks, and the lines inside strings.

The reference checker works on lines and indentation; so does this module, which keeps it fast (no full
parse of every file) and compatible. It also knows which lines start inside a multi-line string, so a
docstring line with little indentation never ends a block, and `class Foo` inside a docstring is no
definition. Everything is computed lazily: most files only ever answer a few look-ups.
"""

from __future__ import annotations

import ast
import bisect
import io
import itertools
import re
import tokenize
from dataclasses import dataclass
from functools import cached_property, lru_cache

# `class Name` / `def name` / `async def name` at the start of a line (after its indentation).
DEFINITION_HEADER = re.compile(r"(?P<indent>[ \t]*)(?:async[ \t]+def|def|class)[ \t]+(?P<name>\w+)")
# A line that starts with a closing bracket continues the statement above (`) -> Tensor:`, `): ...`).
_HEADER_CLOSING = re.compile(r"[ \t]*[)\]}]")
_END_COPY = re.compile(r"^[ \t]*# End copy", re.MULTILINE)
_ANY_HEADER = re.compile("^" + DEFINITION_HEADER.pattern, re.MULTILINE)
# Comments and string literals; the unrolled loops keep this fast. String prefixes do not change where a
# literal ends, so they are not matched.
_STRING_OR_COMMENT = re.compile(
    r"#[^\n]*"
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'",
    re.DOTALL,
)


_SINGLE_LINE_STRING_OR_COMMENT = re.compile(r"#[^\n]*|\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'")


@dataclass(frozen=True)
class Definition:
    qualname: str  # `BertModel`, `BertModel.forward`
    name: str
    header: int  # 0-based index of the `class`/`def` line
    indent: str


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def signature_length(lines: list[str]) -> int:
    """How many lines the `def`/`class` signature at the top of a block spans (to its closing `:`).

    Brackets are counted outside strings and comments; a signature holding a triple-quoted string is left to
    `tokenize`. A block whose signature cannot be read counts its first line only.
    """
    depth = 0
    for index, line in enumerate(lines):
        if '"""' in line or "'''" in line:
            return _tokenized_signature_length(lines)
        for char in _SINGLE_LINE_STRING_OR_COMMENT.sub("", line):
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            elif char == ":" and depth == 0:
                return index + 1
    return 1


def _tokenized_signature_length(lines: list[str]) -> int:
    text = "".join(line.lstrip() if index == 0 else line for index, line in enumerate(lines))
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.OP:
                continue
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
            elif token.string == ":" and depth == 0:
                return token.start[0]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return 1


class SourceText:
    """One file's text split into lines, answering questions about its definitions and blocks."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self._block_ends: dict[tuple[int, bool], int] = {}

    @cached_property
    def syntax_error(self) -> SyntaxError | None:
        """Why the text does not parse, or None (parsed once per text)."""
        try:
            ast.parse(self.text)
        except SyntaxError as error:
            return error
        return None

    @cached_property
    def _line_offsets(self) -> list[int]:
        return [0, *itertools.accumulate(map(len, self.lines))]

    def line_of_offset(self, offset: int) -> int:
        return bisect.bisect_right(self._line_offsets, offset) - 1

    @cached_property
    def lines_in_strings(self) -> frozenset[int]:
        """0-based indices of lines that start inside a multi-line string."""
        inside: set[int] = set()
        for match in _STRING_OR_COMMENT.finditer(self.text):
            token = match.group(0)
            if token[0] != "#" and "\n" in token:
                first = self.line_of_offset(match.start())
                inside.update(range(first + 1, first + token.count("\n") + 1))
        return frozenset(inside)

    @cached_property
    def _sorted_lines_in_strings(self) -> list[int]:
        return sorted(self.lines_in_strings)

    def lines_in_strings_between(self, start: int, end: int) -> frozenset[int]:
        """Lines in [start, end) that start inside a string, relative to `start`."""
        ordered = self._sorted_lines_in_strings
        low, high = bisect.bisect_left(ordered, start), bisect.bisect_left(ordered, end)
        return frozenset(index - start for index in ordered[low:high])

    @cached_property
    def _qualnames(self) -> dict[int, str]:
        """Every definition header's qualified name, in one pass: a stack of the lines that enclose the current
        one (each less indented than the next), skipping blank lines, comments and lines inside strings."""
        qualnames: dict[int, str] = {}
        enclosing: list[tuple[int, str | None]] = []  # (indent width, definition name or None)
        in_strings = self.lines_in_strings
        for index, line in enumerate(self.lines):
            if not line.strip() or index in in_strings or line.lstrip().startswith("#"):
                continue
            width = len(indent_of(line))
            while enclosing and enclosing[-1][0] >= width:
                enclosing.pop()
            match = DEFINITION_HEADER.match(line)
            name = match.group("name") if match is not None else None
            if name is not None:
                qualnames[index] = ".".join([*(owner for _, owner in enclosing if owner is not None), name])
            enclosing.append((width, name))
        return qualnames

    def qualname_at(self, header: int) -> str:
        """The qualified name of the definition whose header is line `header` (enclosing ones first)."""
        return self._qualnames[header]

    def definition_at(self, index: int, parents: tuple[str, ...] = ()) -> Definition | None:
        """The definition whose header is line `index`, if any."""
        if index >= len(self.lines) or index in self.lines_in_strings:
            return None
        match = DEFINITION_HEADER.match(self.lines[index])
        if match is None:
            return None
        name = match.group("name")
        return Definition(".".join([*parents, name]), name, index, match.group("indent"))

    def first_definition_after(self, index: int) -> Definition | None:
        """The definition right below line `index`, skipping decorator lines."""
        position = index + 1
        while position < len(self.lines) and self.lines[position].lstrip().startswith("@"):
            position += 1
        return self.definition_at(position)

    def find(self, qualname: str) -> Definition | None:
        """The first definition of a qualified name (`BertModel.forward`), outermost level first."""
        start, end, parents, found = 0, len(self.lines), [], None
        for name in qualname.split("."):
            found = self._find_in(name, start, end, parents)
            if found is None:
                return None
            parents.append(name)
            start, end = found.header + 1, self.block_end(found.header)
        return found

    @cached_property
    def _headers_by_name(self) -> dict[str, list[int]]:
        """Line indices of every `class`/`def` header, by defined name (one regex pass over the file)."""
        headers: dict[str, list[int]] = {}
        for match in _ANY_HEADER.finditer(self.text):
            headers.setdefault(match.group("name"), []).append(self.line_of_offset(match.start()))
        return headers

    def _find_in(self, name: str, start: int, end: int, parents: list[str]) -> Definition | None:
        candidates = [
            definition
            for index in self._headers_by_name.get(name, ())
            if start <= index < end and (definition := self.definition_at(index, tuple(parents))) is not None
        ]
        return min(candidates, key=lambda definition: (len(definition.indent), definition.header), default=None)

    def block_end(self, header: int, stop_at_end_copy: bool = False) -> int:
        """Exclusive end of the block starting at `header`: where indentation falls back.

        A copy (`stop_at_end_copy`) also ends before a `# End copy` line at its body's indentation.
        """
        key = (header, stop_at_end_copy)
        if key not in self._block_ends:
            end = self._next_line_at_most(len(indent_of(self.lines[header])), header + 1)
            if stop_at_end_copy:
                end = self._end_copy_line(header, end)
            while end > header + 1 and not self.lines[end - 1].strip():
                end -= 1
            self._block_ends[key] = end
        return self._block_ends[key]

    def _next_line_at_most(self, width: int, start: int) -> int:
        """The first code line from `start` indented at most `width` (not in a string, not a `):` line)."""
        if start >= len(self.lines):
            return len(self.lines)
        pattern = _shallow_line(width)
        position = self._line_offsets[start]
        while (match := pattern.search(self.text, position)) is not None:
            index = self.line_of_offset(match.start())
            if index not in self.lines_in_strings and not _HEADER_CLOSING.match(self.lines[index]):
                return index
            position = self._line_offsets[index + 1]
        return len(self.lines)

    def _end_copy_line(self, header: int, end: int) -> int:
        """The `# End copy` line at the body's indentation inside [header, end), else `end`."""
        limit = self._line_offsets[end]
        match = _END_COPY.search(self.text, self._line_offsets[header + 1], limit)
        if match is None:
            return end
        body_indent = next(
            (indent_of(line) for index, line in enumerate(self.lines[header + 1 : end], header + 1)
             if line.strip() and index not in self.lines_in_strings),
            "",
        )
        while match is not None:
            index = self.line_of_offset(match.start())
            if indent_of(self.lines[index]) == body_indent and index not in self.lines_in_strings:
                return index
            match = _END_COPY.search(self.text, self._line_offsets[index + 1], limit)
        return end


@lru_cache(maxsize=64)
def _shallow_line(width: int) -> re.Pattern:
    """A line whose code starts within `width` columns of indentation."""
    return re.compile(rf"^[ \t]{{0,{width}}}[^ \t\n\r]", re.MULTILINE)
