"""check-copies through the real console entry point: exit codes, output formats, PATH arguments, cache."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def modelgen(*arguments, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "modelgen", *map(str, arguments)], capture_output=True, text=True, cwd=cwd, env=os.environ
    )


def test_text_output_and_exit_code_for_drift():
    result = modelgen("check-copies", "--repo", FIXTURES / "copies_drift", "--no-cache")
    assert result.returncode == 1
    assert (
        "src/transformers/models/mistral/modeling_mistral.py:4: copy of "
        "transformers.models.llama.modeling_llama.rotate_half drifted (first difference at line 9)"
    ) in result.stdout.splitlines()
    assert "Traceback" not in result.stderr


def test_diff_shows_expected_against_actual():
    result = modelgen("check-copies", "--repo", FIXTURES / "copies_drift", "--no-cache", "--diff")
    assert "-    return torch.cat((-x2, x1), dim=-2)\n+    return torch.cat((-x2, x1), dim=-1)" in result.stdout


def test_github_annotations():
    result = modelgen("check-copies", "--repo", FIXTURES / "copies_errors", "--no-cache", "--format", "github")
    lines = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(lines) == 6
    assert lines[0].startswith("::error file=src/transformers/models/broken/modeling_broken.py,line=4,title=check-copies error::")


def test_consistent_tree_exits_zero_and_walks_up_from_the_current_folder():
    result = modelgen("check-copies", "--no-cache", cwd=FIXTURES / "copies_forms" / "src" / "transformers")
    assert result.returncode == 0, result.stderr
    assert "13 copies checked, 0 problem(s)" in result.stdout


def test_usage_errors_exit_two():
    assert modelgen("check-copies", "--format", "xml").returncode == 2
    assert modelgen("check-copies", "--no-such-option").returncode == 2


def test_not_a_repository_is_a_one_line_error(tmp_path):
    result = modelgen("check-copies", "--repo", tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no src/ folder" in result.stderr


def test_paths_check_their_markers_and_the_copies_of_their_sources(fixture_tree):
    repo = fixture_tree("copies_forms")
    llama = repo / "src/transformers/models/llama/modeling_llama.py"
    llama.write_text(llama.read_text().replace("dim=-1)", "dim=1)"))
    bert = repo / "src/transformers/models/bert/modeling_bert.py"
    result = modelgen("check-copies", "--format", "json", llama.relative_to(repo), cwd=repo)
    report = json.loads(result.stdout)
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("src/transformers/models/mistral/modeling_mistral.py", 4)]
    assert report["checked"] == 4  # the four copies of llama's code; llama itself has no markers
    result = modelgen("check-copies", "--format", "json", bert.relative_to(repo), "README.md", cwd=repo)
    assert json.loads(result.stdout)["findings"] == []


def test_cache_is_reused_and_invalidated_by_content(fixture_tree, tmp_path):
    repo = fixture_tree("copies_forms")
    first = modelgen("check-copies", "--repo", repo, "--format", "json")
    cache_files = list(Path(os.environ["MODELGEN_CACHE_DIR"]).rglob("*.json"))
    assert len(cache_files) == 1
    bert = repo / "src/transformers/models/bert/modeling_bert.py"
    time.sleep(0.01)
    bert.write_text(bert.read_text().replace("nn.Tanh()", "nn.ReLU()"))
    second = json.loads(modelgen("check-copies", "--repo", repo, "--format", "json").stdout)
    assert [finding["line"] for finding in second["findings"]] == [40]
    assert json.loads(first.stdout)["findings"] == []
    uncached = json.loads(modelgen("check-copies", "--repo", repo, "--format", "json", "--no-cache").stdout)
    assert uncached == second


def test_unwritable_file_is_a_one_line_error(fixture_tree, monkeypatch, capsys):
    from modelgen import cli

    repo = fixture_tree("copies_drift")
    (repo / "src/transformers/models/mistral/modeling_mistral.py").chmod(0o444)
    monkeypatch.setattr(sys, "argv", ["modelgen", "check-copies", "--repo", str(repo), "--fix", "--no-cache"])
    before = {path: path.read_bytes() for path in repo.rglob("*.py")}
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: ") and "modeling_mistral.py: the file is read-only" in error
    assert {path: path.read_bytes() for path in repo.rglob("*.py")} == before
