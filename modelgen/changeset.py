"""All-or-nothing file changes: every new text is computed first, then written as one transaction.

A command that changes a repository builds a `ChangeSet`, validates it, and only then calls `write()`,
which stages every file, journals the change and applies it (`modelgen.transaction`): a kill at any moment
leaves a journal that the next modelgen command finishes or rolls back.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from modelgen.files import read_text


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
        return read_text(path) if path.is_file() else None

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
        """Write every changed file as one journaled transaction (`modelgen.transaction`): all or none."""
        from modelgen.transaction import Transaction

        changed = {path: self.new_texts[path].encode("utf-8") for path in self.changed_paths()}
        return Transaction(self.root).run(changed)

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
    return read_text(path) if path.is_file() else None
