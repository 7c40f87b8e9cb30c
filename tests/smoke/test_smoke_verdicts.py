"""Verdicts a maintainer can act on: each distinction of `fixtures/smoke_verdicts` (one model each), the baseline
round trip, `--strict`, `--shard`, and the pieces they rest on (masks, the second input draw, `--set` checks)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from modelgen.smoke.masked_infinities import is_mask, unexplained_infinities
from modelgen.smoke.shards import parse_shard, shard_of
from modelgen.smoke.tiny.overrides import override_problem
from modelgen.smoke.verdicts import is_blocking, worst

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "smoke_verdicts"


def smoke(repo, *arguments):
    command = [sys.executable, "-m", "modelgen", "smoke", "--repo", str(repo), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One JSON run over every fixture model that also writes a baseline: (tree, baseline, exit, models, report)."""
    folder = tmp_path_factory.mktemp("verdicts")
    repo = folder / "smoke_verdicts"
    shutil.copytree(FIXTURE, repo)
    baseline = folder / "baseline.json"
    completed = smoke(repo, "--all", "--jobs", "2", "--format", "json", "--write-baseline", str(baseline))
    document = json.loads(completed.stdout)
    models = {model["model_type"]: model for model in document["models"]}
    return repo, baseline, completed, models, document


def only_class(models, model_type, name=None):
    classes = models[model_type]["classes"]
    return next(entry for entry in classes if name is None or entry["name"] == name)


def test_a_part_inheriting_a_composite_config_class_gets_its_sub_config(run):
    _, _, _, models, _ = run
    decoder = only_class(models, "composite_parts", "CompositePartsDecoder")
    assert decoder["status"] == "pass", decoder["error"]  # built from CompositePartsConfig it cannot read vocab_size
    assert models["composite_parts"]["status"] == "pass"


def test_an_intended_minus_inf_mask_passes_and_is_reported(run):
    _, _, _, models, _ = run
    entry = only_class(models, "masked_logits")
    assert entry["status"] == "pass", entry["error"]
    assert entry["masked_infinities"] == ["output.logits"]


def test_an_overflow_to_inf_fails_finite(run):
    _, _, _, models, _ = run
    entry = only_class(models, "overflow")
    assert entry["failed_checks"] == ["finite"] and "not a mask" in entry["error"]


def test_float_reordering_noise_below_the_tolerance_passes_with_the_exact_difference_reported(run):
    _, _, _, models, _ = run
    entry = only_class(models, "reordered_sum")
    assert entry["status"] == "pass", entry["error"]
    comparison = entry["comparisons"]["determinism"]
    assert comparison["atol"] == 1e-5 and 0 < comparison["max_abs_diff"] < 1e-6 and comparison["exact"] is False


def test_a_real_nondeterminism_without_random_calls_fails_determinism(run):
    _, _, _, models, _ = run
    entry = only_class(models, "drifting")
    assert entry["failed_checks"] == ["determinism"] and entry["findings"] == []


def test_an_input_dependent_nan_outside_zero_one_is_caught_on_the_second_draw(run):
    _, _, _, models, _ = run
    entry = only_class(models, "pixel_nan")
    assert entry["failed_checks"] == ["finite"] and "second input draw" in entry["error"]


def test_a_class_that_never_calls_post_init_is_its_own_finding(run):
    _, _, _, models, _ = run
    head = only_class(models, "no_post_init", "NoPostInitForSequenceClassification")
    assert head["status"] == "finding" and [f["kind"] for f in head["findings"]] == ["init:no-post-init"]
    assert "classifier.weight" in head["findings"][0]["message"]
    assert only_class(models, "no_post_init", "NoPostInitModel")["status"] == "pass"  # it calls post_init()


def test_an_init_branch_that_cannot_take_effect_is_ineffective_not_default(run):
    _, _, _, models, _ = run
    entry = only_class(models, "ineffective_init")
    assert [finding["kind"] for finding in entry["findings"]] == ["init:ineffective"]
    assert "parametrizations.weight.original" in entry["findings"][0]["message"]
    assert entry["failed_checks"] == []


def test_findings_alone_exit_zero_and_fail_under_strict(run):
    repo = run[0]  # without --strict the same verdicts exit 0: `is_blocking`, below
    strict = smoke(repo, "--strict", "no_post_init")
    assert strict.returncode == 1 and "init:no-post-init (1)" in strict.stdout


