"""Consume source keys known to be unused (a rotary cache, an optimiser counter): each one listed on purpose."""

from __future__ import annotations

from typing import Any

import torch

from modelgen.port.operations.base import Lookup, Operation, Step


class Drop(Operation):
    name = "drop"
    transformers_equivalent = "a key left out of the mapping (unexpected keys are ignored at load time)"

    def __init__(self, value: Any):
        super().__init__(value)
        if value is not True:
            raise ValueError("drop takes true")

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        return []

    def invertible(self, step: Step) -> bool:
        return False
