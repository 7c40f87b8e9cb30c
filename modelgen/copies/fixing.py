"""Rewriting drifted copies: the smallest edit that makes a copy match its source, in dependency order.

The repaired block starts from the expected text formatted with ruff. Every hunk where it differs from the
current copy is then tried back in its current form: a hunk whose revert keeps the block equal to the
expected code (up to formatting) only differed in formatting, so it keeps the copy's bytes. A fix therefore
touches only the lines that really drifted, and a formatter version that wraps lines differently from the
one the library used never rewrites untouched code.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable

from modelgen.copies.comparison import same_code


def minimal_repair(observed: list[str], formatted_expected: list[str]) -> list[str]:
    """The expected block, keeping the copy's own lines wherever they differ only in formatting."""
    hunks = _hunks(observed, formatted_expected)
    chosen = {index: "expected" for index in range(len(hunks))}
    for index in range(len(hunks)):
        chosen[index] = "observed"
        if not same_code(_assemble(observed, formatted_expected, hunks, chosen), formatted_expected):
            chosen[index] = "expected"
    return _assemble(observed, formatted_expected, hunks, chosen)


def _hunks(observed: list[str], expected: list[str]) -> list[tuple[int, int, int, int]]:
    """Differing line ranges (observed start, end, expected start, end); equal-sized ones split per line."""
    hunks = []
    matcher = difflib.SequenceMatcher(a=observed, b=expected, autojunk=False)
    for tag, first_start, first_end, second_start, second_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and first_end - first_start == second_end - second_start:
            hunks.extend((first_start + k, first_start + k + 1, second_start + k, second_start + k + 1)
                         for k in range(first_end - first_start))
        else:
            hunks.append((first_start, first_end, second_start, second_end))
    return hunks


def _assemble(observed, expected, hunks, chosen) -> list[str]:
    result, position = [], 0
    for index, (first_start, first_end, second_start, second_end) in enumerate(hunks):
        result.extend(observed[position:first_start])
        result.extend(observed[first_start:first_end] if chosen[index] == "observed" else expected[second_start:second_end])
        position = first_end
    result.extend(observed[position:])
    return result


def dependency_order(
    nodes: Iterable[Hashable], depends_on: Callable[[Hashable], Iterable[Hashable]]
) -> tuple[list[Hashable], list[list[Hashable]]]:
    """Nodes with every dependency first, and the cycles found (their nodes are left out of the order)."""
    order: list = []
    state: dict = {}  # node -> "visiting" | "done"
    cycles: list[list] = []
    in_cycle: set = set()

    def visit(node, path):
        if state.get(node) == "done":
            return
        if state.get(node) == "visiting":
            cycle = path[path.index(node):]
            cycles.append(cycle)
            in_cycle.update(cycle)
            return
        state[node] = "visiting"
        path.append(node)
        for dependency in depends_on(node):
            visit(dependency, path)
        path.pop()
        state[node] = "done"
        if node not in in_cycle:
            order.append(node)

    for node in nodes:
        visit(node, [])
    return order, cycles
