"""Port tests import a tree's own `transformers`; the session's modules and sys.path are restored after each."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def restore_imports():
    modules, path = dict(sys.modules), list(sys.path)
    yield
    for name in [name for name in sys.modules if name not in modules]:
        del sys.modules[name]
    sys.modules.update(modules)
    sys.path[:] = path


def modelgen(*arguments, cwd=None):
    return subprocess.run([sys.executable, "-m", "modelgen", *map(str, arguments)], capture_output=True,
                          check=False, text=True, cwd=cwd, timeout=900)
