"""Which files `modelgen lint` checks: the models' PyTorch modeling and configuration files, or given paths."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout

_OTHER_FRAMEWORKS = ("modeling_tf_", "modeling_flax_")


def is_default_target(path: Path) -> bool:
    name = path.name
    if path.suffix != ".py" or name.startswith(_OTHER_FRAMEWORKS):
        return False
    return name.startswith(("modeling_", "configuration_"))


def default_targets(layout: RepoLayout) -> list[Path]:
    """`models/<model>/modeling_*.py` and `configuration_*.py`, PyTorch only (no TensorFlow, no Flax), for
    every model folder (`auto` and `deprecated` hold no model)."""
    found = []
    for model_type in layout.model_types:
        folder = layout.model_dir(model_type)
        for pattern in ("modeling_*.py", "configuration_*.py"):
            found.extend(path for path in folder.glob(pattern) if is_default_target(path))
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
