"""Reading the library modules a modular file imports from, renamed to the new model at the text level.

Renaming the text before parsing gives the same code as renaming every name, string and comment of the
parsed module (those are the only tokens a model name can appear in), for one parse instead of a parse and a
full tree transform. `# Copied from` comments are dropped (their line stays, empty), as the converter does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from modelgen.modular.file_kinds import IMPORTABLE_KINDS
from modelgen.modular.naming import CaseRename

_KINDS = "|".join(IMPORTABLE_KINDS)
# `..llama.modeling_llama`, `...models.llama.modeling_llama` or `transformers.models.llama.modeling_llama`
_MODEL_IMPORT = re.compile(
    rf"^(?:\.\.|\.\.\.models\.|(?P<package>\w+)\.models\.)(?P<model>\w+)\.(?P<file>(?:{_KINDS})_\w*)$"
)
_SKIPPED = ("auto.modeling_auto",)
_COPIED_FROM = "# Copied from"


@dataclass(frozen=True)
class ModelImport:
    model: str  # the folder of the imported file (`llama`)
    file: str  # its module name (`modeling_llama`)
    path: Path

    @property
    def key(self) -> str:
        return f"{self.model}.{self.file}"


def model_import(module: str, models_dir: Path, package: str) -> ModelImport | None:
    """The model file an import statement's module names, or None when it names no other model's file."""
    if any(skipped in module for skipped in _SKIPPED):
        return None
    match = _MODEL_IMPORT.match(module)
    if match is None or (match.group("package") not in (None, package)):
        return None
    model, file = match.group("model"), match.group("file")
    return ModelImport(model, file, models_dir / model / f"{file}.py")


@dataclass
class SourceCache:
    """Library files read once per process (a file changed on disk since is read again)."""

    texts: dict[Path, tuple[float, str]] = field(default_factory=dict)
    overrides: dict[Path, str] = field(default_factory=dict)  # texts about to be written (a fix in progress)

    def override(self, path: Path, text: str) -> None:
        self.overrides[path.resolve()] = text

    def text(self, path: Path) -> str:
        path = path.resolve()
        if path in self.overrides:
            return self.overrides[path]
        stat = path.stat().st_mtime_ns
        cached = self.texts.get(path)
        if cached is None or cached[0] != stat:
            cached = (stat, path.read_text(encoding="utf-8"))
            self.texts[path] = cached
        return cached[1]


def without_copied_from(text: str) -> str:
    if _COPIED_FROM not in text:
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        position = line.find(_COPIED_FROM)
        if position < 0:
            continue
        lines[index] = "" if line.lstrip().startswith("#") else line[:position].rstrip()
    return "\n".join(lines)


def renamed_text(text: str, rename: CaseRename) -> str:
    return rename.in_code(without_copied_from(text))
