"""`check-modular`'s logic: which generated files to check, in which order, and what to report or rewrite.

PATH mode checks the modular files given, the generated files given, and every generated file whose expansion
reads a given file, transitively (editing `modeling_llama.py` changes `modeling_olmo.py`'s expansion, and
through it every model built on Olmo). Modular files are expanded parents first, and a fix's new text is what
the next expansions read, so one `--fix` settles a chain.

A baseline (`--write-baseline`) records the generated files this converter does not reproduce, each with the
hashes of its text and of our expansion and the cause: while both hashes hold, the file is reported as a note
("not reproducible by this converter: cause"), not a finding; any edit to the file or to what it is expanded
from makes it a finding again.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from modelgen.changeset import ChangeSet, write_atomic
from modelgen.errors import ModelgenError
from modelgen.modular.causes import cause
from modelgen.modular.consistency import Comparison, compare, generated_files, modular_files
from modelgen.modular.sources import model_import

BASELINE_VERSION = 1


@dataclass
class Finding:
    path: str
    line: int
    message: str
    diff: str = ""

    def to_json(self, with_diff: bool) -> dict:
        data = {"path": self.path, "line": self.line, "message": self.message}
        if with_diff:
            data["diff"] = self.diff
        return data


@dataclass
class Report:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.findings


def _digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()[:16]


def parent_files(layout, modular: Path) -> list[Path]:
    """The library files a modular file imports model code from (read with `ast`, no expansion)."""
    try:
        tree = ast.parse(modular.read_text(encoding="utf-8"))
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            imported = model_import(module, layout.models_dir, layout.package)
            if imported is not None and imported.path.resolve() not in found:
                found.append(imported.path.resolve())
    return found


def parents_first(layout, modulars: list[Path], generated: dict[Path, Path]) -> list[Path]:
    """Modular files ordered so that one whose parent is generated from another comes after it."""
    producer = {path.resolve(): modular.resolve() for path, modular in generated.items()}
    chosen = {m.resolve() for m in modulars}
    ordered, visiting, done = [], set(), set()

    def visit(modular: Path) -> None:
        if modular in done or modular in visiting:
            return
        visiting.add(modular)
        for parent in parent_files(layout, modular):
            upstream = producer.get(parent)
            if upstream is not None and upstream in chosen:
                visit(upstream)
        visiting.discard(modular)
        done.add(modular)
        ordered.append(modular)

    for modular in sorted(chosen):
        visit(modular)
    return ordered


def affected_modulars(layout, paths: list[Path]) -> list[Path]:
    """The modular files whose expansion a change to `paths` can change."""
    generated = generated_files(layout)
    every = [m.resolve() for m in modular_files(layout)]
    parents = {modular: parent_files(layout, modular) for modular in every}
    outputs: dict[Path, list[Path]] = {}
    for path, modular in generated.items():
        outputs.setdefault(modular.resolve(), []).append(path.resolve())
    changed = {path.resolve() for path in paths}
    chosen = {m for m in every if m in changed}
    chosen |= {generated[p].resolve() for p in generated if p.resolve() in changed}
    while True:
        grown = set(chosen)
        touched = changed | {out for modular in chosen for out in outputs.get(modular, [])}
        for modular, needed in parents.items():
            if any(parent in touched for parent in needed):
                grown.add(modular)
        if grown == chosen:
            return sorted(chosen)
        chosen = grown


def read_baseline(path: Path | None) -> dict[str, dict]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelgenError(f"cannot read the baseline: {error}", path) from None
    if data.get("version") != BASELINE_VERSION:
        raise ModelgenError(f"unsupported baseline version {data.get('version')!r}", path)
    return {entry["path"]: entry for entry in data.get("files", [])}


def write_baseline(path: Path, layout, comparisons: list[Comparison]) -> int:
    entries = [
        {
            "path": layout.relative(item.generated),
            "file": _digest(item.actual),
            "expansion": _digest(item.expected),
            "cause": cause(item.expected, item.actual, item.error),
        }
        for item in comparisons
        if not item.identical
    ]
    write_atomic(path, json.dumps({"version": BASELINE_VERSION, "files": entries}, indent=2) + "\n")
    return len(entries)


def _first_difference(expected: str, actual: str) -> int:
    for number, (ours, theirs) in enumerate(zip(expected.splitlines(), actual.splitlines()), start=1):
        if ours != theirs:
            return number
    return min(len(expected.splitlines()), len(actual.splitlines())) + 1


def check(layout, expander, modulars: list[Path], fix: bool = False, baseline: dict | None = None) -> Report:
    baseline = baseline or {}
    report = Report()
    changes = ChangeSet(layout.root)
    generated = generated_files(layout)
    ordered = parents_first(layout, modulars, generated)
    # a fix expands one modular file at a time, so that the next one reads the fixed parents
    batches = [[modular] for modular in ordered] if fix else [ordered]
    for batch in batches:
        for item in compare(layout, expander, batch, generated):
            report.comparisons.append(item)
            report.checked += 1
            if item.identical:
                continue
            relative = layout.relative(item.generated)
            accepted = baseline.get(relative)
            if (
                accepted
                and accepted["file"] == _digest(item.actual)
                and accepted["expansion"] == _digest(item.expected)
            ):
                report.notes.append(
                    Finding(relative, 1, f"not reproducible by this converter: {accepted['cause']}")
                )
                continue
            if item.error is not None:
                report.findings.append(
                    Finding(relative, 1, f"cannot expand {layout.relative(item.modular)}: {item.error}")
                )
                continue
            if item.expected is None:
                message = f"the expansion of {layout.relative(item.modular)} no longer generates this file"
                report.findings.append(Finding(relative, 1, message))
                continue
            if item.actual is not None and item.generated not in generated:
                message = (
                    f"written by hand, but {layout.relative(item.modular)} generates it too (not rewritten)"
                )
                report.findings.append(Finding(relative, 1, message))
                continue
            if item.actual is None:
                message = f"missing: {layout.relative(item.modular)} generates this file"
                line = 1
            else:
                message = f"differs from the expansion of {layout.relative(item.modular)}"
                line = _first_difference(item.expected, item.actual)
            diff = "".join(
                difflib.unified_diff(
                    (item.actual or "").splitlines(keepends=True),
                    item.expected.splitlines(keepends=True),
                    fromfile=f"a/{relative}",
                    tofile=f"b/{relative}",
                )
            )
            report.findings.append(Finding(relative, line, message, diff))
            if fix:
                changes.set(item.generated, item.expected)
                expander.cache.override(item.generated.resolve(), item.expected)
    if fix:
        report.written = [layout.relative(path) for path in changes.write()]
    return report
