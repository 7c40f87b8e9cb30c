"""Which files `modelgen lint` checks: the models' PyTorch modeling and configuration files, the globs of
`[tool.modelgen.lint] include`/`exclude` or of a known library's layout (modelgen.lint.libraries), or given paths."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.lint.libraries import LIBRARIES, LibraryTargets
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


def target_globs(layout: RepoLayout) -> LibraryTargets | None:
    """Include and exclude globs relative to the repository root, or None for the models' modeling files."""
    section = layout.settings.section("lint")
    if "include" in section or "exclude" in section:
        package = layout.relative(layout.package_dir)
        include = section.get("include", [f"{package}/models/*/modeling_*.py", f"{package}/models/*/configuration_*.py"])
        return LibraryTargets(tuple(include), tuple(section.get("exclude", [])))
    library = LIBRARIES.get(layout.package)
    if library is None:
        return None
    package = layout.relative(layout.package_dir)
    return LibraryTargets(
        tuple(f"{package}/{pattern}" for pattern in library.targets.include),
        tuple(f"{package}/{pattern}" for pattern in library.targets.exclude),
    )


def default_targets(layout: RepoLayout) -> list[Path]:
    """The files the globs of `target_globs` name, else the models' modeling and configuration files."""
    globs = target_globs(layout)
    if globs is None:
        return model_files(layout)
    found = {path for pattern in globs.include for path in layout.root.glob(pattern) if path.suffix == ".py" and path.is_file()}
    return sorted(path for path in found if not _excluded(layout.relative(path), globs))


def _excluded(relative: str, globs: LibraryTargets) -> bool:
    """`*` in an exclude glob crosses folders (fnmatch), so `*/__init__.py` excludes every `__init__.py`."""
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in globs.exclude)


def model_files(layout: RepoLayout) -> list[Path]:
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


def explicit_targets(paths: Iterable[Path], layout: RepoLayout | None = None) -> list[Path]:
    """Files as given; folders searched recursively for the files the default targets would hold (with a
    layout that has target globs: the files they include; else modeling and configuration files)."""
    globs = target_globs(layout) if layout is not None else None
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(candidate for candidate in path.rglob("*.py") if _is_wanted(candidate, layout, globs)))
        elif path.is_file():
            found.append(path)
        else:
            raise ModelgenError("no such file or folder", path)
    return list(dict.fromkeys(found))


def _is_wanted(path: Path, layout: RepoLayout | None, globs: LibraryTargets | None) -> bool:
    if globs is None:
        return is_default_target(path)
    relative = layout.relative(path)
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in globs.include) and not _excluded(relative, globs)
