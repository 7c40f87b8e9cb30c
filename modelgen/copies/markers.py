"""Finding `# Copied from` markers in a file's text.

A marker is a comment `# Copied from <package>.<dotted path> [replacement part]` (or `tests.<dotted path>`)
directly above the definition it covers. Lower-case `# copied from` is free text by the library's
convention (authors write it on purpose to opt out of the check) and is not a marker.

A marker whose prefix is misspelt (`# Copied form transformers.`, `# Copied from transformer.`,
`# Copied transformers.`) above a definition is recognised, never silently skipped: the reference checker
ignores such markers, so their copies may have drifted in released trees. It is reported as a note (the
copy is not checked), or, with `--strict-markers`, as an error and checked with the intended spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from modelgen.copies.dialects.choices import Dialect
from modelgen.copies.replacements import (
    Replacement,
    ReplacementSyntaxError,
    parse_replacement_part,
    parse_replacements,
)

TESTS_PACKAGE = "tests"
_DEFINITION = re.compile(r"[ \t]*(?:@|(?:async[ \t]+)?def[ \t]|class[ \t])")
# Starts at the `#` (a literal first character keeps the search fast); the line start is checked apart.
_MARKER_LIKE = re.compile(r"#[ \t]*(?P<words>C\w*(?:[ \t]+[a-z]\w*)?)[ \t]+(?P<path>\w+\.[\w.]+)(?P<rest>[^\n]*)")
# The same, for dialects whose paths may hold `/` (`diffusers.pipelines.a/b.Name`).
_MARKER_LIKE_WITH_SLASHES = re.compile(_MARKER_LIKE.pattern.replace(r"[\w.]+", r"[\w./]+"))


@dataclass
class Marker:
    line: int  # 1-based line of the marker comment
    indent: str
    target: str  # dotted path with the intended package prefix
    replacement_text: str
    replacements: list[Replacement] = field(default_factory=list)
    syntax_error: str | None = None
    misspelling: str | None = None  # what was written, when the prefix is misspelt
    ignored_items: list[str] = field(default_factory=list)  # replacement items that are not applied

    def to_json(self) -> dict:
        data = dict(vars(self))
        data["replacements"] = [vars(replacement) for replacement in self.replacements]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Marker:
        replacements = [Replacement(**item) for item in data["replacements"]]
        return cls(**{**data, "replacements": replacements})


def find_markers(text: str, package: str, in_tests: bool = False, dialect: Dialect | None = None) -> list[Marker]:
    """Every marker (correct or misspelt) in `text` that stands directly above a definition.

    `tests.` targets belong to test files; in a library file such a target is treated as a misspelling
    of the package prefix, as the reference checker does not recognise it there either. `dialect` (the
    transformers one by default) says whether paths may hold `/` and whether spaced pairs apply.
    """
    slash_in_paths = dialect.slash_in_paths if dialect else False
    spaced_pairs = dialect.spaced_pairs if dialect else True
    markers = []
    counted_until, line_count = 0, 1
    for match in (_MARKER_LIKE_WITH_SLASHES if slash_in_paths else _MARKER_LIKE).finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        indent = text[line_start : match.start()]
        if indent.strip(" \t"):
            continue  # a trailing comment, not a marker line
        if "Copied" not in match.group("words") and not _close(match.group("words").split()[0], "Copied"):
            continue
        line_count += text.count("\n", counted_until, match.start())
        counted_until = match.start()
        line = line_count
        marker = _interpret(match, line, indent, package, in_tests, spaced_pairs)
        if marker is None:
            continue
        if marker.misspelling is not None and not _definition_follows(text, match.end()):
            continue  # a misspelt prefix in prose (not above a definition) is not a marker
        markers.append(marker)
    return markers


def _interpret(match: re.Match, line: int, indent: str, package: str, in_tests: bool, spaced_pairs: bool) -> Marker | None:
    words = match.group("words").split()
    path = match.group("path").rstrip(".")
    head, _, tail = path.partition(".")
    if head == package or (head == TESTS_PACKAGE and in_tests):
        intended_head = head
    elif _close(head, package) or head == TESTS_PACKAGE:
        intended_head = package
    else:
        return None  # a reference to another library or free prose, not a marker
    well_spelt = words == ["Copied", "from"] and head == intended_head
    if not well_spelt and not (_similar(words[0], "Copied") and (len(words) == 1 or _similar(words[1], "from"))):
        return None
    marker = Marker(
        line=line,
        indent=indent,
        target=f"{intended_head}.{tail}",
        replacement_text=match.group("rest").strip(),
        misspelling=None if well_spelt else f"# {' '.join(words)} {head}.",
    )
    try:
        marker.replacements, marker.ignored_items = parse_replacement_part(
            _replacement_part(marker.replacement_text), spaced_pairs
        )
    except ReplacementSyntaxError as error:
        marker.syntax_error = str(error)
    return marker


def _replacement_part(rest: str) -> str:
    """The text that holds replacement pairs: a part starting with `with`, or one made only of pairs."""
    if not rest or re.match(r"with\b", rest):
        return rest
    try:
        pairs = parse_replacements(rest)
    except ReplacementSyntaxError:
        return ""  # free text after the path, such as "-> NewName": no replacements
    items = [item for item in re.split(r"[,\s]+", rest) if item and item != "all-casing"]
    return rest if pairs and all("->" in item for item in items) else ""


def _definition_follows(text: str, position: int) -> bool:
    next_line_start = text.find("\n", position) + 1
    return next_line_start > 0 and _DEFINITION.match(text, next_line_start) is not None


def _similar(word: str, expected: str) -> bool:
    return word == expected or _close(word, expected)


def _close(word: str, expected: str) -> bool:
    """Within two edits of `expected` (a typo), but not the same word."""
    return word != expected and _edit_distance(word.lower(), expected.lower()) <= 2 and len(word) > 2


def _edit_distance(first: str, second: str) -> int:
    previous = list(range(len(second) + 1))
    for index, char in enumerate(first, 1):
        current = [index]
        for other_index, other_char in enumerate(second, 1):
            current.append(min(previous[other_index] + 1, current[-1] + 1, previous[other_index - 1] + (char != other_char)))
        previous = current
    return previous[-1]
