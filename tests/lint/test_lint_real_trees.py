"""`modelgen lint` on the downloaded transformers trees, and on what `modelgen new --like` generates there."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from modelgen.lint.config import load_config
from modelgen.lint.inherited import new_findings
from modelgen.lint.runner import lint_file

pytestmark = pytest.mark.real_tree


def test_whole_tree_lints_without_crash(pristine):
    result = subprocess.run(
        [sys.executable, "-m", "modelgen", "lint", "--repo", str(pristine), "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    findings = json.loads(result.stdout)
    counts = Counter(finding["code"] for finding in findings)
    assert "MG000" not in counts and "MG001" not in counts
    assert {"MG102", "MG104", "MG105", "MG106", "MG107", "MG108", "MG110"} <= set(counts)
    assert any(f["code"] == "MG102" and f["path"].endswith("dpr/modeling_dpr.py") for f in findings)


@pytest.mark.parametrize("like, name", [("bert", "BrandNewBert"), ("gpt2", "BrandNewGpt")])
def test_generated_model_has_only_inherited_findings(scratch_tree, like, name):
    tree = scratch_tree("4.46.3")
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "modelgen",
            "new",
            "--repo",
            str(tree),
            "--like",
            like,
            "--name",
            name,
            "--no-tests",
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    models = tree / "src/transformers/models"
    folder = next(path for path in models.iterdir() if path.name.startswith("brand_new"))
    generated = sorted(p for p in folder.glob("*.py") if p.name.startswith(("modeling_", "configuration_")))
    source = [models / like / path.name.replace(folder.name, like) for path in generated]
    assert generated and all(path.is_file() for path in source)
    config = load_config({}, None)
    assert sum(len(lint_file(path, path.as_posix(), config)) for path in generated) > 0, "nothing to inherit"
    assert new_findings(generated, source) == []


def test_diffusers_lints_its_models_and_pipelines_without_crash(pristine_diffusers):
    result = subprocess.run(
        [sys.executable, "-m", "modelgen", "lint", "--repo", str(pristine_diffusers), "--format", "json", "--no-cache"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    findings = json.loads(result.stdout)
    counts = Counter(finding["code"] for finding in findings)
    assert "MG000" not in counts and "MG001" not in counts and "MG108" not in counts
    assert {"MG105", "MG106", "MG107"} <= set(counts)
    paths = {finding["path"] for finding in findings}
    assert any(path.startswith("src/diffusers/models/") for path in paths)
    assert any(path.startswith("src/diffusers/pipelines/") for path in paths)
    assert not any("/deprecated/" in path or path.endswith("__init__.py") for path in paths)
    # (name, spelt out): `cfg` (classifier-free guidance) is never spelt `config`.
    pairs = [tuple(finding["message"].split("`")[1::2]) for finding in findings if finding["code"] == "MG106"]
    assert "model_cpu_offload_seq" not in {name for name, _ in pairs}
    assert not any("cfg" in name.split("_") and "cfg" not in spelt.split("_") for name, spelt in pairs)
