"""The part of a checkpoint under one prefix (`{"model": {...}}` selected with `--source-prefix model`)."""

from __future__ import annotations

import torch

from modelgen.port.sources.base import Source
from modelgen.port.tensorfile import TensorInfo


class PrefixedSource(Source):
    def __init__(self, inner: Source, prefix: str):
        self.path = inner.path
        self.inner = inner
        self.prefix = prefix.rstrip(".") + "."
        keys = inner.keys()  # a Source, not a dict
        self.names = {key[len(self.prefix):]: key for key in keys if key.startswith(self.prefix)}
        if not self.names:
            tops = sorted({key.split(".", 1)[0] for key in keys})
            raise ValueError(f"no key starts with {self.prefix!r} (top-level names: {', '.join(tops[:10])})")

    def keys(self) -> list[str]:
        return list(self.names)

    def info(self, key: str) -> TensorInfo:
        return self.inner.info(self.names[key])

    def load(self, key: str) -> torch.Tensor:
        return self.inner.load(self.names[key])
