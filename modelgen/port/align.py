"""Pair the module calls of an original and a port: a user map first, else from their weights and order.

Automatic alignment, in three passes:
1. Weights. The conversion's mapping report says which original weights each port parameter came from
   (without one, parameters pair by equal names). A port call whose weights (its whole subtree) are exactly
   an original call's weights is its counterpart. Otherwise the port call belongs to the smallest original
   module holding all of its weights (or the nearest ancestor of it that ran); where several port calls
   belong to one original call, the last to finish is its counterpart: the original's output is complete
   only once all of them ran (q, k, v and the output projection against one fused attention call).
2. Order. Pairs must finish in the same order on both sides; crossing pairs are dropped.
3. Calls without weights (dropout, activations) between two consecutive pairs pair in order when their kinds
   and output shapes agree.
Outputs pair up to a layout: equal shapes, or the first two dimensions swapped (sequence-first layers).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelgen.errors import ModelgenError
from modelgen.port.trace import Call, Trace


@dataclass(frozen=True)
class Layout:
    """How an original output is rearranged to the port's: transposes then a reshape."""

    transposes: tuple[tuple[int, int], ...] = ()
    reshape: tuple[int, ...] | None = None

    def apply(self, tensor):
        for first, second in self.transposes:
            tensor = tensor.transpose(first, second)
        return tensor.reshape(self.reshape) if self.reshape is not None else tensor

    def describe(self) -> str:
        parts = [f"transpose({a},{b})" for a, b in self.transposes]
        if self.reshape is not None:
            parts.append(f"reshape{list(self.reshape)}")
        return " ".join(parts) or "same"


SAME = Layout()
SWAP_FIRST_TWO = Layout(((0, 1),))


@dataclass
class Pair:
    original: Call
    port: Call
    layout: Layout
    how: str  # map | weights | order | model


@dataclass
class Alignment:
    pairs: list[Pair]
    unaligned_original: list[Call] = field(default_factory=list)
    unaligned_port: list[Call] = field(default_factory=list)


@dataclass
class MapRule:
    original: re.Pattern[str]
    port: str
    layout: Layout | None
    line: int


