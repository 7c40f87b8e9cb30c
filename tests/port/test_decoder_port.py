"""End to end: litgpt's Llama (its own venv, compared through a saved trace) ported to the 4.46.3 tree's llama.

Needs `.venv-litgpt` (make litgpt-venv); skipped without it. Planted bugs in the port are found from the
same saved trace.
"""

from __future__ import annotations

import json
import math
import subprocess
import types
from pathlib import Path

import pytest
import torch

from modelgen.port.align import align, provenance_from_report
from modelgen.port.api import convert_checkpoint
from modelgen.port.compare import THIS_MODULE, compare_traces
from modelgen.port.library import import_library
from modelgen.port.sides import DEFAULT_TOKEN_IDS, load_saved_model
from modelgen.port.trace import load_trace, record_trace
from modelgen.repo import RepoLayout
from tests.port import litgpt_original
from tests.port.conftest import modelgen

pytestmark = pytest.mark.real_tree
PROJECT = Path(__file__).resolve().parents[2]
LITGPT_PYTHON = PROJECT / ".venv-litgpt" / "bin" / "python"


@pytest.fixture(scope="module")
def ported(tmp_path_factory, pristine_446, restore_imports):
    if not LITGPT_PYTHON.is_file():
        pytest.skip("needs .venv-litgpt (make litgpt-venv)")
    work = tmp_path_factory.mktemp("decoder_port")
    done = subprocess.run([str(LITGPT_PYTHON), str(PROJECT / "tests/port/litgpt_original.py"),
                           str(work / "original.pt")], capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([str(LITGPT_PYTHON), "-m", "modelgen", "compare", "--save-trace", str(work / "original.trace"),
                           "tests.port.litgpt_original:original", "--path", str(PROJECT)],
                          capture_output=True, text=True, check=False, timeout=600, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    (work / "rules.toml").write_text(litgpt_original.RULES)
    (work / "config.json").write_text(json.dumps(litgpt_original.PORT_CONFIG))
    result = convert_checkpoint(RepoLayout.discover(pristine_446), work / "rules.toml", work / "original.pt",
                                "llama", work / "converted", model_class="LlamaForCausalLM",
                                config=work / "config.json")
    assert result.problems == []
    return work, pristine_446


def test_the_llama_port_of_litgpt_agrees_within_1e_4(ported):
    work, tree = ported
    done = modelgen("compare", work / "original.trace", work / "converted", "--repo", tree, "--atol", "1e-4",
                    "--format", "json")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    pairs = {pair["original"]: pair["port"] for pair in report["pairs"]}
    assert pairs["transformer.h.1.attn"] == "model.layers.1.self_attn"
    assert pairs["transformer.h.1.mlp.fc_1"] == "model.layers.1.mlp.gate_proj"
    assert pairs["lm_head"] == "lm_head"
    assert len(report["pairs"]) >= 20 and all(pair["max_abs_diff"] <= 1e-4 for pair in report["pairs"])


@pytest.fixture(scope="module")
def planted(ported):
    work, tree = ported
    layout = RepoLayout.discover(tree)
    import_library(layout)
    original_trace = load_trace(work / "original.trace")
    report = json.loads((work / "converted" / "port_mapping.json").read_text())

    def compare(plant, **loading):
        port = load_saved_model(work / "converted", layout) if not loading else \
            import_library(layout).LlamaForCausalLM.from_pretrained(str(work / "converted"), **loading)
        plant(port)
        port_trace = record_trace(port, (torch.tensor([DEFAULT_TOKEN_IDS]),))
        return compare_traces(original_trace, port_trace,
                              align(original_trace, port_trace, provenance_from_report(report)), atol=1e-4)

    return compare


def swap_norms_in_layer_1(port):
    layer = port.model.layers[1]
    layer.input_layernorm, layer.post_attention_layernorm = layer.post_attention_layernorm, layer.input_layernorm


def gelu_in_the_last_mlp(port):
    port.model.layers[-1].mlp.act_fn = torch.nn.GELU()


def transpose_one_weight(port):
    projection = port.model.layers[0].self_attn.o_proj
    projection.weight.data = projection.weight.data.t().contiguous()


def attention_scale_doubled_in_the_last_layer(port):
    """The eager attention divides its scores by math.sqrt(head_dim): that layer's code gets half of it."""
    import importlib

    modeling = importlib.import_module(type(port).__module__)
    attention = port.model.layers[-1].self_attn
    forward = attention.forward

    def planted_forward(*args, **kwargs):
        real_math = modeling.math
        modeling.math = types.SimpleNamespace(sqrt=lambda value: 0.5 * math.sqrt(value))
        try:
            return forward(*args, **kwargs)
        finally:
            modeling.math = real_math

    attention.forward = planted_forward


@pytest.mark.parametrize(("plant", "wrong_module", "inside"), [
    (swap_norms_in_layer_1, "model.layers.1.input_layernorm", None),
    (gelu_in_the_last_mlp, "model.layers.1.mlp", "model.layers.1.mlp.act_fn"),  # litgpt's silu is no module
    (transpose_one_weight, "model.layers.0.self_attn.o_proj", None),
    (attention_scale_doubled_in_the_last_layer, "model.layers.1.self_attn", "model.layers.1.self_attn.q_proj"),
])
def test_a_planted_bug_is_named_with_inputs_that_agreed(planted, plant, wrong_module, inside):
    loading = {"attn_implementation": "eager"} if plant is attention_scale_doubled_in_the_last_layer else {}
    comparison = planted(plant, **loading)
    assert not comparison.agrees
    assert comparison.divergence.result.pair.port.label == wrong_module
    assert comparison.divergence.verdict == THIS_MODULE
    if inside:
        assert inside in comparison.divergence.port_unaligned_between


def test_a_changed_rotary_base_is_found_in_the_first_attention(planted):
    comparison = planted(lambda port: None, rope_theta=5000.0)
    divergence = comparison.divergence
    assert divergence.result.pair.port.label == "model.layers.0.self_attn"
    assert divergence.verdict == THIS_MODULE
