"""A small on-disk cache of results keyed by content hashes, kept outside the target repository.

The folder is `$MODELGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/modelgen`, else `~/.cache/modelgen`. Each
namespace (one per command) is one JSON file per repository, loaded once and saved atomically at the end.

The cache only ever saves time: a folder that cannot be used costs one warning line and the run goes on
uncached; an entry of the wrong shape (`get(key, shape=...)`) is dropped; a file's content hash is taken
from its stat data only where that cannot miss a change (`FileFingerprints`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
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
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            if isinstance(error, OSError) and not self.path.parent.is_dir():
                self._unusable(error)
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str, shape: Callable[[Any], bool] | None = None) -> Any:
        """The entry, or None; with `shape`, an entry that does not pass it is dropped."""
        self._used.add(key)
        value = self.entries.get(key)
        if value is not None and shape is not None and not shape(value):
            del self.entries[key]
            self._dirty = True
            return None
        return value

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
            try:
                write_atomic(self.path, json.dumps(self.entries, separators=(",", ":")))
            except OSError as error:
                self._unusable(error)
            self._dirty = False

    def _unusable(self, error: OSError) -> None:
        """One warning line per folder and process; the results are correct without the cache."""
        folder = cache_home()
        if folder not in _WARNED:
            _WARNED.add(folder)
            reason = error.strerror or str(error)
            print(f"warning: the result cache {folder} cannot be used ({reason}); running without it", file=sys.stderr)
        self.enabled = False


_WARNED: set[Path] = set()
# A file changed less than this before its hash was recorded may change again within the same timestamp
# tick: its stat data is not trusted (git's "racily clean" rule), its content is hashed again.
RACY_MARGIN_NS = 2_000_000_000


class FileFingerprints:
    """Content hashes of files; a stored hash is reused only while the file's stat data proves it unchanged.

    The stat data is the modification and change times, inode, device and size: `touch -r` can restore a
    modification time but not the change time. A hash recorded less than `RACY_MARGIN_NS` after the file's
    last change is not trusted (a same-tick edit could keep every stat field): the file is hashed again.
    """

    def __init__(self, cache: ResultCache):
        table = cache.entries.get("fingerprints") if cache.enabled else None
        if not isinstance(table, dict):
            table = {}
            if cache.enabled:
                cache.entries["fingerprints"] = table
        self._table: dict[str, list] = table
        self._cache = cache
        self._known: dict[str, str] = {}  # hashes established during this run

    def unchanged_hash(self, path: Path) -> str | None:
        """The hash already known for this file (this run, or proven by its stat data); None if unknown."""
        key = str(path)
        if key in self._known:
            return self._known[key]
        stored = self._table.get(key)
        if not _is_fingerprint(stored):
            return None
        status = path.stat()
        if stored[:5] == _stat_key(status) and max(status.st_mtime_ns, status.st_ctime_ns) + RACY_MARGIN_NS < stored[6]:
            self._known[key] = stored[5]
            return stored[5]
        return None

    def hash(self, path: Path, data: bytes | None = None) -> str:
        """The content hash; pass `data` when the bytes were just read (the known hash is not trusted then)."""
        key = str(path)
        if data is None and (known := self.unchanged_hash(path)) is not None:
            return known
        status = path.stat()
        recorded = time.time_ns()
        digest = content_hash(data if data is not None else path.read_bytes())
        self._known[key] = digest
        if self._cache.enabled:
            self._table[key] = [*_stat_key(status), digest, recorded]
            self._cache.mark_changed()
        return digest


def _stat_key(status: os.stat_result) -> list[int]:
    return [status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev, status.st_size]


def _is_fingerprint(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 7
        and all(isinstance(item, int) and not isinstance(item, bool) for item in (*value[:5], value[6]))
        and isinstance(value[5], str)
    )
