"""Checkpoint sources, one module per kind; `open_source` picks the first kind that handles a path."""

from __future__ import annotations

from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.port.sources.base import Source, SourceKind
from modelgen.port.sources.folder import Folder
from modelgen.port.sources.nested import PrefixedSource
from modelgen.port.sources.safetensors_file import SafetensorsFile
from modelgen.port.sources.sharded_index import ShardedIndex
from modelgen.port.sources.torch_pickle import TorchPickle

SOURCE_KINDS: tuple[SourceKind, ...] = (ShardedIndex(), SafetensorsFile(), TorchPickle(), Folder())


def open_source(path: Path, prefix: str | None = None) -> Source:
    """The checkpoint at `path`; a one-line `ModelgenError` naming the file when it cannot be read."""
    if not path.exists():
        raise ModelgenError("no such file or folder", path)
    kind = next((kind for kind in SOURCE_KINDS if kind.handles(path)), None)
    if kind is None:
        kinds = "; ".join(kind.description for kind in SOURCE_KINDS)
        raise ModelgenError(f"not a checkpoint this reads ({kinds})", path)
    try:
        source = kind.open(path)
        return PrefixedSource(source, prefix) if prefix else source
    except (ValueError, TypeError, OSError, RuntimeError) as error:
        raise ModelgenError(" ".join(str(error).split()), getattr(error, "filename", None) or path) from error


__all__ = ["SOURCE_KINDS", "Source", "open_source"]
