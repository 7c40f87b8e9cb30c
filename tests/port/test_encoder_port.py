"""End to end: PyTorch's nn.TransformerEncoder layers ported to `new --like bert`, converted and compared.

The planted bugs are the mistakes a port makes; `compare` must name the module that holds each one and say
that its inputs still agreed.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from modelgen.port.align import align, provenance_from_report
from modelgen.port.compare import THIS_MODULE, compare_traces
from modelgen.port.library import import_library
from modelgen.port.sides import DEFAULT_TOKEN_IDS, load_saved_model
from modelgen.port.trace import load_trace, record_trace, save_trace
from modelgen.repo import RepoLayout
from modelgen.trees import scratch_copy
from tests.port import encoder_original
from tests.port.conftest import modelgen

pytestmark = pytest.mark.real_tree

ENTRY = """
import sys
from pathlib import Path
sys.path.insert(0, {project!r})
from tests.port import encoder_original

def original():
    return encoder_original.load(Path(__file__).parent / "original.pt")
"""


@pytest.fixture(scope="module")
def ported(tmp_path_factory):
    """A scratch 4.46.3 tree with `PortBert` (new --like bert) and the original converted into it."""
    work = tmp_path_factory.mktemp("encoder_port")
    tree = scratch_copy("4.46.3", work / "tree")
    done = modelgen("new", "--like", "bert", "--name", "PortBert", "--no-tests", "--repo", tree)
    assert done.returncode == 0, done.stderr
    encoder_original.save(work / "original.pt")
    (work / "rules.toml").write_text(encoder_original.RULES)
    (work / "config.json").write_text(json.dumps(encoder_original.PORT_CONFIG))
    (work / "entry.py").write_text(ENTRY.format(project=str(Path(__file__).resolve().parents[2])))
    done = modelgen("convert", "--repo", tree, "--rules", work / "rules.toml", "--source", work / "original.pt",
                    "--model-type", "port_bert", "--config", work / "config.json", "--output", work / "converted")
    assert done.returncode == 0, done.stderr
    return work, tree


def test_the_port_agrees_within_1e_5_at_every_aligned_module(ported):
    work, tree = ported
    done = modelgen("compare", "entry:original", work / "converted", "--path", work, "--repo", tree,
                    "--atol", "1e-5", "--format", "json", "--save-trace", work / "original.trace")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["agree"] and report["first_divergence"] is None
    pairs = {pair["original"]: pair["port"] for pair in report["pairs"]}
    for layer in range(encoder_original.SIZES["layers"]):
        assert pairs[f"layers.{layer}.norm1"] == f"encoder.layer.{layer}.attention.output.LayerNorm"
        assert pairs[f"layers.{layer}.linear1"] == f"encoder.layer.{layer}.intermediate.dense"
        assert pairs[f"layers.{layer}.activation"] == f"encoder.layer.{layer}.intermediate.intermediate_act_fn"
        assert pairs[f"layers.{layer}.self_attn"] == f"encoder.layer.{layer}.attention.output.dense"
        assert pairs[f"layers.{layer}"] == f"encoder.layer.{layer}"
    assert len(report["pairs"]) >= 25
    assert all(pair["max_abs_diff"] <= 1e-5 for pair in report["pairs"])
    assert load_trace(work / "original.trace").model == "OriginalEncoder"


@pytest.fixture(scope="module")
def planted(ported, restore_imports):
    """Compare the original with the port after `plant(port)` changed it, in this process."""
    work, tree = ported
    layout = RepoLayout.discover(tree)
    import_library(layout)
    save_trace(record_trace(encoder_original.load(work / "original.pt"), (torch.tensor([DEFAULT_TOKEN_IDS]),)),
               work / "in_process.trace")
    original_trace = load_trace(work / "in_process.trace")  # compared as a later run would, from the file
    report = json.loads((work / "converted" / "port_mapping.json").read_text())

    def compare(plant, model=None):
        port = model if model is not None else load_saved_model(work / "converted", layout)
        plant(port)
        port_trace = record_trace(port, (torch.tensor([DEFAULT_TOKEN_IDS]),))
        alignment = align(original_trace, port_trace, provenance_from_report(report))
        return compare_traces(original_trace, port_trace, alignment, atol=1e-5)

    return compare, layout, work


def swap_layer_norms_in_layer_1(port):
    layer = port.encoder.layer[1]
    layer.attention.output.LayerNorm, layer.output.LayerNorm = layer.output.LayerNorm, layer.attention.output.LayerNorm


def relu_in_the_last_mlp(port):
    port.encoder.layer[-1].intermediate.intermediate_act_fn = torch.nn.ReLU()


def transpose_one_weight(port):
    dense = port.encoder.layer[0].attention.output.dense
    dense.weight.data = dense.weight.data.t().contiguous()


@pytest.mark.parametrize(("plant", "wrong_module"), [
    (swap_layer_norms_in_layer_1, "encoder.layer.1.attention.output.LayerNorm"),
    (relu_in_the_last_mlp, "encoder.layer.1.intermediate.intermediate_act_fn"),
    (transpose_one_weight, "encoder.layer.0.attention.output.dense"),
])
def test_a_planted_bug_is_named_with_inputs_that_agreed(planted, plant, wrong_module):
    compare, _, _ = planted
    comparison = compare(plant)
    assert not comparison.agrees
    assert comparison.divergence.result.pair.port.label == wrong_module
    assert comparison.divergence.verdict == THIS_MODULE


def test_an_attention_scale_off_by_a_factor_is_found_in_the_attention(planted):
    """Planted in the port's source: the scores get twice the scale (eager and sdpa). The original's fused attention ends at its
    output projection, so the pair is (self_attn, attention.output.dense); the port's own attention, which
    has no counterpart, is named as having run just before it."""
    compare, layout, work = planted
    modeling = layout.model_dir("port_bert") / "modeling_port_bert.py"
    text = modeling.read_text()
    planted_text = text.replace("attention_scores / math.sqrt(self.attention_head_size)",  # eager attention
                                "attention_scores / (0.5 * math.sqrt(self.attention_head_size))")
    planted_text = planted_text.replace("            is_causal=is_causal,\n        )",  # sdpa
                                        "            is_causal=is_causal,\n"
                                        "            scale=2.0 / query_layer.shape[-1] ** 0.5,\n        )")
    assert planted_text.count("0.5 * math.sqrt") == 1 and "scale=2.0" in planted_text
    modeling.write_text(planted_text)
    try:
        module = importlib.reload(importlib.import_module("transformers.models.port_bert.modeling_port_bert"))
        comparison = compare(lambda port: None, module.PortBertModel.from_pretrained(str(work / "converted")))
    finally:
        modeling.write_text(text)
        importlib.reload(importlib.import_module("transformers.models.port_bert.modeling_port_bert"))
    divergence = comparison.divergence
    assert divergence.result.pair.original.label == "layers.0.self_attn"
    assert divergence.result.pair.port.label == "encoder.layer.0.attention.output.dense"
    assert divergence.verdict == THIS_MODULE
    assert "encoder.layer.0.attention.self" in divergence.port_unaligned_between


def test_the_generated_conversion_script_writes_identity_rules_that_convert_the_ports_own_weights(
        ported, restore_imports):
    from modelgen.port.api import convert_checkpoint

    work, tree = ported
    package = tree / "src" / "transformers" / "models" / "port_bert"
    script = package / "convert_port_bert_original_checkpoint_to_pytorch.py"
    done = subprocess.run([sys.executable, str(script), "--write-rules", "--config", str(work / "config.json")],
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    rules = (package / "port_bert_conversion_rules.toml").read_text()
    assert rules.count("[[rule]]") == 39  # every parameter of the 2-layer PortBertModel: 5 + 2 * 16 + 2
    result = convert_checkpoint(RepoLayout.discover(tree), package / "port_bert_conversion_rules.toml",
                                work / "converted", "port_bert", None, model_class="PortBertModel",
                                config=work / "config.json", dry_run=True)  # what the script's --dry-run runs
    assert result.problems == [] and len(result.table) == 39
