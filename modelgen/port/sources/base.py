"""What every checkpoint source offers: its keys, each key's shape and dtype, and one tensor at a time."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

import torch

from modelgen.port.tensorfile import TensorInfo


class Source(ABC):
    """A checkpoint read tensor by tensor; `load` returns memory the caller owns."""

    path: Path

    @abstractmethod
    def keys(self) -> list[str]: ...

    @abstractmethod
    def info(self, key: str) -> TensorInfo: ...

    @abstractmethod
    def load(self, key: str) -> torch.Tensor: ...


class SourceKind(ABC):
    """One kind of checkpoint: says whether it handles a path, and opens it."""

    description: str

    @abstractmethod
    def handles(self, path: Path) -> bool: ...

    @abstractmethod
    def open(self, path: Path) -> Source: ...
