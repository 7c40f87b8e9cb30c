"""`convert`: every problem at once, nothing written on failure, `--reverse` gives the original back bit for bit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from modelgen.port.convert import RecordingLookup, plan_conversion
from modelgen.port.rules import parse_rules
from modelgen.port.sources import open_source
from tests.port import encoder_original
from tests.port.conftest import modelgen


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.proj = nn.Linear(4, 4)
        self.head = nn.Linear(4, 10, bias=False)
        self.head.weight = self.embed.weight  # tied: assigning one assigns both


def plan(tmp_path, rules_text, tensors):
    torch.save(tensors, tmp_path / "original.pt")
    with torch.device("meta"):
        model = Tiny()
    rules = parse_rules(rules_text, Path("rules.toml"))
    return plan_conversion(rules, open_source(tmp_path / "original.pt"), model, RecordingLookup(lambda n: 4))


GOOD_RULES = """
[[rule]]
source = 'tok'
target = 'embed.weight'

[[rule]]
source = 'p\\.(weight|bias)'
target = 'proj.{1}'
"""


def test_a_complete_mapping_has_no_problems_and_counts_the_tie(tmp_path):
    result = plan(tmp_path, GOOD_RULES, {"tok": torch.randn(10, 4), "p.weight": torch.randn(4, 4),
                                         "p.bias": torch.randn(4)})
    assert result.problems == []
    assert result.stored == ["embed.weight", "proj.weight", "proj.bias"]


def test_every_problem_is_listed_at_once(tmp_path):
    rules = GOOD_RULES + "\n[[rule]]\nsource = 'never'\ntarget = 'x'\n"
    result = plan(tmp_path, rules, {"tok": torch.randn(10, 5), "p.weight": torch.randn(4, 4),
                                    "extra": torch.randn(2)})
    messages = [problem.format("rules.toml") for problem in result.problems]
    assert any(m.startswith("source key 'extra' [2] float32: no rule consumes it") for m in messages), messages
    assert any(m.startswith("rules.toml:10: rule 3 (line 10): matches no source key") for m in messages), messages
    assert any("rules.toml:2: rule 1 (line 2): tok -> embed.weight: shape mismatch: the rule gives [10, 5], "
               "the model has [10, 4]" in m for m in messages), messages
    assert any(m.startswith("model tensor 'proj.bias' [4] float32: nothing assigns it") for m in messages), messages
    assert len(messages) == 4


def test_gathered_expert_weights_are_stacked_in_index_order(tmp_path):
    rules = "[[rule]]\nsource = 'experts\\.(\\d+)'\ntarget = 'proj.weight'\nstack = 0\nreshape = [4, 4]\n"
    tensors = {f"experts.{index}": torch.randn(2, 2, 4)[0] for index in (1, 0)}
    result = plan(tmp_path, rules, tensors)
    assert result.applications[0].sources == ["experts.0", "experts.1"]
    assert any("nothing assigns it" in problem.message for problem in result.problems)


# End to end through the command line, on the pristine 4.46.3 tree's bert


@pytest.fixture(scope="module")
def encoder_checkpoint(tmp_path_factory):
    folder = tmp_path_factory.mktemp("encoder")
    state = encoder_original.save(folder / "original.pt")
    (folder / "rules.toml").write_text(encoder_original.RULES)
    (folder / "config.json").write_text(json.dumps(encoder_original.PORT_CONFIG))
    return folder, state


@pytest.mark.real_tree
def test_convert_then_reverse_gives_back_the_original_bit_for_bit(pristine_446, encoder_checkpoint, tmp_path,
                                                                  restore_imports):
    from safetensors.torch import load_file

    from modelgen.port.api import convert_checkpoint, reverse_checkpoint
    from modelgen.repo import RepoLayout

    folder, state = encoder_checkpoint
    converted = tmp_path / "converted"
    result = convert_checkpoint(RepoLayout.discover(pristine_446), folder / "rules.toml", folder / "original.pt",
                                "bert", converted, config=folder / "config.json", max_shard_size="30KB")
    assert result.problems == [] and len(result.files) > 1
    assert (converted / "model.safetensors.index.json").is_file() and (converted / "config.json").is_file()
    report = json.loads((converted / "port_mapping.json").read_text())
    qkv = next(entry for entry in report["applications"] if entry["sources"] == ["layers.0.self_attn.in_proj_weight"])
    assert qkv["target_shapes"] == [[32, 32]] * 3 and qkv["operations"][0]["name"] == "split"
    back = tmp_path / "back"
    assert reverse_checkpoint(converted, back) == ["original.safetensors"]
    restored = load_file(back / "original.safetensors")
    assert list(restored) == list(state)
    assert all(torch.equal(restored[key], tensor) and restored[key].dtype == tensor.dtype
               for key, tensor in state.items())


@pytest.mark.real_tree
def test_a_failed_conversion_lists_every_problem_and_writes_nothing(pristine_446, encoder_checkpoint, tmp_path):
    folder, state = encoder_checkpoint
    broken = dict(state)
    broken["layers.0.norm1.weight"] = torch.ones(31)  # shape mismatch
    broken["unused.counter"] = torch.zeros(1)  # consumed by no rule
    del broken["pool.bias"]  # pooler.dense.bias left unassigned
    torch.save(broken, tmp_path / "broken.pt")
    rules = encoder_original.RULES + "\n[[rule]]\nsource = 'typo\\.weight'\ntarget = 'x'\n"
    (tmp_path / "rules.toml").write_text(rules)
    output = tmp_path / "converted"
    done = modelgen("convert", "--repo", pristine_446, "--rules", tmp_path / "rules.toml", "--source",
                    tmp_path / "broken.pt", "--model-type", "bert", "--config", folder / "config.json",
                    "--output", output)
    assert done.returncode == 1
    errors = done.stderr.splitlines()
    assert any("'unused.counter' [1] float32: no rule consumes it" in line for line in errors), errors
    assert any("layers.0.norm1.weight -> encoder.layer.0.attention.output.LayerNorm.weight: shape mismatch" in line
               for line in errors), errors
    assert any("'pooler.dense.bias' [32] float32: nothing assigns it" in line for line in errors), errors
    assert any(line.startswith(f"error: {tmp_path / 'rules.toml'}:") and "matches no source key" in line
               for line in errors), errors
    assert errors[-1] == "error: 4 problems; nothing written"
    assert not output.exists() and [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []
