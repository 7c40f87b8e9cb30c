"""One tensor operation of a rule: parsed from TOML, run forward, and undone by `--reverse`.

Operations run on lists of tensors: most act on each tensor, `split` turns one into several, `concat` and
`stack` several into one, `drop` consumes them all. `forward` works on meta tensors too, which is how a
conversion checks every shape before it reads a byte. `inverse` gets the `Step` that `forward` recorded (the
input shapes and dtypes), so an operation can be undone exactly without re-reading the original.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

Lookup = Callable[[str], Any]


@dataclass(frozen=True)
class Step:
    """What one operation saw when it ran forward: enough to run it backward."""

    input_shapes: tuple[tuple[int, ...], ...]
    input_dtypes: tuple[str, ...]

    @classmethod
    def of(cls, tensors: list[torch.Tensor]) -> Step:
        return cls(tuple(tuple(tensor.shape) for tensor in tensors),
                   tuple(str(tensor.dtype).removeprefix("torch.") for tensor in tensors))

    def as_dict(self) -> dict[str, Any]:
        return {"input_shapes": [list(shape) for shape in self.input_shapes], "input_dtypes": list(self.input_dtypes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(tuple(tuple(shape) for shape in data["input_shapes"]), tuple(data["input_dtypes"]))


class Operation:
    """Subclasses set `name` and `transformers_equivalent`, parse their TOML value in `__init__`."""

    name: str = ""
    transformers_equivalent: str = ""
    many_to_one: bool = False  # sources sharing a target are gathered (ordered by a captured index)

    def __init__(self, value: Any):
        self.value = value

    def forward(self, tensors: list[torch.Tensor], lookup: Lookup) -> list[torch.Tensor]:
        raise NotImplementedError

    def inverse(self, tensors: list[torch.Tensor], step: Step, lookup: Lookup) -> list[torch.Tensor]:
        raise NotImplementedError

    def invertible(self, step: Step) -> bool:
        return True

    def describe(self) -> str:
        if isinstance(self.value, dict):
            return f"{self.name}({', '.join(f'{key}={value}' for key, value in self.value.items())})"
        return f"{self.name}({self.value})"


def dimension_of(value: Any, key: str = "dim", default: int = 0) -> int:
    """`op = 1` or `op = {dim = 1}`: the dimension an operation works along."""
    if isinstance(value, dict):
        value = value.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} must be an integer, got {value!r}")
    return value


def check_keys(value: Any, allowed: set[str], name: str) -> None:
    if isinstance(value, dict):
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"{name}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
