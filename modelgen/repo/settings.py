"""The target repository's own settings, read from its `pyproject.toml`, every value type-checked.

A bad value is a usage error (exit 2) on one line naming the key: `pyproject.toml: tool.modelgen.package
must be a string (got 5)`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelgen.errors import UsageError
from modelgen.files import FileProblem, read_text

RUFF_DEFAULT_LINE_LENGTH = 88
# [tool.modelgen] keys whose value is a string (a package name or a path relative to the repository root)
STRING_KEYS = ("package", "src", "tests", "docs")


@dataclass(frozen=True)
class RepoSettings:
    """What modelgen needs from `pyproject.toml`: the formatter settings and `[tool.modelgen]`."""

    pyproject: Path | None
    line_length: int = RUFF_DEFAULT_LINE_LENGTH
    modelgen: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """A sub-table of `[tool.modelgen]`, such as `[tool.modelgen.lint]`."""
        value = self.modelgen.get(name, {})
        if not isinstance(value, dict):
            raise UsageError(f"tool.modelgen.{name} must be a table (got {_shown(value)})", self.pyproject)
        return value


def read_settings(root: Path) -> RepoSettings:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return RepoSettings(pyproject=None)
    try:
        data = tomllib.loads(read_text(pyproject))
    except FileProblem as problem:
        raise UsageError(problem.message, pyproject, problem.line) from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"invalid TOML: {error}", pyproject) from None
    tool = _table(data, "tool", pyproject)
    ruff = _table(tool, "ruff", pyproject, "tool.")
    ruff_format = _table(ruff, "format", pyproject, "tool.ruff.")
    if "line-length" in ruff:
        line_length = _line_length(ruff["line-length"], "tool.ruff.line-length", pyproject)
    elif "line-length" in ruff_format:
        line_length = _line_length(ruff_format["line-length"], "tool.ruff.format.line-length", pyproject)
    else:
        line_length = RUFF_DEFAULT_LINE_LENGTH
    modelgen = _table(tool, "modelgen", pyproject, "tool.")
    for key in STRING_KEYS:
        if key in modelgen and (not isinstance(modelgen[key], str) or not modelgen[key].strip()):
            raise UsageError(f"tool.modelgen.{key} must be a non-empty string (got {_shown(modelgen[key])})", pyproject)
    package = modelgen.get("package")
    if package is not None and not all(part.isidentifier() and part.isascii() for part in package.split(".")):
        raise UsageError(f"tool.modelgen.package must be a Python package name (got {package!r})", pyproject)
    paths = _table(modelgen, "check-copies", pyproject, "tool.modelgen.").get("paths")
    if paths is not None and (not isinstance(paths, list) or not all(isinstance(path, str) for path in paths)):
        raise UsageError(f"tool.modelgen.check-copies.paths must be a list of strings (got {_shown(paths)})", pyproject)
    return RepoSettings(pyproject=pyproject, line_length=line_length, modelgen=modelgen)


def _table(data: dict, key: str, pyproject: Path, prefix: str = "") -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise UsageError(f"{prefix}{key} must be a table (got {_shown(value)})", pyproject)
    return value


def _line_length(value: Any, key: str, pyproject: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 320:
        raise UsageError(f"{key} must be a whole number from 1 to 320 (got {_shown(value)})", pyproject)
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
