"""A small on-disk cache of results keyed by content hashes, kept outside the target repository.

The folder is `$MODELGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/modelgen`, else `~/.cache/modelgen`. Each
namespace (one per command) is one JSON file per repository, loaded once and saved atomically at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from modelgen import __version__
from modelgen.changeset import write_atomic


def cache_home() -> Path:
    if "MODELGEN_CACHE_DIR" in os.environ:
        return Path(os.environ["MODELGEN_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "modelgen"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def combined_hash(*parts: str) -> str:
    return content_hash("\0".join(parts).encode())


class ResultCache:
    """A JSON dictionary for one command and one repository; a disabled cache stores nothing."""

    def __init__(self, namespace: str, repo_root: Path, enabled: bool = True):
        self.enabled = enabled
        key = combined_hash(str(repo_root.resolve()), __version__)
        self.path = cache_home() / namespace / f"{key}.json"
        self.entries: dict[str, Any] = self._load() if enabled else {}
        self._dirty = False
        self._used: set[str] = set()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> Any:
        self._used.add(key)
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        self._used.add(key)
        if self.enabled and self.entries.get(key) != value:
            self.entries[key] = value
            self._dirty = True

    def mark_changed(self) -> None:
        self._dirty = True

    def save(self, prune: bool = False) -> None:
        """Write the cache; with `prune`, drop the entries this run did not use (a whole-tree run)."""
        if prune:
            unused = [key for key in self.entries if key not in self._used and key != "fingerprints"]
            for key in unused:
                del self.entries[key]
            self._dirty = self._dirty or bool(unused)
        if self.enabled and self._dirty:
            write_atomic(self.path, json.dumps(self.entries, separators=(",", ":")))
            self._dirty = False


class FileFingerprints:
    """Content hashes of files, re-read only when a file's size or modification time changed."""

    def __init__(self, cache: ResultCache):
        self._table: dict[str, list] = cache.entries.setdefault("fingerprints", {}) if cache.enabled else {}
        self._cache = cache
        self._known: dict[str, str] = {}  # hashes established during this run

    def unchanged_hash(self, path: Path) -> str | None:
        """The hash already known for this file (this run, or an unchanged size and time); None if unknown."""
        key = str(path)
        if key in self._known:
            return self._known[key]
        stored = self._table.get(key)
        status = path.stat()
        if stored and stored[0] == status.st_mtime_ns and stored[1] == status.st_size:
            self._known[key] = stored[2]
            return stored[2]
        return None

    def hash(self, path: Path, data: bytes | None = None) -> str:
        """The content hash; pass `data` when the bytes were just read (the known hash is not trusted then)."""
        key = str(path)
        if data is None and (known := self.unchanged_hash(path)) is not None:
            return known
        status = path.stat()
        digest = content_hash(data if data is not None else path.read_bytes())
        self._known[key] = digest
        if self._cache.enabled:
            self._table[key] = [status.st_mtime_ns, status.st_size, digest]
            self._cache.mark_changed()
        return digest
