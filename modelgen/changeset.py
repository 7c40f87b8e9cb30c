"""All-or-nothing file changes: every new text is computed first, then each file is replaced atomically.

A command that changes a repository builds a `ChangeSet`, validates it, and only then calls `write()`.
Each file goes to a temporary sibling that is renamed over the target, so a reader never sees half a file;
if a rename fails midway, the files already replaced are restored from their previous contents.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ChangeSet:
    root: Path
    new_texts: dict[Path, str] = field(default_factory=dict)

    def set(self, path: Path, text: str) -> None:
        self.new_texts[path.resolve()] = text

    def current(self, path: Path) -> str | None:
        """The text a path will have after the change (pending edits first, then the disk)."""
        path = path.resolve()
        if path in self.new_texts:
            return self.new_texts[path]
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def changed_paths(self) -> list[Path]:
        return sorted(path for path, text in self.new_texts.items() if _read_or_none(path) != text)

    def created_paths(self) -> list[Path]:
        return [path for path in self.changed_paths() if not path.exists()]

    def diff(self) -> str:
        """A unified diff of every edit to an existing file (new files are listed, not diffed)."""
        chunks = []
        for path in self.changed_paths():
            old = _read_or_none(path)
            if old is None:
                continue
            name = self._relative(path)
            chunks.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    self.new_texts[path].splitlines(keepends=True),
                    fromfile=f"a/{name}",
                    tofile=f"b/{name}",
                )
            )
        return "".join(chunks)

    def write(self) -> list[Path]:
        """Write every changed file atomically; on failure restore what was already written."""
        written: list[tuple[Path, str | None]] = []
        try:
            for path in self.changed_paths():
                previous = _read_or_none(path)
                write_atomic(path, self.new_texts[path])
                written.append((path, previous))
        except BaseException:
            for path, previous in reversed(written):
                if previous is None:
                    path.unlink(missing_ok=True)
                else:
                    write_atomic(path, previous)
            raise
        return [path for path, _ in written]

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_or_none(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
