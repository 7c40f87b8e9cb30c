"""Cast each tensor; undone exactly only where the cast loses nothing (a widening float cast)."""

from __future__ import annotations

from typing import Any

import torch

from modelgen.port.operations.base import Lookup, Operation, Step

_EXACT_WIDENINGS = {("float16", "float32"), ("bfloat16", "float32"), ("float16", "float64"),
                    ("bfloat16", "float64"), ("float32", "float64")}


def torch_dtype(name: str) -> torch.dtype:
    found = getattr(torch, name, None)
    if not isinstance(found, torch.dtype):
        raise TypeError(f"unknown dtype {name!r} (e.g. float32, bfloat16, float16)")
    return found


class Dtype(Operation):
    name = "dtype"
    transformers_equivalent = "none (the loading dtype, `torch_dtype`)"

    def __init__(self, value: Any):
        super().__init__(value)
        if not isinstance(value, str):
            raise TypeError(f"dtype takes a name such as \"float32\", got {value!r}")
        self.dtype = torch_dtype(value)

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        return [tensor.to(self.dtype) for tensor in tensors]

    def inverse(self, tensors: list[torch.Tensor], step: Step, lookup: Lookup) -> list[torch.Tensor]:
        return [tensor.to(torch_dtype(name)) for tensor, name in zip(tensors, step.input_dtypes)]

    def invertible(self, step: Step) -> bool:
        return all(name == self.value or (name, self.value) in _EXACT_WIDENINGS for name in step.input_dtypes)
