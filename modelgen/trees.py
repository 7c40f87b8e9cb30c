"""Pinned, checksummed transformers source trees for tests, benchmarks and the README's demo.

Source distributions come from PyPI through pip, are verified against the SHA-256 below, unpacked once
into the cache folder (outside any repository) and copied into scratch folders for commands that edit them.
Run `python -m modelgen.trees VERSION [DEST]` to print the path of a pristine tree (or make a scratch copy).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from modelgen.cache import cache_home
from modelgen.errors import ModelgenError

PINNED_SDISTS = {
    "4.46.3": "8ee4b3ae943fe33e82afff8e837f4b052058b07ca9be3cb5b729ed31295f72cc",
    "5.23.0": "19d647a4d5d903a7c644ca5cde2d86efc3dde7d8c687ae7988806ff2205efa71",
}


def trees_home() -> Path:
    """Downloaded trees live here; `$MODELGEN_TREES_DIR` overrides (tests isolate the result cache only)."""
    return Path(os.environ["MODELGEN_TREES_DIR"]) if "MODELGEN_TREES_DIR" in os.environ else cache_home() / "trees"


def pristine_tree(version: str) -> Path:
    """The unpacked source tree of `transformers==version`, downloading it on first use."""
    if version not in PINNED_SDISTS:
        raise ModelgenError(f"no pinned checksum for transformers {version} (known: {', '.join(PINNED_SDISTS)})")
    tree = trees_home() / f"transformers-{version}"
    if (tree / ".complete").is_file():
        return tree
    archive = _download(version)
    with tempfile.TemporaryDirectory(dir=trees_home()) as staging:
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        shutil.rmtree(tree, ignore_errors=True)
        Path(staging, f"transformers-{version}").rename(tree)
    (tree / ".complete").write_text(PINNED_SDISTS[version])
    return tree


def scratch_copy(version: str, destination: Path) -> Path:
    """A writable copy of the pristine tree at `destination` (replaced if it exists)."""
    source = pristine_tree(version)
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".complete"))
    return destination


def _download(version: str) -> Path:
    trees_home().mkdir(parents=True, exist_ok=True)
    archive = trees_home() / f"transformers-{version}.tar.gz"
    if not archive.is_file() or _sha256(archive) != PINNED_SDISTS[version]:
        with tempfile.TemporaryDirectory(dir=trees_home()) as folder:
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                       "-d", folder, f"transformers=={version}"]
            result = subprocess.run(command, capture_output=True, text=True)
            downloaded = Path(folder, archive.name)
            if result.returncode != 0 or not downloaded.is_file():
                raise ModelgenError(f"could not download transformers {version}: {result.stderr.strip()[-300:]}")
            downloaded.replace(archive)
    if _sha256(archive) != PINNED_SDISTS[version]:
        archive.unlink()
        raise ModelgenError(f"checksum mismatch for {archive.name}", archive)
    return archive


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m modelgen.trees VERSION [SCRATCH_DEST]")
    if len(sys.argv) == 3:
        print(scratch_copy(sys.argv[1], Path(sys.argv[2])))
    else:
        print(pristine_tree(sys.argv[1]))
