"""The operations a rule may apply, one module each; `OPERATIONS` maps a TOML key to its class."""

from __future__ import annotations

from modelgen.port.operations.base import Operation, Step
from modelgen.port.operations.concat import Concat
from modelgen.port.operations.drop import Drop
from modelgen.port.operations.dtype import Dtype
from modelgen.port.operations.permute_for_rope import PermuteForRope
from modelgen.port.operations.reshape import Reshape
from modelgen.port.operations.split import Split
from modelgen.port.operations.stack import Stack
from modelgen.port.operations.transpose import Transpose

OPERATIONS: dict[str, type[Operation]] = {
    operation.name: operation for operation in (Transpose, Reshape, Split, Concat, Stack, PermuteForRope, Dtype, Drop)
}

__all__ = ["OPERATIONS", "Operation", "Step"]
