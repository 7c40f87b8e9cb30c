"""What a copy should look like, and whether it does.

The expected text is the source block with the marker's replacements applied, moved to the copy's
indentation, with the copy's own name on its first line and the copy's `# Ignore copy` segments kept.
A copy is consistent when its non-blank lines equal the expected ones (the fast path, which covers almost
every copy), or when both differ only in formatting: the same syntax tree, the same comments, and the
same docstrings up to the whitespace a formatter changes. So a formatter version that wraps lines
differently never turns into a false report.
"""

from __future__ import annotations

import ast
import inspect
import io
import tokenize
from dataclasses import dataclass

from modelgen.copies.blocks import DEFINITION_HEADER, SourceText, indent_of, signature_length
from modelgen.copies.replacements import Replacement, apply_replacements
from modelgen.copies.segments import IGNORE_COPY, Segment, join_segments, split_segments


@dataclass(frozen=True)
class Expectation:
    full_expected: list[str]  # the whole block a fix writes: expected text with the copy's ignored segments
    compared_expected: list[str]  # what the comparison sees: ignored segments left out
    compared_observed: list[tuple[int, str]]  # (index in the copy's block, line), ignored segments left out


def build_expectation(
    source_lines: list[str],
    source_in_strings: frozenset[int],
    replacements: list[Replacement],
    copy_lines: list[str],
    copy_in_strings: frozenset[int],
    compare_signature: bool = True,
) -> Expectation:
    """`*_in_strings`: indices (relative to the block) of lines that start inside a multi-line string.

    Without `compare_signature` (a dialect choice), the expected block starts with the copy's own signature
    (every line to its closing `:`), so neither the check nor a fix ever looks at parameters or defaults.
    """
    source_text = "".join(source_lines)
    rendered_text = apply_replacements(source_text, replacements)
    rendered_lines = source_lines if rendered_text == source_text else rendered_text.splitlines(keepends=True)
    if len(rendered_lines) != len(source_lines):  # a replacement changed the line structure
        source_in_strings = SourceText(rendered_text).lines_in_strings
    expected_lines = _move_block(rendered_lines, indent_of(copy_lines[0]), source_in_strings)
    expected_lines[0] = _rename_header(expected_lines[0], copy_lines[0])
    if not compare_signature:
        own, theirs = signature_length(copy_lines), signature_length(expected_lines)
        expected_lines = copy_lines[:own] + expected_lines[theirs:]
        source_in_strings = frozenset(
            {index for index in copy_in_strings if index < own}
            | {index - theirs + own for index in source_in_strings if index >= theirs}
        )
    if not any(IGNORE_COPY in line for line in copy_lines):
        return Expectation(expected_lines, expected_lines, list(enumerate(copy_lines)))
    expected = split_segments(expected_lines, source_in_strings)
    observed = split_segments(copy_lines, copy_in_strings)
    ignored = {segment.key: segment for segment in observed if segment.ignored}
    numbered_observed = _number_lines(observed)
    return Expectation(
        full_expected=join_segments(_splice_ignored(expected, observed, ignored)),
        compared_expected=join_segments([segment for segment in expected if segment.key not in ignored]),
        compared_observed=[
            pair for segment, pairs in zip(observed, numbered_observed) if not segment.ignored for pair in pairs
        ],
    )


def first_difference(expectation: Expectation) -> int | None:
    """Index (in the copy's block) of the first line that differs, ignoring blank lines; None if none."""
    if len(expectation.compared_expected) == len(expectation.compared_observed) and all(
        expected == observed for expected, (_, observed) in zip(expectation.compared_expected, expectation.compared_observed)
    ):
        return None
    expected = [line.rstrip() for line in expectation.compared_expected if line.strip()]
    observed = [(index, line.rstrip()) for index, line in expectation.compared_observed if line.strip()]
    for position, (index, line) in enumerate(observed):
        if position >= len(expected) or expected[position] != line:
            return index
    if len(expected) > len(observed):
        return observed[-1][0] + 1 if observed else 0
    return None


