"""`modular expand`, `check-modular` and `new --modular` through the real entry point, on the mini library."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MODELS = Path("src/minilib/models")


def modelgen(*arguments, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "modelgen", *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=os.environ,
    )


@pytest.fixture
def expanded_tree(tmp_path) -> Path:
    """The mini library with two modular models: `tiny` (from proto) and `small` (from tiny), expanded."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "modular" / "tree", tree)
    (tree / MODELS / "tiny").mkdir()
    shutil.copy(FIXTURES / "modular" / "cases" / "all_split" / "modular_tiny.py", tree / MODELS / "tiny")
    (tree / MODELS / "small").mkdir()
    (tree / MODELS / "small" / "modular_small.py").write_text(
        "from ..tiny.modeling_tiny import TinyModel\n\n\nclass SmallModel(TinyModel):\n    pass\n\n\n"
        '__all__ = ["SmallModel"]\n'
    )
    for model in ("tiny", "small"):
        result = modelgen("modular", "expand", "--repo", tree, tree / MODELS / model)
        assert result.returncode == 0, result.stderr
    return tree


def test_expand_writes_the_generated_files_with_the_banner(expanded_tree):
    modeling = (expanded_tree / MODELS / "tiny" / "modeling_tiny.py").read_text()
    assert "This file was automatically generated from src/minilib/models/tiny/modular_tiny.py." in modeling
    assert "class TinyAttention(nn.Module):" in modeling
    assert (expanded_tree / MODELS / "tiny" / "configuration_tiny.py").is_file()


def test_check_passes_on_expanded_files(expanded_tree):
    result = modelgen("check-modular", "--repo", expanded_tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 generated file(s) checked, 0 differ(s)" in result.stderr


def test_edit_in_a_parent_is_reported_at_every_dependant_and_fixed(expanded_tree):
    parent = expanded_tree / MODELS / "proto" / "modeling_proto.py"
    generated = [expanded_tree / MODELS / m / f"modeling_{m}.py" for m in ("tiny", "small")]
    pristine = [path.read_text() for path in generated]
    original = parent.read_text()
    parent.write_text(original.replace("self.dropout = 0.1", "self.dropout = 0.25"))

    result = modelgen("check-modular", "--repo", expanded_tree, "--format", "json", parent)
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    # tiny inherits the attention directly, small through tiny's generated file
    assert [f["path"] for f in findings] == ["src/minilib/models/tiny/modeling_tiny.py"]
    assert "differs from the expansion of src/minilib/models/tiny/modular_tiny.py" in findings[0]["message"]

    assert modelgen("check-modular", "--repo", expanded_tree, "--fix", parent).returncode == 1
    assert all(
        "self.dropout = 0.25" in path.read_text() for path in generated
    )  # the chain is settled in one run
    assert modelgen("check-modular", "--repo", expanded_tree).returncode == 0

    parent.write_text(original)
    assert modelgen("check-modular", "--repo", expanded_tree, "--fix").returncode == 1
    assert [path.read_text() for path in generated] == pristine


def test_a_generated_file_edit_is_a_finding_with_a_diff(expanded_tree):
    path = expanded_tree / MODELS / "tiny" / "configuration_tiny.py"
    path.write_text(path.read_text().replace("hidden_size: int = 64", "hidden_size: int = 65"))
    result = modelgen("check-modular", "--repo", expanded_tree, "--diff", path)
    assert result.returncode == 1
    assert result.stdout.startswith("src/minilib/models/tiny/configuration_tiny.py:")
    assert "-    hidden_size: int = 65" in result.stdout and "+    hidden_size: int = 64" in result.stdout


def test_baseline_turns_a_known_difference_into_a_note(expanded_tree, tmp_path):
    path = expanded_tree / MODELS / "tiny" / "configuration_tiny.py"
    path.write_text(path.read_text() + "\n# kept by hand\n")
    baseline = tmp_path / "baseline.json"
    assert modelgen("check-modular", "--repo", expanded_tree, "--write-baseline", baseline).returncode == 0
    result = modelgen("check-modular", "--repo", expanded_tree, "--baseline", baseline)
    assert result.returncode == 0
    assert "note: not reproducible by this converter: comments or layout" in result.stderr


def test_unsupported_construct_is_a_path_line_error(expanded_tree):
    modular = expanded_tree / MODELS / "tiny" / "modular_tiny.py"
    modular.write_text(
        modular.read_text() + "\n\nclass TinyBoth(ProtoModel, ProtoPreTrainedModel):\n    pass\n"
    )
    modular.write_text(
        modular.read_text().replace(
            "import ProtoModel, ProtoPreTrainedModel", "import ProtoModel, ProtoPreTrainedModel  # both"
        )
    )
    result = modelgen("modular", "expand", "--repo", expanded_tree, modular)
    assert result.returncode == 1
    line = next(
        n for n, text in enumerate(modular.read_text().splitlines(), 1) if text.startswith("class TinyBoth")
    )
    assert result.stderr.splitlines()[0] == (
        f"error: src/minilib/models/tiny/modular_tiny.py:{line}: class TinyBoth has more than one base from another "
        "model's file"
    )
    assert "Traceback" not in result.stderr


def test_new_modular_on_a_tree_without_modular_files_exits_2(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "new_mini", tree)
    result = modelgen("new", "--repo", tree, "--like", "bert", "--name", "Fresh", "--modular")
    assert result.returncode == 2
    assert "--modular needs a tree whose models have modular_<model>.py files" in result.stderr
