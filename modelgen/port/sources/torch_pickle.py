"""A `torch.save` file (`.bin`, `.pt`, `.pth`), loaded with `weights_only=True` and memory-mapped.

`weights_only=True` unpickles tensors and plain containers only: a checkpoint whose loading would run code
(any other class or function in the pickle) is refused, never retried without the restriction. Nested
dictionaries become dotted keys (`model.encoder.weight`); `--source-prefix model` selects the inner one.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import torch

from modelgen.port.sources.base import Source, SourceKind
from modelgen.port.tensorfile import TensorInfo


class UnsafePickle(ValueError):
    """The file needs arbitrary unpickling to load."""


class TorchPickleSource(Source):
    def __init__(self, path: Path):
        self.path = path
        try:
            loaded = torch.load(path, map_location="cpu", weights_only=True, mmap=_is_zip(path))
        except pickle.UnpicklingError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else "unpickling refused"
            raise UnsafePickle(f"refused: loading it would run code outside weights_only ({first_line})") from error
        self.tensors: dict[str, torch.Tensor] = {}
        _flatten(loaded, "", self.tensors)

    def keys(self) -> list[str]:
        return list(self.tensors)

    def info(self, key: str) -> TensorInfo:
        tensor = self.tensors[key]
        return TensorInfo(tuple(tensor.shape), tensor.dtype)

    def load(self, key: str) -> torch.Tensor:
        return self.tensors[key].clone()


def _is_zip(path: Path) -> bool:
    """Only the zip format (torch >= 1.6) can be memory-mapped."""
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _flatten(value: object, prefix: str, into: dict[str, torch.Tensor]) -> None:
    if isinstance(value, torch.Tensor):
        into[prefix.rstrip(".")] = value
    elif isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}{key}.", into)


class TorchPickle(SourceKind):
    description = "a torch.save file (.bin, .pt, .pth)"

    def handles(self, path: Path) -> bool:
        return path.is_file() and path.suffix in {".bin", ".pt", ".pth", ".ckpt"}

    def open(self, path: Path) -> Source:
        return TorchPickleSource(path)
