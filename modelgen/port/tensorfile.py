"""Read and write the safetensors format one tensor at a time, with plain file reads and writes.

`safetensors.safe_open` maps the whole file, and every page it touches counts in the process's resident
memory; `safetensors.torch.save_file` builds each shard's bytes in memory before writing. A conversion streams
tensors instead: the header (every name, dtype, shape and byte range) is written first, then each tensor's
bytes as soon as it is produced, so at most one converted tensor is held at a time. The layout is the
documented safetensors one: an 8-byte little-endian header length, the JSON header padded to 8 bytes, the data.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool, "F8_E4M3": torch.float8_e4m3fn, "F8_E5M2": torch.float8_e5m2,
}
DTYPE_NAMES = {dtype: name for name, dtype in DTYPES.items()}


@dataclass(frozen=True)
class TensorInfo:
    shape: tuple[int, ...]
    dtype: torch.dtype

    @property
    def nbytes(self) -> int:
        count = 1
        for size in self.shape:
            count *= size
        return count * torch.empty((), dtype=self.dtype).element_size()


class SafetensorsReader:
    """The header of one `.safetensors` file, and each tensor read on demand into fresh memory."""

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as handle:
            prefix = handle.read(8)
            if len(prefix) != 8:
                raise ValueError("too short for a safetensors file")
            (length,) = struct.unpack("<Q", prefix)
            header = json.loads(handle.read(length))
        self.metadata = header.pop("__metadata__", None) or {}
        self.entries = header
        self.data_start = 8 + length

    def keys(self) -> list[str]:
        return list(self.entries)

    def info(self, key: str) -> TensorInfo:
        entry = self.entries[key]
        if entry["dtype"] not in DTYPES:
            raise ValueError(f"{key}: unsupported safetensors dtype {entry['dtype']}")
        return TensorInfo(tuple(entry["shape"]), DTYPES[entry["dtype"]])

    def read(self, key: str) -> torch.Tensor:
        info = self.info(key)
        start, end = self.entries[key]["data_offsets"]
        tensor = torch.empty(info.shape, dtype=info.dtype)
        if end > start:
            buffer = tensor.reshape(-1).view(torch.uint8).numpy()
            with open(self.path, "rb") as handle:
                handle.seek(self.data_start + start)
                if handle.readinto(memoryview(buffer)) != end - start:
                    raise ValueError(f"{key}: the file ends inside the tensor's data")
        return tensor


def parse_size(text: str | int) -> int:
    """`5GB`, `500MB`, `10KiB` or a number of bytes (the units of `save_pretrained`'s `max_shard_size`)."""
    if isinstance(text, int):
        return text
    units = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
             "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
    stripped = text.strip().upper()
    number = stripped.rstrip("KMGTIB")
    unit = stripped[len(number):]
    try:
        value = float(number)
    except ValueError:
        value = -1
    if unit not in units or value <= 0:
        raise ValueError(f"not a size: {text!r} (use e.g. 5GB, 500MB or a number of bytes)")
    return int(value * units[unit])


def plan_shards(tensors: Iterable[tuple[str, TensorInfo]], max_shard_bytes: int) -> list[list[tuple[str, TensorInfo]]]:
    """Consecutive tensors grouped so no shard passes the limit, except a single tensor larger than it."""
    shards: list[list[tuple[str, TensorInfo]]] = [[]]
    size = 0
    for name, info in tensors:
        if shards[-1] and size + info.nbytes > max_shard_bytes:
            shards.append([])
            size = 0
        shards[-1].append((name, info))
        size += info.nbytes
    return shards if shards[0] else []


def shard_file_names(count: int, stem: str = "model") -> list[str]:
    if count == 1:
        return [f"{stem}.safetensors"]
    return [f"{stem}-{index:05d}-of-{count:05d}.safetensors" for index in range(1, count + 1)]


def write_sharded(folder: Path, tensors: list[tuple[str, TensorInfo]], produce: Callable[[str], torch.Tensor],
                  max_shard_bytes: int, stem: str = "model") -> list[str]:
    """Write `save_pretrained`'s layout (one file, or shards and their index), asking `produce` for each tensor."""
    shards = plan_shards(tensors, max_shard_bytes)
    names = shard_file_names(len(shards), stem)
    weight_map = {}
    for shard, file_name in zip(shards, names):
        _write_file(folder / file_name, shard, produce)
        weight_map.update({name: file_name for name, _ in shard})
    if len(shards) > 1:
        index = {"metadata": {"total_size": sum(info.nbytes for _, info in tensors)}, "weight_map": weight_map}
        (folder / f"{stem}.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return names


def _write_file(path: Path, shard: list[tuple[str, TensorInfo]], produce: Callable[[str], torch.Tensor]) -> None:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, info in shard:
        header[name] = {"dtype": DTYPE_NAMES[info.dtype], "shape": list(info.shape),
                        "data_offsets": [offset, offset + info.nbytes]}
        offset += info.nbytes
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for name, info in shard:
            tensor = produce(name)
            if tuple(tensor.shape) != info.shape or tensor.dtype != info.dtype:
                raise RuntimeError(f"{name}: produced {tuple(tensor.shape)} {tensor.dtype}, "
                                   f"planned {info.shape} {info.dtype}")
            if tensor.numel():
                handle.write(memoryview(tensor.detach().contiguous().reshape(-1).view(torch.uint8).numpy()))
