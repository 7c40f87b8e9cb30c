"""Shared fixtures: the fixture trees in `fixtures/` and the pinned, downloaded library trees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from modelgen.trees import parse_spec, pristine_tree, scratch_copy

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Each test gets an empty result cache; the downloaded trees stay in the shared cache."""
    from modelgen.trees import trees_home

    monkeypatch.setenv("MODELGEN_TREES_DIR", str(trees_home()))
    monkeypatch.setenv("MODELGEN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def fixture_tree(tmp_path):
    """Copy a fixture tree from `fixtures/<name>` into a temporary folder and return its path."""

    def copy(name: str) -> Path:
        destination = tmp_path / name
        shutil.copytree(FIXTURES / name, destination)
        return destination

    return copy


@pytest.fixture(scope="session", params=["4.46.3", "5.23.0"])
def pristine(request) -> Path:
    """A pristine transformers source tree (read-only: never edit it, use `scratch_tree`)."""
    return pristine_tree(request.param)


@pytest.fixture(scope="session")
def pristine_446() -> Path:
    return pristine_tree("4.46.3")


@pytest.fixture(scope="session")
def pristine_523() -> Path:
    return pristine_tree("5.23.0")


@pytest.fixture(scope="session")
def pristine_4576() -> Path:
    """transformers 4.57.6, the last 4.x release."""
    return pristine_tree("4.57.6")


@pytest.fixture(scope="session")
def pristine_diffusers() -> Path:
    """diffusers 0.42.1, the largest other library with `# Copied from` markers."""
    return pristine_tree("diffusers==0.42.1")


@pytest.fixture(scope="session")
def pristine_of():
    """The pristine tree of a spec (`4.46.3`, `diffusers==0.42.1`); read-only."""
    return pristine_tree


@pytest.fixture(scope="session")
def python_523() -> str:
    """The interpreter with the 5.23.0 tree's dependencies, for smoke workers (`make tree-venvs`)."""
    interpreter = PROJECT_ROOT / ".venv-523" / "bin" / "python"
    if not interpreter.is_file():
        pytest.skip("needs .venv-523 with torch==2.13.0 and transformers==5.23.0 (make tree-venvs)")
    return str(interpreter)


@pytest.fixture
def scratch_tree(tmp_path):
    """A writable copy of a pinned tree: `scratch_tree("4.46.3")`, `scratch_tree("diffusers==0.42.1")`."""

    def make(spec: str) -> Path:
        library, version = parse_spec(spec)
        return scratch_copy(spec, tmp_path / f"{library}-{version}")

    return make
