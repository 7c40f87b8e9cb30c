"""Port tests import a tree's own `transformers`; it and sys.path are restored after each module that does."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def restore_imports():
    """Forget the tree's `transformers` afterwards (other libraries stay: C extensions do not re-import)."""
    def tree_modules() -> dict:
        return {name: module for name, module in sys.modules.items()
                if name == "transformers" or name.startswith("transformers.")}

    before, path = tree_modules(), list(sys.path)
    yield
    for name in tree_modules():
        del sys.modules[name]
    sys.modules.update(before)
    sys.path[:] = path


def modelgen(*arguments, cwd=None):
    return subprocess.run([sys.executable, "-m", "modelgen", *map(str, arguments)], capture_output=True,
                          check=False, text=True, cwd=cwd, timeout=900)
