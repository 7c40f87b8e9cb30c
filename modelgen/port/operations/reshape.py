"""Give each tensor a new shape (sizes may be config expressions, one may be -1)."""

from __future__ import annotations

from typing import Any

import torch

from modelgen.port.expressions import check_expression, evaluate
from modelgen.port.operations.base import Lookup, Operation, Step


class Reshape(Operation):
    name = "reshape"
    transformers_equivalent = "none (a reshape in the conversion script)"

    def __init__(self, value: Any):
        super().__init__(value)
        if not isinstance(value, list) or not value:
            raise ValueError(f"reshape takes a list of sizes, got {value!r}")
        for size in value:
            check_expression(size)

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        shape = [evaluate(size, lookup) for size in self.value]
        return [tensor.reshape(shape) for tensor in tensors]

    def inverse(self, tensors: list[torch.Tensor], step: Step, lookup: Lookup) -> list[torch.Tensor]:
        return [tensor.reshape(shape) for tensor, shape in zip(tensors, step.input_shapes)]
