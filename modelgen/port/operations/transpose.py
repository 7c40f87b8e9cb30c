"""Swap two dimensions of each tensor (a Conv1D's [in, out] against a Linear's [out, in])."""

from __future__ import annotations

from typing import Any

import torch

from modelgen.port.operations.base import Lookup, Operation, Step


class Transpose(Operation):
    name = "transpose"
    transformers_equivalent = "Transpose (5.x; earlier: a transpose in the conversion script)"

    def __init__(self, value: Any):
        super().__init__(value)
        dims = [0, 1] if value is True else value
        if not (isinstance(dims, list) and len(dims) == 2 and all(type(dim) is int for dim in dims)):
            raise ValueError(f"transpose takes true or two dimensions [a, b], got {value!r}")
        self.dims = dims

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        return [tensor.transpose(*self.dims).contiguous() for tensor in tensors]

    def inverse(self, tensors: list[torch.Tensor], step: Step, lookup: Lookup) -> list[torch.Tensor]:
        return self.forward(tensors, lookup)
