"""One `.safetensors` file."""

from __future__ import annotations

from pathlib import Path

import torch

from modelgen.port.sources.base import Source, SourceKind
from modelgen.port.tensorfile import SafetensorsReader, TensorInfo


class SafetensorsSource(Source):
    def __init__(self, path: Path):
        self.path = path
        self.reader = SafetensorsReader(path)

    def keys(self) -> list[str]:
        return self.reader.keys()

    def info(self, key: str) -> TensorInfo:
        return self.reader.info(key)

    def load(self, key: str) -> torch.Tensor:
        return self.reader.read(key)


class SafetensorsFile(SourceKind):
    description = "a .safetensors file"

    def handles(self, path: Path) -> bool:
        return path.is_file() and path.suffix == ".safetensors"

    def open(self, path: Path) -> Source:
        return SafetensorsSource(path)
