"""Which files `modelgen lint` checks: the models' PyTorch modeling and configuration files, or given paths."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout

_OTHER_FRAMEWORKS = ("modeling_tf_", "modeling_flax_")
NOT_MODELS = frozenset({"auto", "deprecated"})


def is_default_target(path: Path) -> bool:
    return _is_target_name(path.name)


def _is_target_name(name: str) -> bool:
    return (
        name.endswith(".py")
        and name.startswith(("modeling_", "configuration_"))
        and not name.startswith(_OTHER_FRAMEWORKS)
    )


def default_targets(layout: RepoLayout) -> list[Path]:
    """`models/<model>/modeling_*.py` and `configuration_*.py`, PyTorch only (no TensorFlow, no Flax), for
    every model package (a folder with `__init__.py`; `auto` and `deprecated` hold no model).

    One `scandir` of `models/` and one `listdir` per model: a warm run spends most of its time here otherwise.
    """
    found = []
    with os.scandir(layout.models_dir) as entries:
        folders = [entry.path for entry in entries if entry.is_dir() and entry.name not in NOT_MODELS]
    for folder in folders:
        names = os.listdir(folder)
        if "__init__.py" in names:
            found.extend(Path(folder, name) for name in names if _is_target_name(name))
    return sorted(found)


def explicit_targets(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched recursively for modeling and configuration files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(candidate for candidate in path.rglob("*.py") if is_default_target(candidate))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise ModelgenError("no such file or folder", path)
    return list(dict.fromkeys(found))
