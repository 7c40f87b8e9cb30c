"""Which files of a repository are generated from which modular file, and whether each equals its expansion.

A generated file is found by its banner (it names its modular file); it is compared with the expansion of
that modular file after both went through the repository's ruff fixes and formatter, so that a formatter
version's choices are not differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.formatting import fix_and_format_modules
from modelgen.modular.banner import generated_from
from modelgen.modular.expansion import Expander


@dataclass
class Comparison:
    generated: Path  # the generated file (it may not exist yet)
    modular: Path
    expected: str | None  # our expansion, formatted; None when the expansion failed
    actual: str | None  # the file on disk, formatted; None when it does not exist
    error: str | None = None  # why the modular file does not expand

    @property
    def identical(self) -> bool:
        return self.error is None and self.expected is not None and self.expected == self.actual


def modular_files(layout) -> list[Path]:
    return sorted(layout.models_dir.glob("*/modular_*.py"))


def generated_files(layout) -> dict[Path, Path]:
    """generated file -> the modular file its banner names, for every model folder."""
    found = {}
    for path in sorted(layout.models_dir.glob("*/*.py")):
        if path.name.startswith("modular_") or path.name == "__init__.py":
            continue
        with path.open(encoding="utf-8") as stream:
            head = stream.read(2000)
        source = generated_from(head)
        if source is not None and "/modular_" in source:
            found[path] = (layout.root / source).resolve()
    return found


def compare(
    layout, expander: Expander, modulars: list[Path], known: dict[Path, Path] | None = None
) -> list[Comparison]:
    """Expand each modular file and compare every file it generates (and every file claiming it) with disk.

    `known`: `generated_files(layout)` when the caller has it already."""
    claimed: dict[Path, list[Path]] = {}
    for generated, modular in (known if known is not None else generated_files(layout)).items():
        claimed.setdefault(modular, []).append(generated)
    pending: list[tuple[Path, Path, str | None, str | None, str | None]] = []
    for modular in modulars:
        modular = modular.resolve()
        try:
            outputs = expander.expand(modular).outputs
        except ModelgenError as error:
            for generated in claimed.get(modular, []):
                pending.append((generated, modular, None, _read(generated), str(error)))
            continue
        targets = {modular.parent / name for name in outputs} | set(claimed.get(modular, []))
        for generated in sorted(targets):
            pending.append((generated, modular, outputs.get(generated.name), _read(generated), None))
    texts, names = [], []
    for generated, _, expected, actual, _ in pending:
        for text in (expected, actual):
            if text is not None:
                texts.append(text)
                names.append(generated.name)
    formatted = iter(fix_and_format_modules(texts, layout.settings, names))
    results = []
    for generated, modular, expected, actual, error in pending:
        expected = next(formatted) if expected is not None else None
        actual = next(formatted) if actual is not None else None
        results.append(Comparison(generated, modular, expected, actual, error))
    return results


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