def test_baseline_round_trip_fails_only_on_the_new_defect_and_lists_what_now_passes(run, tmp_path):
    repo, baseline, completed, _, _ = run
    assert completed.returncode == 0  # --write-baseline records, it does not fail
    entries = json.loads(baseline.read_text())["entries"]
    assert {(entry["model"], entry["check"], entry["kind"]) for entry in entries} >= {
        ("drifting", "determinism", None), ("no_post_init", "init", "init:no-post-init")}
    adopted = smoke(repo, "--baseline", str(baseline), "masked_logits", "drifting")
    assert adopted.returncode == 0, adopted.stdout  # drifting's fail is in the baseline
    assert "0 new, 0 now pass" in adopted.stdout

    planted = tmp_path / "planted"
    shutil.copytree(repo, planted)
    masked = planted / "src/verdictlib/models/masked_logits/modeling_masked_logits.py"
    masked.write_text(masked.read_text().replace("logits=padded)", "logits=padded * torch.nan)"))
    drifting = planted / "src/verdictlib/models/drifting/modeling_drifting.py"
    drifting.write_text(drifting.read_text().replace(" + 0.01 * self.calls", ""))
    gated = smoke(planted, "--baseline", str(baseline), "--format", "json", "masked_logits", "drifting")
    assert gated.returncode == 1
    comparison = json.loads(gated.stdout)["baseline"]
    assert [(entry["model"], entry["check"]) for entry in comparison["new"]] == [("masked_logits", "finite")]
    assert [(entry["model"], entry["check"]) for entry in comparison["now_pass"]] == [("drifting", "determinism")]


def test_a_set_problem_names_the_field_and_the_type():
    from transformers import CLIPConfig

    config = CLIPConfig()
    assert override_problem(config, {"text_config.hidden_size": 64}, "CLIPConfig") is None
    assert override_problem(config, {"text.hidden_size": 64}, "CLIPConfig") is None  # the composite's role name
    assert "CLIPTextConfig has no field 'hidden_sise'" in override_problem(config, {"text_config.hidden_sise": 1}, "x")
    assert "is not a sub-config" in override_problem(config, {"projection_dim.x": 1}, "x")
    assert "expected true or false" in override_problem(config, {"text_config.output_attentions": 1}, "x")
    assert "expected a number" in override_problem(config, {"logit_scale_init_value": "big"}, "x")
    assert override_problem(config, {"logit_scale_init_value": 3}, "x") is None  # an integer is a number


def test_shards_partition_the_models_deterministically():
    models = [f"m{index}" for index in range(11)]
    shards = [shard_of(list(reversed(models)), k, 3) for k in (1, 2, 3)]
    assert sorted(name for shard in shards for name in shard) == sorted(models) and all(shards)
    assert shards[0] == shard_of(models, 1, 3)  # the order the models were given in does not matter
    for text in ("0/3", "4/3", "a/b", "3"):
        with pytest.raises(ValueError):
            parse_shard(text)


def test_a_shard_out_of_range_is_a_usage_error(run):
    completed = smoke(run[0], "--all", "--shard", "5/4")
    assert completed.returncode == 2 and "--shard" in completed.stderr


def test_mask_needs_the_same_infinities_on_both_draws_and_a_broadcast_pattern():
    scores = torch.randn(2, 5, 8)
    mask = torch.zeros(2, 1, 8, dtype=torch.bool)
    mask[..., 6:] = True
    first = scores.masked_fill(mask, float("-inf"))
    second = torch.randn(2, 5, 8).masked_fill(mask, float("-inf"))
    assert is_mask(first, second)
    moved = torch.randn(2, 5, 8).masked_fill(torch.rand(2, 5, 8) > 0.8, float("-inf"))
    assert not is_mask(first, moved)
    assert not is_mask(first, first.clone())  # the same input twice is no evidence
    assert not is_mask(first, second.neg().masked_fill(mask, float("inf")))  # the sign changed
    assert unexplained_infinities([("a", first)], [("a", moved)]) == ([], ["a"])
    assert unexplained_infinities([("a", scores)], [("a", first)]) == ([], ["a"])  # only on the second draw
    assert unexplained_infinities([("a", first)], [("a", second)]) == (["a"], [])


def test_the_second_draw_reaches_normalised_pixel_extremes_and_keeps_named_token_ids():
    from types import SimpleNamespace

    from modelgen.smoke.dummy_inputs.second_draw import second_draw

    ids = torch.tensor([[5, 9, 99, 12], [7, 99, 3, 8]])
    inputs = {"pixel_values": torch.rand(2, 3, 8, 8), "input_ids": ids, "attention_mask": torch.ones(2, 4)}
    drawn = second_draw(inputs, SimpleNamespace(image_token_index=99, pad_token_id=None))
    assert drawn["pixel_values"].min() < -2 and drawn["pixel_values"].max() > 2.5
    assert torch.equal(drawn["input_ids"] == 99, ids == 99) and not torch.equal(drawn["input_ids"], ids)
    assert drawn["attention_mask"] is inputs["attention_mask"]


def test_verdict_order():
    assert worst(["pass", "skip", "finding"]) == "finding" and worst(["finding", "fail"]) == "fail"
    assert worst([]) == "pass"
    assert is_blocking("fail") and not is_blocking("finding") and is_blocking("finding", strict=True)
