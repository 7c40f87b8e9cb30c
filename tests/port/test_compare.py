"""compare on small models of our own: same-library alignment by names, exit codes, the CUDA path."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from modelgen.port.align import align
from modelgen.port.compare import INPUT_DIFFERED, THIS_MODULE, compare_traces
from modelgen.port.report import render_json
from modelgen.port.trace import load_trace, record_trace, save_trace
from tests.port.conftest import modelgen


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 8)
        self.first = nn.Linear(8, 8)
        self.activation = nn.ReLU()
        self.second = nn.Linear(8, 8)

    def forward(self, ids):
        return self.second(self.activation(self.first(self.embed(ids))))


def built(seed=0):
    torch.manual_seed(seed)
    return Block().eval()


IDS = (torch.tensor([[0, 4, 5, 2, 3, 7, 9]]),)


def run(original, port, atol=1e-6):
    first, second = record_trace(original, IDS), record_trace(port, IDS)
    return compare_traces(first, second, align(first, second), atol)


def test_identical_models_agree_everywhere_and_pair_by_parameter_names():
    comparison = run(built(), built())
    assert comparison.agrees and comparison.divergence is None
    assert [result.pair.port.label for result in comparison.results] == ["embed", "first", "activation", "second",
                                                                         "(model)"]


def test_a_changed_weight_is_this_module_and_what_follows_is_downstream():
    port = built()
    with torch.no_grad():
        port.first.weight.mul_(1.5)
    comparison = run(built(), port)
    assert not comparison.agrees
    assert comparison.divergence.result.pair.port.label == "first"
    assert comparison.divergence.verdict == THIS_MODULE
    assert json.loads(render_json(comparison))["first_divergence"]["inputs_agreed"] is True


def test_different_inputs_are_reported_as_an_input_that_already_differed():
    first = record_trace(built(), IDS)
    second = record_trace(built(), (torch.tensor([[1, 4, 5, 2, 3, 7, 9]]),))
    comparison = compare_traces(first, second, align(first, second), 1e-6)
    assert comparison.divergence.result.pair.port.label == "embed"
    assert comparison.divergence.verdict == INPUT_DIFFERED


def test_a_trace_file_keeps_every_call_and_tensor(tmp_path):
    trace = record_trace(built(), IDS)
    save_trace(trace, tmp_path / "block.trace")
    loaded = load_trace(tmp_path / "block.trace")
    assert [call.label for call in loaded.calls] == [call.label for call in trace.calls]
    assert loaded.calls[1].inputs[0].producer == 0  # first's input is embed's output
    assert all(torch.equal(loaded.tensors[name], tensor) for name, tensor in trace.tensors.items())


ENTRY = "from tests.port.test_compare import built\n\ndef original():\n    return built()\n\n" \
        "def port():\n    model = built()\n    model.second.bias.data += 1\n    return model\n"


@pytest.fixture
def entry(tmp_path):
    (tmp_path / "entry.py").write_text(ENTRY)
    return tmp_path


def test_exit_codes_and_the_plot(entry):
    """0 when the final outputs agree is the end-to-end tests' case; here 1 and 2."""
    root = str(Path(__file__).resolve().parents[2])
    plot = entry / "divergence.png"
    done = modelgen("compare", "entry:original", "entry:port", "--path", entry, "--path", root, "--plot", plot)
    assert done.returncode == 1 and "first divergence: second -> second" in done.stdout
    assert plot.read_bytes()[:4] == b"\x89PNG"
    done = modelgen("compare", "entry:missing", "entry:port", "--path", entry, "--path", root)
    assert done.returncode == 2 and "has no function 'missing'" in done.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message without a GPU")
def test_cuda_without_a_gpu_is_a_usage_error(entry):
    root = str(Path(__file__).resolve().parents[2])
    done = modelgen("compare", "entry:original", "entry:port", "--path", entry, "--path", root,
                    "--port-device", "cuda")
    assert done.returncode == 2 and "no CUDA device here" in done.stderr


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_cpu_original_against_a_cuda_port():
    first = record_trace(built(), IDS)
    second = record_trace(built().to("cuda"), tuple(value.to("cuda") for value in IDS))
    assert compare_traces(first, second, align(first, second), 1e-5).agrees


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))


class Renamed(nn.Module):
    """Block's computation under other names, as a port would write it."""

    def __init__(self, block: Block):
        super().__init__()
        self.tok, self.dense_in, self.act, self.dense_out = block.embed, block.first, nn.ReLU(), block.second

    def forward(self, ids):
        return self.dense_out(self.act(self.dense_in(self.tok(ids))))


def test_a_user_map_pairs_modules_whose_names_share_nothing(tmp_path):
    from modelgen.port.align import load_map

    (tmp_path / "map.toml").write_text("[[pair]]\noriginal = 'embed'\nport = 'tok'\n\n"
                                       "[[pair]]\noriginal = 'first'\nport = 'dense_in'\n\n"
                                       "[[pair]]\noriginal = 'second'\nport = 'dense_out'\n")
    first, second = record_trace(built(), IDS), record_trace(Renamed(built()), IDS)
    alignment = align(first, second, provenance={}, user_map=load_map(tmp_path / "map.toml"))
    pairs = {pair.original.label: (pair.port.label, pair.how) for pair in alignment.pairs}
    assert pairs == {"embed": ("tok", "map"), "first": ("dense_in", "map"), "activation": ("act", "order"),
                     "second": ("dense_out", "map"), "(model)": ("(model)", "model")}
    assert compare_traces(first, second, alignment, 1e-6).agrees
