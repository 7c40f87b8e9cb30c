"""One small tree per dialect choice: the same markers read under the transformers and diffusers dialects."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelgen.cli import cli
from modelgen.copies.checker import CopyChecker
from modelgen.copies.dialects import BUILT_IN, dialect_for
from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout


def make_tree(root: Path, package: str, files: dict[str, str], dialect: str | None = None) -> Path:
    """A minimal library tree: `src/<package>/models/...` plus `files` (paths relative to the root)."""
    for relative in (f"src/{package}/__init__.py", f"src/{package}/models/__init__.py"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("")
    for relative, text in files.items():
        path = root / relative.replace("PKG", package)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).replace("PKG", package))
    if dialect is not None:
        (root / "pyproject.toml").write_text(f'[tool.modelgen.check-copies]\ndialect = "{dialect}"\n')
    return root


def check(root: Path, *extra: str) -> tuple[dict, int]:
    result = CliRunner().invoke(cli, ["check-copies", "--no-cache", "--repo", str(root), "--format", "json", *extra],
                                standalone_mode=False)
    assert result.exception is None, result.exception
    return json.loads(result.stdout), result.return_value


SOURCE = """
    def scale(x, factor=2, *, offset=0):
        y = x * factor
        return y + offset
"""


def signature_tree(root: Path, package: str, dialect: str | None = None, body: str = "y = x * factor") -> Path:
    copy = f"""
        # Copied from PKG.models.source.scale
        def scale(x, factor=3, *, offset=0, extra=None):
            {body}
            return y + offset
    """
    return make_tree(root, package, {"src/PKG/models/source.py": SOURCE, "src/PKG/models/copy.py": copy}, dialect)


@pytest.mark.parametrize("package", ["diffusers", "transformers"])
def test_the_dialect_follows_the_package_and_the_setting_overrides_it(tmp_path, package):
    root = make_tree(tmp_path, package, {})
    assert dialect_for(RepoLayout.discover(root)).name == package
    other = "transformers" if package == "diffusers" else "diffusers"
    make_tree(tmp_path, package, {}, dialect=other)
    assert dialect_for(RepoLayout.discover(root)).name == other


def test_an_unknown_dialect_is_an_error_naming_the_known_ones(tmp_path):
    root = make_tree(tmp_path, "diffusers", {}, dialect="flax")
    with pytest.raises(ModelgenError, match="unknown check-copies dialect 'flax'.*transformers, diffusers"):
        dialect_for(RepoLayout.discover(root))


def test_every_built_in_dialect_declares_every_choice():
    fields = set(BUILT_IN["transformers"].__dataclass_fields__)
    assert all(set(vars(dialect)) == fields for dialect in BUILT_IN.values())
    assert BUILT_IN["transformers"] != BUILT_IN["diffusers"]


def test_compare_signature_off_keeps_the_copy_s_own_parameters_and_defaults(tmp_path):
    root = signature_tree(tmp_path / "d", "diffusers")
    assert check(root) == ({"checked": 1, "findings": [], "notes": []}, 0)
    strict = signature_tree(tmp_path / "t", "diffusers", dialect="transformers")
    report, code = check(strict)
    assert code == 1 and [finding["line"] for finding in report["findings"]] == [2]


def test_a_fix_without_signature_comparison_repairs_the_body_only(tmp_path):
    root = signature_tree(tmp_path, "diffusers", body="y = x * factor * 10")
    report, code = check(root)
    assert code == 1 and len(report["findings"]) == 1
    check(root, "--fix")
    fixed = (root / "src/diffusers/models/copy.py").read_text()
    assert "def scale(x, factor=3, *, offset=0, extra=None):\n    y = x * factor\n" in fixed
    assert check(root)[1] == 0


def test_compare_signature_on_repairs_the_signature_too(tmp_path):
    root = signature_tree(tmp_path, "transformers")
    check(root, "--fix")
    assert "def scale(x, factor=2, *, offset=0):\n" in (root / "src/transformers/models/copy.py").read_text()


SPACED = {
    "src/PKG/models/source.py": """
        def make_foo():
            return "Foo"
    """,
    "src/PKG/models/copy.py": """
        # Copied from PKG.models.source.make_foo with Foo -> Bar
        def make_foo():
            return "Foo"
    """,
}


def test_spaced_pairs_are_not_applied_in_diffusers_and_say_so(tmp_path):
    report, code = check(make_tree(tmp_path, "diffusers", SPACED))
    assert code == 0 and report["checked"] == 1
    assert [note["message"] for note in report["notes"]] == [
        "replacement `Foo -> Bar` is not applied (spaces around the arrow, as the reference checker reads it)"
    ]


def test_spaced_pairs_are_applied_in_transformers(tmp_path):
    report, code = check(make_tree(tmp_path, "transformers", SPACED))
    assert code == 1 and report["notes"] == []


SLASHED = {
    "src/PKG/models/deep/inner_module.py": """
        def helper():
            return 1
    """,
    "src/PKG/models/copy.py": """
        # Copied from PKG.models.deep/inner_module.helper
        def helper():
            return 1
    """,
}


def test_a_slash_in_a_marker_path_is_a_file_path_in_diffusers(tmp_path):
    assert check(make_tree(tmp_path, "diffusers", SLASHED)) == ({"checked": 1, "findings": [], "notes": []}, 0)


def test_a_slash_in_a_marker_path_is_not_a_path_in_transformers(tmp_path):
    report, code = check(make_tree(tmp_path, "transformers", SLASHED))
    assert code == 1 and report["findings"][0]["kind"] == "error"


TESTS = {
    "tests/models/alpha/test_alpha.py": """
        def helper():
            return 1


        # Copied from tests.models.alpha.test_alpha.helper
        def other_helper():
            return 2
    """,
}


def test_check_tests_covers_tests_models_in_transformers_only(tmp_path):
    report, code = check(make_tree(tmp_path / "t", "transformers", TESTS))
    assert code == 1 and report["checked"] == 1
    assert check(make_tree(tmp_path / "d", "diffusers", TESTS)) == ({"checked": 0, "findings": [], "notes": []}, 0)


UNDEFINED = {
    "src/PKG/models/source.py": SOURCE,
    "src/PKG/models/copy.py": """
        import math


        # Copied from PKG.models.source.scale
        def scale(x):
            y = math.floor(x)
            return y + offset
    """,
}


def test_a_fix_that_would_add_an_undefined_name_writes_nothing(tmp_path):
    root = make_tree(tmp_path, "diffusers", UNDEFINED)
    copy = root / "src/diffusers/models/copy.py"
    before = copy.read_bytes()
    with pytest.raises(ModelgenError) as raised:
        CopyChecker(RepoLayout.discover(root), use_cache=False).fix()
    assert str(raised.value).startswith(
        "src/diffusers/models/copy.py:7: a fix would add the undefined name `factor` (ruff F821); nothing was written"
    )
    assert copy.read_bytes() == before


def test_the_checker_reads_the_dialect_once(tmp_path):
    root = make_tree(tmp_path, "diffusers", SLASHED)
    assert CopyChecker(RepoLayout.discover(root)).dialect is BUILT_IN["diffusers"]
