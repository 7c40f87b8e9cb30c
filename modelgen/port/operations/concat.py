"""Several source tensors, ordered by a captured index, joined along an existing dimension."""

from __future__ import annotations

from typing import Any

import torch

from modelgen.port.operations.base import Lookup, Operation, Step, check_keys, dimension_of


class Concat(Operation):
    name = "concat"
    transformers_equivalent = "Concatenate (MergeModulelist for per-expert modules)"
    many_to_one = True

    def __init__(self, value: Any):
        super().__init__(value)
        check_keys(value, {"dim"}, "concat")
        self.dim = dimension_of(value)

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        return [torch.cat(tensors, dim=self.dim)]

    def inverse(self, tensors: list[torch.Tensor], step: Step, lookup: Lookup) -> list[torch.Tensor]:
        sizes = [shape[self.dim] for shape in step.input_shapes]
        return [part.contiguous() for part in tensors[0].split(sizes, dim=self.dim)]
