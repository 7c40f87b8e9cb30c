"""Several source tensors, ordered by a captured index, stacked along a new dimension (per-expert weights)."""

from __future__ import annotations

from typing import Any

import torch

from modelgen.port.operations.base import Lookup, Operation, Step, check_keys, dimension_of


class Stack(Operation):
    name = "stack"
    transformers_equivalent = "MergeModulelist (stacks a ModuleList's weights on dim 0)"
    many_to_one = True

    def __init__(self, value: Any):
        super().__init__(value)
        check_keys(value, {"dim"}, "stack")
        self.dim = dimension_of(value)

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        return [torch.stack(tensors, dim=self.dim)]

    def inverse(self, tensors: list[torch.Tensor], step: Step, lookup: Lookup) -> list[torch.Tensor]:
        return [part.contiguous() for part in tensors[0].unbind(dim=self.dim)]
