"""Which files of a repository hold markers, read once and remembered by content hash."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from modelgen.cache import FileFingerprints, ResultCache
from modelgen.copies.blocks import SourceText
from modelgen.copies.cache_entries import markers_entry
from modelgen.copies.dialects import Dialect, dialect_for
from modelgen.copies.markers import Marker, find_markers
from modelgen.copies.resolution import TextStore
from modelgen.files import FileProblem, check_regular, decode, read_bytes
from modelgen.repo import RepoLayout


@dataclass
class MarkedFile:
    path: Path
    content_hash: str
    markers: list[Marker]


def checked_roots(layout: RepoLayout, dialect: Dialect | None = None) -> list[Path]:
    """Where markers are checked: the package, and `tests/models` where the dialect checks tests.

    `[tool.modelgen.check-copies] paths` (relative to the repository root) overrides this.
    """
    configured = layout.settings.section("check-copies").get("paths")
    if configured:
        return [layout.root / path for path in configured]
    dialect = dialect or dialect_for(layout)
    return [layout.package_dir, layout.tests_dir / "models"] if dialect.check_tests else [layout.package_dir]


def python_files(layout: RepoLayout, dialect: Dialect | None = None) -> list[Path]:
    """Every `.py` file under the checked roots, in a stable order."""
    found = []
    for base in checked_roots(layout, dialect):
        for folder, subfolders, files in os.walk(base):
            subfolders[:] = sorted(name for name in subfolders if name != "__pycache__" and not name.startswith("."))
            found.extend(Path(folder, name) for name in sorted(files) if name.endswith(".py"))
    return found


def is_test_file(layout: RepoLayout, path: Path) -> bool:
    return path.is_relative_to(layout.tests_dir)


def scan_markers(
    layout: RepoLayout,
    cache: ResultCache,
    fingerprints: FileFingerprints,
    texts: TextStore | None = None,
    problems: list[FileProblem] | None = None,
    dialect: Dialect | None = None,
) -> Iterator[MarkedFile]:
    """The files that contain markers, with their markers (cached per content hash), one at a time.

    Texts read along the way are handed to `texts`, so the checker does not read them again. A file that
    cannot be read as text (`modelgen.files`) goes to `problems`, and the scan goes on.
    """
    tests_dir = layout.tests_dir
    dialect = dialect or dialect_for(layout)
    for path in python_files(layout, dialect):
        try:
            try:
                digest = fingerprints.unchanged_hash(path)  # a special file never has a stored hash
            except OSError:
                check_regular(path, layout.root)  # the precise problem (a dangling link, a loop)
                raise
            stored = (cache.get(f"markers:{dialect.name}:{digest}", shape=markers_entry)
                      if digest is not None else None)
            if stored is None:
                data = read_bytes(path, layout.root)  # read once: hashed and scanned
                digest = fingerprints.hash(path, data)
                text = decode(data, layout.relative(path))
        except (FileProblem, OSError) as problem:
            if problems is not None:
                problems.append(problem if isinstance(problem, FileProblem) else FileProblem(
                    f"cannot be read: {problem.strerror or problem}", path))
            continue
        if stored is None:
            markers = find_markers(text, layout.package, path.is_relative_to(tests_dir), dialect)
            stored = []
            if markers:
                source_text = SourceText(text)
                stored = [marker.to_json() for marker in outermost_markers(source_text, markers)]
                if texts is not None:
                    texts.preload(path, source_text)
            cache.put(f"markers:{dialect.name}:{digest}", stored)
        if stored:
            yield MarkedFile(path, digest, [Marker.from_json(item) for item in stored])


def outermost_markers(text: SourceText, markers: list[Marker]) -> list[Marker]:
    """Markers that do not stand inside another marker's copy.

    A marker inside a copied block came along with the copied text; the enclosing copy governs those
    lines (the reference checker skips them too, and the real trees rely on it).
    """
    result, covered_until = [], -1
    for marker in markers:
        if marker.line - 1 < covered_until or marker.line - 1 in text.lines_in_strings:
            continue  # inside another copy, or a line of a docstring or other string (prose, not a marker)
        result.append(marker)
        definition = text.first_definition_after(marker.line - 1)
        if definition is not None:
            covered_until = text.block_end(definition.header, stop_at_end_copy=True)
    return result
