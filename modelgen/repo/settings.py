"""The target repository's own settings, read from its `pyproject.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelgen.errors import ModelgenError

RUFF_DEFAULT_LINE_LENGTH = 88


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
            raise ModelgenError(f"[tool.modelgen.{name}] must be a table", self.pyproject)
        return value


def read_settings(root: Path) -> RepoSettings:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return RepoSettings(pyproject=None)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ModelgenError(f"invalid TOML: {error}", pyproject) from None
    tool = data.get("tool", {})
    ruff = tool.get("ruff", {})
    line_length = ruff.get("line-length", ruff.get("format", {}).get("line-length", RUFF_DEFAULT_LINE_LENGTH))
    return RepoSettings(pyproject=pyproject, line_length=int(line_length), modelgen=tool.get("modelgen", {}))
