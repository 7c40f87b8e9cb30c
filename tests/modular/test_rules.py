"""One before/after fixture per expansion rule, in the style of libcst's codemod tests: the modular file of
`fixtures/modular/cases/<rule>/` expanded inside the mini library `fixtures/modular/tree` must give exactly the
files of its `expected/` folder (after the tree's ruff settings)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from modelgen.formatting import fix_and_format_modules
from modelgen.modular import expander_for
from modelgen.repo import RepoLayout

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "modular" / "cases"
TREE = CASES.parent / "tree"


def expand_case(case: Path, tmp_path: Path) -> dict[str, str]:
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    modular = next(case.glob("modular_*.py"))
    folder = tree / "src" / "minilib" / "models" / modular.stem.removeprefix("modular_")
    folder.mkdir()
    shutil.copy(modular, folder / modular.name)
    layout = RepoLayout.discover(tree)
    outputs = expander_for(layout).expand(folder / modular.name).outputs
    names = sorted(outputs)
    return dict(zip(names, fix_and_format_modules([outputs[n] for n in names], layout.settings, names)))


@pytest.mark.parametrize("case", sorted(path.name for path in CASES.iterdir()))
def test_rule(case, tmp_path):
    expected = {
        path.name: path.read_text(encoding="utf-8") for path in (CASES / case / "expected").glob("*.py")
    }
    assert expand_case(CASES / case, tmp_path) == expected


def test_every_rule_has_a_case():
    from modelgen.modular.rules import CLASS_RULES

    covered = {
        "renamed-docs": "renamed_casings",
        "bases": "all_split",
        "methods": "method_override",
        "attributes": "config_classes",
        "class-docstring": "config_classes",
        "super-calls": "super_calls",
        "decorators": "super_kwargs_decorators",
    }
    assert {rule.name for rule in CLASS_RULES} == set(covered)
    assert all((CASES / case).is_dir() for case in covered.values())
