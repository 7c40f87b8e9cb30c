"""One fused tensor into several along a dimension (a fused qkv into q, k and v, grouped-query sizes too)."""

from __future__ import annotations

from typing import Any

import torch

from modelgen.port.expressions import check_expression, evaluate
from modelgen.port.operations.base import Lookup, Operation, Step, check_keys, dimension_of


class Split(Operation):
    name = "split"
    transformers_equivalent = "Chunk (equal parts); unequal sizes: none (SplitModulelist splits into modules)"

    def __init__(self, value: Any):
        super().__init__(value)
        if not isinstance(value, dict) or ("sizes" in value) == ("chunks" in value):
            raise ValueError("split takes {dim = D, sizes = [...]} or {dim = D, chunks = N}")
        check_keys(value, {"dim", "sizes", "chunks"}, "split")
        self.dim = dimension_of(value)
        if "chunks" in value:
            check_expression(value["chunks"])
        else:
            if not isinstance(value["sizes"], list) or not value["sizes"]:
                raise ValueError("split: sizes must be a non-empty list")
            for size in value["sizes"]:
                check_expression(size)

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        if len(tensors) != 1:
            raise ValueError(f"split needs exactly one tensor, got {len(tensors)}")
        tensor = tensors[0]
        if "chunks" in self.value:
            chunks = evaluate(self.value["chunks"], lookup)
            if chunks <= 0 or tensor.shape[self.dim] % chunks:
                raise ValueError(f"split: dimension {self.dim} of size {tensor.shape[self.dim]} is not "
                                 f"{chunks} equal chunks")
            return [part.contiguous() for part in tensor.chunk(chunks, dim=self.dim)]
        sizes = [evaluate(size, lookup) for size in self.value["sizes"]]
        if sum(sizes) != tensor.shape[self.dim]:
            raise ValueError(f"split: sizes {sizes} add up to {sum(sizes)}, dimension {self.dim} is "
                             f"{tensor.shape[self.dim]}")
        return [part.contiguous() for part in tensor.split(sizes, dim=self.dim)]

    def inverse(self, tensors: list[torch.Tensor], step: Step, lookup: Lookup) -> list[torch.Tensor]:
        return [torch.cat(tensors, dim=self.dim)]
