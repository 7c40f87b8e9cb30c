"""Compare two traces along their alignment and find the first module that is wrong.

Pairs are read in the order their outputs were produced. The first pair whose output differs beyond the
tolerance is the first divergence. Its inputs agreed when the calls that produced them are a pair that agrees
(through calls without a counterpart, every pair upstream agrees), or, for inputs computed between modules
(a residual sum), when they compare equal themselves: then "this module is wrong". Otherwise "its input
already differed": the difference comes from something before it that has no counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from modelgen.port.align import Alignment, Pair, layout_between
from modelgen.port.trace import Call, Trace

THIS_MODULE = "this module is wrong"
INPUT_DIFFERED = "its input already differed"


@dataclass
class PairResult:
    pair: Pair
    shape: list[int]
    max_difference: float | None
    mean_difference: float | None
    input_difference: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"original": self.pair.original.label, "port": self.pair.port.label, "shape": self.shape,
                "max_abs_diff": self.max_difference, "mean_abs_diff": self.mean_difference,
                "input_max_abs_diff": self.input_difference, "layout": self.pair.layout.describe(),
                "aligned_by": self.pair.how}


@dataclass
class Divergence:
    result: PairResult
    verdict: str
    reason: str
    port_unaligned_between: list[str] = field(default_factory=list)
    inside_label: str = "the port also ran, without a counterpart, before it"


@dataclass
class Comparison:
    results: list[PairResult]
    final: PairResult
    atol: float
    divergence: Divergence | None
    alignment: Alignment

    @property
    def agrees(self) -> bool:
        return self.final.max_difference is not None and self.final.max_difference <= self.atol


def _difference(first: torch.Tensor | None, second: torch.Tensor | None, layout) -> tuple[float, float] | None:
    if first is None or second is None:
        return None
    try:
        first = layout.apply(first)
    except RuntimeError:
        return None
    if first.shape != second.shape:
        return None
    gap = (first.double() - second.double()).abs()
    if not gap.numel():
        return 0.0, 0.0
    return gap.max().item(), gap.mean().item()


def compare_traces(original: Trace, port: Trace, alignment: Alignment, atol: float) -> Comparison:
    results = []
    by_original = {pair.original.index: pair for pair in alignment.pairs}
    for pair in alignment.pairs:
        output = _difference(original.output(pair.original), port.output(pair.port), pair.layout)
        input_layout = None
        if pair.original.inputs and pair.port.inputs and _inputs_correspond(pair, by_original):
            input_layout = layout_between(pair.original.inputs[0].shape, pair.port.inputs[0].shape)
        inputs = _difference(original.input(pair.original), port.input(pair.port), input_layout) \
            if input_layout is not None else None
        results.append(PairResult(pair, pair.port.outputs[0].shape if pair.port.outputs else [],
                                  output[0] if output else None, output[1] if output else None,
                                  inputs[0] if inputs else None))
    final = next(result for result in results if result.pair.how == "model")
    comparison = Comparison(results, final, atol, None, alignment)
    comparison.divergence = _first_divergence(comparison, port)
    return comparison


def _first_divergence(comparison: Comparison, port: Trace) -> Divergence | None:
    atol = comparison.atol
    by_original = {result.pair.original.index: result for result in comparison.results}
    by_port = {result.pair.port.index: result for result in comparison.results}
    for result in comparison.results:
        if result.max_difference is None or result.max_difference <= atol:
            continue
        original_producer = _producer(result.pair.original)
        port_producer = _producer(result.pair.port)
        paired = by_original.get(original_producer) if isinstance(original_producer, int) else None
        if isinstance(original_producer, int) and paired is not None and paired.pair.port.index == port_producer:
            agreed = paired.max_difference is not None and paired.max_difference <= atol
            reason = f"its input is the output of {paired.pair.original.label} / {paired.pair.port.label}"
        elif original_producer == "input" and port_producer == "input":
            agreed = result.input_difference is not None and result.input_difference <= atol
            reason = "its input is the model's input"
        elif isinstance(original_producer, int) or isinstance(port_producer, int):
            upstream = _upstream_pairs(result.pair.port, port, by_port)
            agreed = all(item.max_difference is not None and item.max_difference <= atol for item in upstream)
            reason = (f"every pair upstream of it agrees ({', '.join(item.pair.port.label for item in upstream[:4])}"
                      f"{', ...' if len(upstream) > 4 else ''})" if agreed else
                      "a pair upstream of it already differs")
        else:
            agreed = result.input_difference is not None and result.input_difference <= atol
            reason = ("its inputs compare equal" if agreed else "its inputs differ"
                      if result.input_difference is not None else "its inputs cannot be compared")
            enclosing = _enclosing_pair(result, comparison.results)
            if not agreed and enclosing is not None and _inputs_agree(enclosing, by_original, port, by_port, atol):
                # the differing input was computed by the enclosing module's own code, whose inputs agreed
                inside = [call.label for call in port.calls if call.index not in by_port
                          and enclosing.pair.port.start < call.start and call.index < enclosing.pair.port.index]
                return Divergence(enclosing, THIS_MODULE,
                                  f"it computed the input of {result.pair.port.label}, which already differs, from "
                                  f"inputs that agreed", inside, inside_label="the port ran inside it")
        between = _unaligned_upstream(result.pair.port, port, by_port)
        return Divergence(result, THIS_MODULE if agreed else INPUT_DIFFERED, reason, between)
    return None


def _enclosing_pair(result: PairResult, results: list[PairResult]) -> PairResult | None:
    """The innermost pair whose calls started before and finished after this pair's, on both sides."""
    found = [other for other in results if other.pair.how != "model"
             and other.pair.port.start < result.pair.port.start and other.pair.port.index > result.pair.port.index
             and other.pair.original.start < result.pair.original.start
             and other.pair.original.index > result.pair.original.index]
    return max(found, key=lambda other: other.pair.port.start, default=None)


