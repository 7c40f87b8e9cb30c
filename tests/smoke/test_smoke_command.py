"""`modelgen smoke` end to end on the fixture tree: each deliberate defect is reported by the right check."""

import json
import subprocess
import sys

import pytest
import torch

from modelgen.repo import RepoLayout
from modelgen.smoke.runner import run_smoke

EXPECTED_CHECK = {  # model type -> the check that must fail on its defect (and no other check)
    "dropout_in_eval": "dropout",
    "lost_key": "save_load",
    "nan_output": "finite",
}
EXPECTED_FINDING = {  # model type -> (check, kind) of the one finding its defect is
    "uninitialised": ("init", "init:framework-default"),  # a Conv1d `_init_weights` does not handle
    "nondeterministic": ("determinism", "random-in-eval"),  # randn_like in the eval forward
}


def smoke(repo, *arguments):
    command = [sys.executable, "-m", "modelgen", "smoke", "--repo", str(repo), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def fixture_results(tmp_path_factory):
    """One JSON run over every fixture model (two jobs), shared by the tests below."""
    import shutil
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "fixtures" / "smoke_defects"
    repo = tmp_path_factory.mktemp("smoke") / "smoke_defects"
    shutil.copytree(source, repo)
    completed = smoke(repo, "--all", "--jobs", "2", "--format", "json")
    return completed, {model["model_type"]: model for model in json.loads(completed.stdout)["models"]}


def test_json_report_follows_the_schema_and_exit_code_says_failed(fixture_results):
    completed, models = fixture_results
    assert completed.returncode == 1
    for model in models.values():
        assert model["status"] in ("pass", "fail", "finding", "skip")
        assert model["config"]["hidden_size"] == 32  # the tiny config is reported
        for entry in model["classes"]:
            assert {"name", "status", "error", "params", "forward_ms"} <= entry.keys()
    assert "[##" in completed.stderr  # the progress bar goes to stderr


def test_healthy_model_passes_every_class(fixture_results):
    _, models = fixture_results
    healthy = models["healthy"]
    assert healthy["status"] == "pass"
    assert [entry["status"] for entry in healthy["classes"]] == ["pass", "pass"]
    assert all(entry["params"] > 0 and entry["forward_ms"] > 0 for entry in healthy["classes"])


@pytest.mark.parametrize("model_type, check", sorted(EXPECTED_CHECK.items()))
def test_each_defect_is_reported_by_its_own_check(fixture_results, model_type, check):
    _, models = fixture_results
    model = models[model_type]
    assert model["status"] == "fail"
    base = next(entry for entry in model["classes"] if entry["name"].endswith("Model"))
    assert base["failed_checks"] == [check], base["error"]
    assert base["error"].startswith(f"{check}: ")


@pytest.mark.parametrize("model_type, expected", sorted(EXPECTED_FINDING.items()))
def test_each_accepted_behaviour_is_a_finding_of_its_kind(fixture_results, model_type, expected):
    _, models = fixture_results
    model = models[model_type]
    assert model["status"] == "finding"
    base = next(entry for entry in model["classes"] if entry["name"].endswith("Model"))
    assert base["failed_checks"] == [], base["error"]
    assert [(finding["check"], finding["kind"]) for finding in base["findings"]] == [expected]


def test_json_summary_counts_verdicts_and_kinds(fixture_results):
    completed, _ = fixture_results
    document = json.loads(completed.stdout)
    assert document["summary"]["models"] == {"pass": 1, "skip": 1, "finding": 2, "fail": 3}
    assert document["summary"]["findings_by_kind"] == {"init:framework-default": 2, "random-in-eval": 2}
    assert {(entry["model"], entry["check"]) for entry in document["verdicts"] if entry["verdict"] == "fail"} == {
        (model_type, check) for model_type, check in EXPECTED_CHECK.items()}
    nondeterministic = next(entry for entry in document["models"] if entry["model_type"] == "nondeterministic")
    comparison = nondeterministic["classes"][0]["comparisons"]["determinism"]
    assert comparison["exact"] is False and comparison["max_abs_diff"] > comparison["atol"] == 1e-5


def test_unbuildable_required_input_is_a_skip_with_its_name(fixture_results):
    _, models = fixture_results
    model = models["needs_graph"]
    assert model["status"] == "skip"
    assert all("adjacency_matrix" in entry["error"] for entry in model["classes"])


def test_text_table_and_exit_code_zero_when_nothing_failed(fixture_tree):
    repo = fixture_tree("smoke_defects")
    completed = smoke(repo, "healthy", "--set", "hidden_size=48", "--set", "num_attention_heads=6")
    assert completed.returncode == 0, completed.stderr
    header = completed.stdout.splitlines()[0].split()
    assert header == ["model", "class", "status", "params", "ms", "memory"]
    assert '"hidden_size": 48' in completed.stdout


def test_bad_input_is_one_line_and_exit_one(fixture_tree):
    repo = fixture_tree("smoke_defects")
    completed = smoke(repo, "no_such_model")
    assert completed.returncode == 1
    assert completed.stderr.strip().startswith("error:") and "unknown model type 'no_such_model'" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize("setting, message", [
    ("hidden_size", "--set expects KEY=VALUE"),
    ("no_such_key=5", "HealthyConfig has no field 'no_such_key'"),
    ("hidden_size=abc", "--set hidden_size=\"abc\": expected an integer (the default is 768)"),
])  # dotted keys and the other types: test_smoke_verdicts.py, without a worker
def test_a_set_the_config_does_not_take_is_a_usage_error(fixture_tree, setting, message):
    completed = smoke(fixture_tree("smoke_defects"), "--set", setting, "healthy")
    assert completed.returncode == 2, completed.stdout
    assert len(completed.stderr.strip().splitlines()) == 1 and completed.stderr.startswith("error:")
    assert message in completed.stderr and completed.stdout == ""


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error shown where there is no GPU")
def test_cuda_without_a_gpu_is_a_clear_error(fixture_tree):
    completed = smoke(fixture_tree("smoke_defects"), "--device", "cuda", "healthy")
    assert completed.returncode == 1
    assert completed.stderr.strip() == (
        f"error: --device cuda needs a CUDA GPU, and torch under {sys.executable} sees none")


def test_a_model_past_its_timeout_is_killed_and_reported(fixture_tree):
    layout = RepoLayout.discover(fixture_tree("smoke_defects"))
    [result] = run_smoke(layout, ["healthy"], timeout=1, workers="spawn")  # a fresh interpreter takes longer
    assert result.status == "fail" and result.error.startswith("timeout")


def test_batch_entry_point_writes_the_json_report(fixture_tree, tmp_path):
    out = tmp_path / "smoke.json"
    command = [sys.executable, "-m", "modelgen.smoke.batch", "--repo", str(fixture_tree("smoke_defects")),
               "--out", str(out), "healthy"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(out.read_text())["models"][0]["status"] == "pass"


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_run_with_compare_devices_passes_the_healthy_model(fixture_tree):
    layout = RepoLayout.discover(fixture_tree("smoke_defects"))
    [result] = run_smoke(layout, ["healthy"], device="cuda", compare_devices=True)
    assert result.status == "pass", result.error
    [result] = run_smoke(layout, ["nan_output"], device="cuda", compare_devices=True)
    assert "finite" in result.classes[0]["failed_checks"]


def test_cancelling_a_run_kills_its_workers(fixture_tree, tmp_path):
    """SIGTERM to a run must kill its workers (they run in their own sessions) and end the run promptly."""
    import os
    import signal
    import time

    repo = fixture_tree("smoke_defects")
    marker = tmp_path / "pids"
    script = (  # the workers are replaced by `sleep 120`, started the same way
        "import sys, modelgen.smoke.runner as runner\n"
        "from modelgen.repo import RepoLayout\n"
        "original = runner.subprocess.Popen\n"
        "def sleeping(command, **kwargs):\n"
        "    process = original(['sleep', '120'], **kwargs)\n"
        f"    open({str(marker)!r}, 'a').write(f'{{process.pid}}\\n')\n"
        "    return process\n"
        "runner.subprocess.Popen = sleeping\n"
        f"runner.run_smoke(RepoLayout.discover(__import__('pathlib').Path({str(repo)!r})), ['healthy', 'lost_key'],"
        " jobs=2, workers='spawn')\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not (marker.is_file() and len(marker.read_text().split()) == 2):
        time.sleep(0.2)
    parent.send_signal(signal.SIGTERM)
    try:
        parent.wait(timeout=20)
        time.sleep(0.5)
    finally:
        survivors = []
        for pid in map(int, marker.read_text().split()):
            try:
                alive = open(f"/proc/{pid}/stat").read().split()[2] != "Z"
            except FileNotFoundError:
                alive = False
            if alive:
                survivors.append(pid)
                os.kill(pid, signal.SIGKILL)
        parent.kill()
    assert not survivors, f"workers {survivors} survived"
