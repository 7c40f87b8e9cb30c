"""Repository layout discovery: zero configuration on transformers trees, [tool.modelgen] overrides."""

import json

import pytest
from click.testing import CliRunner

from modelgen.cli import cli
from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout, find_repo_root


def make_package(root, package, models=("unet",)):
    for model in models:
        folder = root / "src" / package / "models" / model
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("")
    (root / "src" / package / "__init__.py").write_text("")
    (root / "src" / package / "models" / "__init__.py").write_text("")


@pytest.mark.real_tree
def test_real_trees_need_no_configuration(pristine_446, pristine_523):
    for tree in (pristine_446, pristine_523):
        layout = RepoLayout.discover(tree)
        assert (layout.package, layout.settings.line_length) == ("transformers", 119)
        assert layout.models_dir == tree / "src" / "transformers" / "models"
        assert "bert" in layout.model_types and "auto" not in layout.model_types
        assert layout.module_file("transformers.models.bert.modeling_bert") == layout.models_dir / "bert" / "modeling_bert.py"
        assert layout.module_name(layout.models_dir / "bert" / "__init__.py") == "transformers.models.bert"
        assert find_repo_root(layout.models_dir / "bert") == tree


def test_configured_package_and_copies_of_another_library(tmp_path):
    make_package(tmp_path, "diffusers")
    make_package(tmp_path, "extras")
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n\n[tool.modelgen]\npackage = "diffusers"\n')
    models = tmp_path / "src" / "diffusers" / "models" / "unet"
    (models / "unet_blocks.py").write_text("class DownBlock:\n    def size(self):\n        return 1\n")
    (models / "unet_copy.py").write_text(
        "# Copied from diffusers.models.unet.unet_blocks.DownBlock with Down->Up\nclass UpBlock:\n    def size(self):\n        return 2\n"
    )
    layout = RepoLayout.discover(tmp_path)
    assert (layout.package, layout.settings.line_length) == ("diffusers", 100)
    result = CliRunner().invoke(cli, ["check-copies", "--repo", str(tmp_path), "--format", "json", "--no-cache"], standalone_mode=False)
    report = json.loads(result.stdout)
    assert [(finding["path"], finding["kind"]) for finding in report["findings"]] == [("src/diffusers/models/unet/unet_copy.py", "drift")]


def test_ambiguous_package_is_a_clear_error(tmp_path):
    make_package(tmp_path, "first")
    make_package(tmp_path, "second")
    with pytest.raises(ModelgenError, match=r"cannot tell the library package under src/ \(found: first, second\)"):
        RepoLayout.discover(tmp_path)


def test_invalid_pyproject_names_the_file(tmp_path):
    make_package(tmp_path, "transformers")
    (tmp_path / "pyproject.toml").write_text("[tool.ruff\n")
    with pytest.raises(ModelgenError) as error:
        RepoLayout.discover(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / 'pyproject.toml'}: invalid TOML")