def _inputs_agree(result: PairResult, by_original, port: Trace, by_port, atol: float) -> bool:
    original_producer, port_producer = _producer(result.pair.original), _producer(result.pair.port)
    if isinstance(original_producer, int) and isinstance(port_producer, int):
        paired = by_original.get(original_producer)
        if paired is not None and paired.pair.port.index == port_producer:
            return paired.max_difference is not None and paired.max_difference <= atol
    if isinstance(original_producer, int) or isinstance(port_producer, int):
        upstream = _upstream_pairs(result.pair.port, port, by_port)
        return all(item.max_difference is not None and item.max_difference <= atol for item in upstream)
    return result.input_difference is not None and result.input_difference <= atol


def _inputs_correspond(pair: Pair, by_original: dict[int, Pair]) -> bool:
    """The first inputs are the same quantity: outputs of one pair, the model's input, or both computed."""
    first, second = _producer(pair.original), _producer(pair.port)
    if isinstance(first, int) and isinstance(second, int):
        return first in by_original and by_original[first].port.index == second
    return first == second


def _producer(call: Call) -> int | str | None:
    return call.inputs[0].producer if call.inputs else None


def _upstream_pairs(call: Call, trace: Trace, by_port: dict[int, PairResult]) -> list[PairResult]:
    """The nearest aligned calls that produced `call`'s inputs, looking through calls without a counterpart."""
    found, seen, stack = [], set(), [call]
    while stack:
        current = stack.pop()
        for record in current.inputs:
            producer = record.producer
            if not isinstance(producer, int) or producer in seen:
                continue
            seen.add(producer)
            if producer in by_port:
                found.append(by_port[producer])
            else:
                stack.append(trace.calls[producer])
    return found


def _unaligned_upstream(call: Call, trace: Trace, by_port: dict[int, PairResult]) -> list[str]:
    """Port calls without a counterpart that fed this one: where the fault may sit too."""
    labels, seen, stack = [], set(), [call]
    while stack:
        current = stack.pop()
        for record in current.inputs:
            producer = record.producer
            if isinstance(producer, int) and producer not in seen and producer not in by_port:
                seen.add(producer)
                labels.append(trace.calls[producer].label)
                stack.append(trace.calls[producer])
    return labels
