"""Which files `modelgen lint` checks on layouts other than transformers': include/exclude globs, per-library
defaults, and a usage error (exit 2) when the targets match no file."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from modelgen.cli import cli
from modelgen.lint.config import load_config
from modelgen.lint.libraries import LIBRARIES
from modelgen.lint.targets import default_targets
from modelgen.repo import RepoLayout

BAD = "def forward(x):\n    attn_weights = x\n    return attn_weights\n"


def make_tree(root: Path, package: str, files: dict[str, str], lint_table: str = "") -> Path:
    for relative in (f"src/{package}/__init__.py", f"src/{package}/models/__init__.py", *files):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files.get(relative, ""))
    if lint_table:
        (root / "pyproject.toml").write_text("[tool.modelgen.lint]\n" + textwrap.dedent(lint_table))
    return root


def lint(root: Path, *arguments: str):
    result = CliRunner().invoke(cli, ["lint", "--repo", str(root), "--no-cache", *arguments], standalone_mode=False)
    assert result.exception is None, result.exception
    return result


def relative_targets(root: Path) -> list[str]:
    layout = RepoLayout.discover(root)
    return [layout.relative(path) for path in default_targets(layout)]


DIFFUSERS = {
    "src/diffusers/models/unets/unet_tiny.py": BAD,
    "src/diffusers/models/unets/__init__.py": BAD,
    "src/diffusers/models/unets/unet_tiny_flax.py": BAD,
    "src/diffusers/pipelines/tiny/pipeline_tiny.py": BAD,
    "src/diffusers/pipelines/deprecated/old/pipeline_old.py": BAD,
    "src/diffusers/schedulers/scheduling_tiny.py": BAD,
}


def test_diffusers_defaults_are_its_models_and_pipelines(tmp_path):
    root = make_tree(tmp_path, "diffusers", DIFFUSERS)
    assert relative_targets(root) == [
        "src/diffusers/models/unets/unet_tiny.py",
        "src/diffusers/pipelines/tiny/pipeline_tiny.py",
    ]
    result = lint(root, "--format", "json")
    assert result.return_value == 1
    assert {finding["path"] for finding in json.loads(result.stdout)} == set(relative_targets(root))


def test_include_and_exclude_replace_the_defaults(tmp_path):
    root = make_tree(tmp_path, "diffusers", DIFFUSERS, 'include = ["src/diffusers/**/*.py"]\nexclude = ["*/__init__.py", "*/models/*"]\n')
    assert relative_targets(root) == [
        "src/diffusers/pipelines/deprecated/old/pipeline_old.py",
        "src/diffusers/pipelines/tiny/pipeline_tiny.py",
        "src/diffusers/schedulers/scheduling_tiny.py",
    ]


def test_a_folder_argument_holds_the_files_the_globs_include(tmp_path):
    root = make_tree(tmp_path, "diffusers", DIFFUSERS)
    result = lint(root, "--format", "json", str(root / "src/diffusers/models"))
    assert {finding["path"] for finding in json.loads(result.stdout)} == {"src/diffusers/models/unets/unet_tiny.py"}


def test_targets_that_match_no_file_are_a_usage_error(tmp_path):
    root = make_tree(tmp_path, "transformers", {"src/transformers/utils.py": BAD})
    result = lint(root)
    assert result.return_value == 2
    assert "error: no file to lint: src/transformers/models/*/modeling_*.py and configuration_*.py matched no file" in result.stderr
    configured = make_tree(tmp_path / "c", "transformers", {}, 'include = ["src/transformers/nothing/*.py"]\n')
    result = lint(configured)
    assert result.return_value == 2 and "include src/transformers/nothing/*.py matched no file" in result.stderr


def test_include_must_be_a_list_of_globs(tmp_path):
    root = make_tree(tmp_path, "diffusers", DIFFUSERS, 'include = "src/diffusers"\n')
    result = lint(root)
    assert result.return_value == 2 and "include: expected a list of globs" in result.stderr


def test_diffusers_conventions_cfg_and_pipeline_attributes_and_no_init_weights_rule():
    config = load_config({}, None, library=LIBRARIES["diffusers"])
    assert "cfg" not in config.settings.abbreviations and "seq" in config.settings.abbreviations
    assert "MG108" not in config.codes and "MG106" in config.codes
    assert "model_cpu_offload_seq" in config.settings.framework_names
    assert "MG108" in load_config({"select": ["MG108"]}, None, library=LIBRARIES["diffusers"]).codes


def test_a_pipeline_s_framework_attribute_is_not_reported(tmp_path):
    pipeline = (
        "class TinyPipeline(DiffusionPipeline):\n"
        '    model_cpu_offload_seq = "text_encoder->unet"\n'
        "    def __call__(self, noise_cfg: float, seq_len: int) -> None:\n"
        "        return None\n"
    )
    root = make_tree(tmp_path, "diffusers", {"src/diffusers/pipelines/tiny/pipeline_tiny.py": pipeline})
    findings = json.loads(lint(root, "--format", "json", "--select", "MG106").stdout)
    assert [finding["message"] for finding in findings] == ["abbreviated parameter name `seq_len`: write `sequence_length`"]
