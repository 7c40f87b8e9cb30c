"""Every checkpoint kind reads the same tensors; a pickle that would run code is refused."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import save_file

from modelgen.errors import ModelgenError
from modelgen.port.sources import open_source
from modelgen.port.tensorfile import TensorInfo, write_sharded

TENSORS = {"a.weight": torch.randn(3, 4), "b.bias": torch.arange(5, dtype=torch.int64),
           "c": torch.randn(2, 2).to(torch.bfloat16)}


def assert_reads_all(source, prefix=""):
    assert sorted(source.keys()) == sorted(TENSORS)
    for key, tensor in TENSORS.items():
        assert source.info(key) == TensorInfo(tuple(tensor.shape), tensor.dtype)
        assert torch.equal(source.load(key), tensor)


def test_a_safetensors_file(tmp_path):
    save_file(TENSORS, tmp_path / "model.safetensors")
    assert_reads_all(open_source(tmp_path / "model.safetensors"))


def test_shards_through_their_index_and_a_folder(tmp_path):
    save_file({"a.weight": TENSORS["a.weight"]}, tmp_path / "one.safetensors")
    save_file({key: TENSORS[key] for key in ("b.bias", "c")}, tmp_path / "two.safetensors")
    index = {"weight_map": {"a.weight": "one.safetensors", "b.bias": "two.safetensors", "c": "two.safetensors"}}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    assert_reads_all(open_source(tmp_path / "model.safetensors.index.json"))
    assert_reads_all(open_source(tmp_path))


def test_the_streaming_writer_round_trips_through_safetensors(tmp_path):
    from safetensors.torch import load_file

    infos = [(key, TensorInfo(tuple(tensor.shape), tensor.dtype)) for key, tensor in TENSORS.items()]
    names = write_sharded(tmp_path, infos, TENSORS.__getitem__, max_shard_bytes=50)
    assert len(names) == 2 and (tmp_path / "model.safetensors.index.json").is_file()
    loaded = {}
    for name in names:
        loaded.update(load_file(tmp_path / name))
    assert all(torch.equal(loaded[key], tensor) for key, tensor in TENSORS.items())


def test_a_nested_torch_checkpoint_with_a_prefix(tmp_path):
    torch.save({"model": TENSORS, "epoch": 3}, tmp_path / "checkpoint.pt")
    assert_reads_all(open_source(tmp_path / "checkpoint.pt", prefix="model"))
    with pytest.raises(ModelgenError, match="no key starts with 'state_dict.'"):
        open_source(tmp_path / "checkpoint.pt", prefix="state_dict")


class RunsCode:
    def __reduce__(self):
        return (print, ("this ran while loading",))


def test_a_pickle_that_would_run_code_is_refused_naming_the_file(tmp_path, capsys):
    path = tmp_path / "evil.bin"
    torch.save({"weight": torch.zeros(1), "payload": RunsCode()}, path)
    with pytest.raises(ModelgenError) as caught:
        open_source(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: refused: loading it would run code") and "\n" not in message
    assert "this ran" not in capsys.readouterr().out


def test_unknown_files_are_refused(tmp_path):
    (tmp_path / "weights.npz").write_bytes(b"")
    with pytest.raises(ModelgenError, match="not a checkpoint this reads"):
        open_source(tmp_path / "weights.npz")