def load_map(path: Path) -> list[MapRule]:
    """`[[pair]]` tables: `original` (a regex over module paths), `port` (a template), optional layout keys."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ModelgenError(f"invalid TOML: {error}", path) from error
    lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.match(r"\s*\[\[\s*pair\s*\]\]", line)]
    rules = []
    for position, entry in enumerate(data.get("pair", [])):
        line = lines[position] if position < len(lines) else None
        unknown = sorted(set(entry) - {"original", "port", "transpose", "reshape"})
        if unknown or not isinstance(entry.get("original"), str) or not isinstance(entry.get("port"), str):
            raise ModelgenError("a [[pair]] needs original = 'REGEX' and port = 'TEMPLATE' (optional transpose, "
                                "reshape)", path, line)
        try:
            pattern = re.compile(entry["original"])
        except re.error as error:
            raise ModelgenError(f"original is not a regular expression: {error}", path, line) from error
        layout = None
        if "transpose" in entry or "reshape" in entry:
            transpose = entry.get("transpose")
            layout = Layout((tuple(transpose),) if transpose else (), tuple(entry["reshape"]) if "reshape" in entry
                            else None)
        rules.append(MapRule(pattern, entry["port"], layout, line or 0))
    return rules


def provenance_from_report(report: dict[str, Any] | None) -> dict[str, set[str]] | None:
    """Port parameter name -> the original keys it was made from, after a conversion."""
    if report is None:
        return None
    stored = {target: name for target, name in report.get("stored_as", {}).items()}
    made: dict[str, set[str]] = {}
    for entry in report["applications"]:
        for target in entry["targets"]:
            made.setdefault(target, set()).update(entry["sources"])
            if target in stored:
                made.setdefault(stored[target], set()).update(entry["sources"])
    return made


def output_layout(original: Call, port: Call) -> Layout | None:
    if not original.outputs or not port.outputs:
        return None
    return layout_between(original.outputs[0].shape, port.outputs[0].shape)


def layout_between(original_shape: list[int], port_shape: list[int]) -> Layout | None:
    if original_shape == port_shape:
        return SAME
    if len(original_shape) >= 2 and [original_shape[1], original_shape[0], *original_shape[2:]] == port_shape:
        return SWAP_FIRST_TWO
    return None


def align(original: Trace, port: Trace, provenance: dict[str, set[str]] | None = None,
          user_map: list[MapRule] | None = None) -> Alignment:
    pairs: list[Pair] = []
    used_original: set[int] = set()
    used_port: set[int] = set()

    def add(first: Call, second: Call, layout: Layout, how: str) -> None:
        pairs.append(Pair(first, second, layout, how))
        used_original.add(first.index)
        used_port.add(second.index)

    add(original.root, port.root, output_layout(original.root, port.root) or SAME, "model")
    for first, second, layout in _mapped(original, port, user_map or []):
        if first.index not in used_original and second.index not in used_port:
            add(first, second, layout, "map")
    for first, second in _by_weights(original, port, provenance):
        if first.index not in used_original and second.index not in used_port:
            add(first, second, output_layout(first, second), "weights")
    pairs = _in_order(pairs)
    used_original = {pair.original.index for pair in pairs}
    used_port = {pair.port.index for pair in pairs}
    for first, second, layout in _by_order(original, port, pairs, used_original, used_port):
        pairs.append(Pair(first, second, layout, "order"))
        used_original.add(first.index)
        used_port.add(second.index)
    pairs.sort(key=lambda pair: pair.port.index)
    return Alignment(pairs, [call for call in original.calls if call.index not in used_original],
                     [call for call in port.calls if call.index not in used_port])


def _mapped(original: Trace, port: Trace, rules: list[MapRule]):
    by_label = {(call.path, call.occurrence): call for call in port.calls}
    for call in original.calls:
        for rule in rules:
            found = rule.original.fullmatch(call.path)
            if found:
                target = rule.port.format(found.group(0), *found.groups(), **found.groupdict())
                counterpart = by_label.get((target, call.occurrence))
                layout = rule.layout or (output_layout(call, counterpart) if counterpart else None)
                if counterpart is not None and layout is not None:
                    yield call, counterpart, layout
                break


def _subtree_parameters(trace: Trace) -> dict[str, set[str]]:
    """Module path -> every parameter name at or below it."""
    below: dict[str, set[str]] = {}
    for name in trace.parameters:
        parts = name.split(".")
        for depth in range(len(parts)):
            below.setdefault(".".join(parts[:depth]), set()).add(name)
    return below


def _by_weights(original: Trace, port: Trace, provenance: dict[str, set[str]] | None):
    if provenance is None:  # the same library on both sides: parameters pair by name
        provenance = {name: {name} for name in port.parameters if name in original.parameters}
    original_below = _subtree_parameters(original)
    port_below = _subtree_parameters(port)
    first_calls = {}
    for call in original.calls:
        first_calls.setdefault(call.path, call)
    exact = {frozenset(keys): path for path, keys in original_below.items() if path in first_calls}
    strong: dict[str, list[Call]] = {}
    weak: dict[str, list[Call]] = {}
    for call in port.calls:
        if call.occurrence:
            continue
        keys = set().union(*(provenance.get(name, set()) for name in port_below.get(call.path, set())))
        keys &= set(original.parameters)
        if not keys or call.path == "":
            continue
        if frozenset(keys) in exact:
            strong.setdefault(exact[frozenset(keys)], []).append(call)
            continue
        owner = _called_ancestor(_common_module(keys), first_calls)
        if owner is not None and owner != "":
            weak.setdefault(owner, []).append(call)
    for path, first in first_calls.items():
        # the same weights exactly: the innermost call (a Linear, not the block wrapping it with an activation);
        # only part of an original call's weights: the last call, once the original's output is complete
        for group, pick in ((strong.get(path, []), min), (weak.get(path, []), max)):
            fitting = [call for call in group if output_layout(first, call) is not None]
            if fitting:
                yield first, pick(fitting, key=lambda call: call.index)
                break


def _common_module(keys: set[str]) -> str:
    parents = [key.split(".")[:-1] for key in keys]
    common = []
    for parts in zip(*parents):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common)


def _called_ancestor(path: str, calls: dict[str, Call]) -> str | None:
    parts = path.split(".") if path else []
    while True:
        candidate = ".".join(parts)
        if candidate in calls:
            return candidate
        if not parts:
            return None
        parts.pop()


def _in_order(pairs: list[Pair]) -> list[Pair]:
    """The most pairs that finish in the same order on both sides (user-mapped and model pairs kept first)."""
    ordered = sorted(pairs, key=lambda pair: pair.port.index)
    best: list[list[Pair]] = []
    for pair in ordered:  # longest increasing subsequence in the original's order, O(n^2) on small n
        chain = max((chain for chain in best if chain[-1].original.index < pair.original.index),
                    key=len, default=[])
        best.append([*chain, pair])
    return max(best, key=len, default=[])


def _kind(call: Call) -> str:
    name = call.kind.lower()
    for family in ("dropout", "norm", "embedding", "linear", "conv"):
        if family in name:
            return family
    if any(word in name for word in ("gelu", "relu", "silu", "swish", "tanh", "sigmoid", "activation", "mish")):
        return "activation"
    return name


def _by_order(original: Trace, port: Trace, pairs: list[Pair], used_original: set[int], used_port: set[int]):
    original_weighted = _subtree_parameters(original)
    port_weighted = _subtree_parameters(port)
    anchors = sorted(pairs, key=lambda pair: pair.port.index)
    bounds = [(-1, -1)] + [(pair.original.index, pair.port.index) for pair in anchors]
    for (low_original, low_port), (high_original, high_port) in itertools.pairwise(bounds):
        left = [call for call in original.calls[low_original + 1:high_original]
                if call.index not in used_original and not original_weighted.get(call.path)]
        right = [call for call in port.calls[low_port + 1:high_port]
                 if call.index not in used_port and not port_weighted.get(call.path)]
        for first, second in _common_subsequence(left, right):
            yield first, second, output_layout(first, second)


def _common_subsequence(left: list[Call], right: list[Call]) -> list[tuple[Call, Call]]:
    def fits(first: Call, second: Call) -> bool:
        return _kind(first) == _kind(second) and output_layout(first, second) is not None

    lengths = [[0] * (len(right) + 1) for _ in range(len(left) + 1)]
    for i in range(len(left) - 1, -1, -1):
        for j in range(len(right) - 1, -1, -1):
            lengths[i][j] = (lengths[i + 1][j + 1] + 1 if fits(left[i], right[j])
                             else max(lengths[i + 1][j], lengths[i][j + 1]))
    found, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if fits(left[i], right[j]) and lengths[i][j] == lengths[i + 1][j + 1] + 1:
            found.append((left[i], right[j]))
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return found