def is_consistent(expectation: Expectation) -> bool:
    if first_difference(expectation) is None:
        return True
    expected = expectation.compared_expected
    observed = [line for _, line in expectation.compared_observed]
    verdict = _same_code_by_segment(expected, observed)
    return verdict if verdict is not None else same_code(expected, observed)


def _same_code_by_segment(expected: list[str], observed: list[str]) -> bool | None:
    """Compare inner definition by inner definition, parsing only those whose lines differ.

    None when that cannot decide (different inner definitions, or a segment that does not parse alone).
    """
    expected_segments, observed_segments = split_segments(expected), split_segments(observed)
    if [segment.key for segment in expected_segments] != [segment.key for segment in observed_segments]:
        return None
    for first, second in zip(expected_segments, observed_segments):
        if _non_blank(first.lines) == _non_blank(second.lines):
            continue
        first_form, second_form = _normal_form(list(first.lines)), _normal_form(list(second.lines))
        if first_form is None or second_form is None:
            return None
        if first_form != second_form:
            return False
    return True


def _non_blank(lines) -> list[str]:
    return [line.rstrip() for line in lines if line.strip()]


def same_code(first: list[str], second: list[str]) -> bool:
    """Equal up to formatting: syntax tree, comments and (whitespace-normalised) docstrings."""
    first_key, second_key = _normal_form(first), _normal_form(second)
    return first_key is not None and first_key == second_key


def _normal_form(lines: list[str]) -> tuple[str, tuple[str, ...]] | None:
    if not lines:
        return ("", ())
    indent = indent_of(lines[0])
    code = "".join(line[len(indent) :] if line.startswith(indent) else line for line in lines)
    if DEFINITION_HEADER.match(code) is None:
        code = "class _:\n" + "".join(line if line.strip() else "\n" for line in lines)
        indent = ""
    try:
        tree = ast.parse(code)
        comments = tuple(
            token.string.rstrip()
            for token in tokenize.generate_tokens(io.StringIO(code).readline)
            if token.type == tokenize.COMMENT
        )
    except (SyntaxError, tokenize.TokenError, IndentationError, ValueError):
        return None
    _normalise_docstrings(tree)
    return ast.dump(tree, include_attributes=False), comments


def _normalise_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    cleaned = inspect.cleandoc(first.value.value)
                    first.value.value = "\n".join(line.rstrip() for line in cleaned.splitlines()).strip()


def _move_block(lines: list[str], indent: str, in_strings: frozenset[int]) -> list[str]:
    source_indent = indent_of(lines[0]) if lines else ""
    if source_indent == indent:
        return lines[:]
    return [
        indent + line[len(source_indent) :] if index not in in_strings and line.startswith(source_indent) else line
        for index, line in enumerate(lines)
    ]


def _rename_header(expected_header: str, copy_header: str) -> str:
    """Put the copy's own class or function name on the expected first line."""
    copy_match = DEFINITION_HEADER.match(copy_header)
    expected_match = DEFINITION_HEADER.match(expected_header)
    if copy_match is None or expected_match is None:
        return expected_header
    start, end = expected_match.span("name")
    return expected_header[:start] + copy_match.group("name") + expected_header[end:]


def _number_lines(segments: list[Segment]) -> list[list[tuple[int, str]]]:
    numbered, index = [], 0
    for segment in segments:
        numbered.append([(index + offset, line) for offset, line in enumerate(segment.lines)])
        index += len(segment.lines)
    return numbered


def _splice_ignored(expected: list[Segment], observed: list[Segment], ignored: dict[str, Segment]) -> list[Segment]:
    """Expected segments, with the copy's ignored ones in place (copy-only ones after their predecessor)."""
    result = [ignored.get(segment.key, segment) for segment in expected]
    expected_keys = {segment.key for segment in expected}
    for position, segment in enumerate(observed):
        if segment.key in ignored and segment.key not in expected_keys:
            previous_keys = [other.key for other in observed[:position]]
            anchor = next(
                (index for index in range(len(result) - 1, -1, -1) if result[index].key in previous_keys), -1
            )
            result.insert(anchor + 1, segment)
    return result
