"""Lint many files: cached results for unchanged files, a process pool for the rest.

The cache (`modelgen.cache.ResultCache`, namespace `lint`) maps each file to its findings under a key made
of the file's content hash and the configuration's cache key; the cache file itself is keyed by the
repository and the modelgen version. Content hashes come from `FileFingerprints`, so an unchanged tree
costs one `stat` per file.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from modelgen.cache import FileFingerprints, ResultCache, combined_hash
from modelgen.files import FileProblem, check_regular, read_text
from modelgen.lint.cache_entries import findings_entry
from modelgen.lint.config import LintConfig
from modelgen.lint.engine import lint_source
from modelgen.lint.rule import Finding
from modelgen.lint.rules import ALL_CODES
from modelgen.lint.unreadable import unreadable_file_findings

# Below this many files to lint, starting worker processes costs more than it saves.
POOL_THRESHOLD = 24

_worker_config: LintConfig | None = None


def lint_file(path: Path, relative: str, config: LintConfig) -> list[Finding]:
    """One file, uncached; per-file ignores applied. Unreadable or undecodable text is an MG000 finding."""
    return _apply_per_file_ignores(_lint_rows(str(path), relative, config), relative, config)


def lint_paths(
    paths: Sequence[Path],
    relative_paths: Sequence[str],
    config: LintConfig,
    cache_root: Path,
    use_cache: bool = True,
    workers: int | None = None,
) -> list[Finding]:
    cache = ResultCache("lint", cache_root, enabled=use_cache)
    fingerprints = FileFingerprints(cache)
    config_key = config.cache_key()
    findings: list[Finding] = []
    pending: list[tuple[str, str, str]] = []  # (path, relative path, cache key)
    for path, relative in zip(paths, relative_paths):
        try:
            check_regular(path, cache_root)
            key = combined_hash(fingerprints.hash(path), config_key) if use_cache else ""
        except (FileProblem, OSError) as problem:
            findings.extend(unreadable_file_findings(problem, path, relative))
            continue
        entry = cache.get(f"findings:{relative}", shape=findings_entry) if use_cache else None
        if entry is not None and entry[0] == key:
            findings.extend(Finding.from_row(relative, row) for row in entry[1])
        else:
            pending.append((str(path), relative, key))
    for (path, relative, key), rows in zip(pending, _lint_many(pending, config, workers)):
        findings.extend(Finding.from_row(relative, row) for row in rows)
        cache.put(f"findings:{relative}", [key, rows])
    cache.save()
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    return [kept for path, group in by_path.items() for kept in _apply_per_file_ignores(group, path, config)]


def _lint_many(pending: list[tuple[str, str, str]], config: LintConfig, workers: int | None) -> list[list]:
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(pending) < POOL_THRESHOLD:
        with _no_cycle_collection():
            return [_rows(path, relative, config) for path, relative, _ in pending]
    from concurrent.futures import ProcessPoolExecutor  # imported here: a warm run never needs it

    # The biggest files first, so that no worker is left with a large file at the end.
    order = sorted(range(len(pending)), key=lambda index: -_size(pending[index][0]))
    results: list[list] = [[] for _ in pending]
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(config,)) as pool:
        jobs = [(pending[index][0], pending[index][1]) for index in order]
        for index, rows in zip(order, pool.map(_worker_rows, jobs, chunksize=4)):
            results[index] = rows
    return results


def _start_worker(config: LintConfig) -> None:
    global _worker_config
    _worker_config = config
    gc.disable()  # the trees hold no cycles; collecting while parsing 25 MB of source triples the time


def _worker_rows(job: tuple[str, str]) -> list:
    assert _worker_config is not None
    return _rows(job[0], job[1], _worker_config)


def _rows(path: str, relative: str, config: LintConfig) -> list:
    return [finding.as_row() for finding in _lint_rows(path, relative, config)]


def _lint_rows(path: str, relative: str, config: LintConfig) -> list[Finding]:
    try:
        source = read_text(Path(path))
    except FileProblem as problem:
        return unreadable_file_findings(problem, Path(path), relative)
    return lint_source(
        source, relative, config.rules(), ALL_CODES, tuple(os.path.realpath(path).split(os.sep))
    )


def _apply_per_file_ignores(findings: list[Finding], relative: str, config: LintConfig) -> list[Finding]:
    ignored = config.ignored_codes(relative)
    return [finding for finding in findings if finding.code not in ignored] if ignored else findings


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


@contextmanager
def _no_cycle_collection():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
