"""A folder: its shard index if it has one, else its only `.safetensors` or torch file."""

from __future__ import annotations

from pathlib import Path

from modelgen.port.sources.base import Source, SourceKind
from modelgen.port.sources.safetensors_file import SafetensorsFile
from modelgen.port.sources.sharded_index import ShardedIndex
from modelgen.port.sources.torch_pickle import TorchPickle

_FILE_KINDS = (ShardedIndex(), SafetensorsFile(), TorchPickle())


class Folder(SourceKind):
    description = "a folder holding one of the above"

    def handles(self, path: Path) -> bool:
        return path.is_dir()

    def open(self, path: Path) -> Source:
        for kind in _FILE_KINDS:
            candidates = sorted(child for child in path.iterdir() if kind.handles(child))
            if len(candidates) == 1:
                return kind.open(candidates[0])
            if len(candidates) > 1 and not isinstance(kind, SafetensorsFile):
                raise ValueError(f"several candidates ({', '.join(child.name for child in candidates)}): "
                                 "name one file")
            if candidates:  # several safetensors files without an index: name one, or add the index
                raise ValueError(f"{len(candidates)} .safetensors files and no index: name one file")
        raise ValueError("no checkpoint file in this folder (.safetensors, index JSON, .bin, .pt, .pth)")
