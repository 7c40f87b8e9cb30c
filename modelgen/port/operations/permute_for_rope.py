"""Reorder the rows of q/k projections between the two rotary layouts.

"interleaved" pairs dimensions (0, 1), (2, 3), ... of each head (Meta's original Llama, GPT-J); "half" pairs
dimension i with i + head_dim / 2 (transformers' `rotate_half`). `to = "half"` goes from interleaved to half,
`to = "interleaved"` back. `head_dim` (an expression) gives the heads of each tensor from its rows, so q and k
with different head counts (grouped-query attention) take one rule; `only` picks tensors by position (after a
split: [0, 1] for q and k, leaving v).
"""

from __future__ import annotations

from typing import Any

import torch

from modelgen.port.expressions import check_expression, evaluate
from modelgen.port.operations.base import Lookup, Operation, Step, check_keys

LAYOUTS = ("half", "interleaved")


class PermuteForRope(Operation):
    name = "permute_for_rope"
    transformers_equivalent = "PermuteForRope"

    def __init__(self, value: Any):
        super().__init__(value)
        if not isinstance(value, dict) or "head_dim" not in value or value.get("to") not in LAYOUTS:
            raise ValueError('permute_for_rope takes {head_dim = EXPR, to = "half" | "interleaved", only = [...]}')
        check_keys(value, {"head_dim", "to", "only"}, "permute_for_rope")
        check_expression(value["head_dim"])
        only = value.get("only")
        if only is not None and not (isinstance(only, list) and all(type(index) is int for index in only)):
            raise ValueError("permute_for_rope: only must be a list of tensor positions")

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        return self._apply(tensors, lookup, self.value["to"])

    def inverse(self, tensors: list[torch.Tensor], step: Step, lookup: Lookup) -> list[torch.Tensor]:
        return self._apply(tensors, lookup, LAYOUTS[1 - LAYOUTS.index(self.value["to"])])

    def _apply(self, tensors: list[torch.Tensor], lookup: Lookup, to: str) -> list[torch.Tensor]:
        head_dim = evaluate(self.value["head_dim"], lookup)
        only = self.value.get("only")
        chosen = range(len(tensors)) if only is None else only
        if any(index >= len(tensors) for index in chosen):
            raise ValueError(f"permute_for_rope: only={only} but there are {len(tensors)} tensors")
        return [permute_rows(tensor, head_dim, to) if index in chosen else tensor
                for index, tensor in enumerate(tensors)]


def permute_rows(tensor: torch.Tensor, head_dim: int, to: str) -> torch.Tensor:
    rows = tensor.shape[0]
    if head_dim <= 0 or head_dim % 2 or rows % head_dim:
        raise ValueError(f"permute_for_rope: {rows} rows are not whole heads of an even head_dim {head_dim}")
    heads, rest = rows // head_dim, tensor.shape[1:]
    if to == "half":  # (head, pair, 2) -> (head, 2, pair)
        grouped = tensor.reshape(heads, head_dim // 2, 2, *rest)
    else:  # (head, 2, pair) -> (head, pair, 2)
        grouped = tensor.reshape(heads, 2, head_dim // 2, *rest)
    return grouped.transpose(1, 2).reshape(rows, *rest).contiguous()
