"""Shards listed by an index (`model.safetensors.index.json`: `weight_map` from key to shard file)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from modelgen.port.sources.base import Source, SourceKind
from modelgen.port.tensorfile import SafetensorsReader, TensorInfo


class ShardedSource(Source):
    def __init__(self, path: Path):
        self.path = path
        weight_map = json.loads(path.read_text(encoding="utf-8")).get("weight_map")
        if not isinstance(weight_map, dict):
            raise TypeError("an index needs a weight_map object")
        readers = {name: SafetensorsReader(path.parent / name) for name in dict.fromkeys(weight_map.values())}
        self.owner = {key: readers[name] for key, name in weight_map.items()}

    def keys(self) -> list[str]:
        return list(self.owner)

    def info(self, key: str) -> TensorInfo:
        return self.owner[key].info(key)

    def load(self, key: str) -> torch.Tensor:
        return self.owner[key].read(key)


class ShardedIndex(SourceKind):
    description = "a *.safetensors.index.json with its shards"

    def handles(self, path: Path) -> bool:
        return path.is_file() and path.name.endswith(".safetensors.index.json")

    def open(self, path: Path) -> Source:
        return ShardedSource(path)
