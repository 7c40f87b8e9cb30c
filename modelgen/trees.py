"""Pinned, checksummed source trees of transformers-style libraries for tests, benchmarks and the README's demo.

Source distributions come from PyPI through pip, are verified against the SHA-256 below, unpacked once
into the cache folder (outside any repository) and copied into scratch folders for commands that edit them.
A tree is named by its version (`4.46.3` means transformers) or `LIBRARY==VERSION` (`diffusers==0.42.1`).
Run `python -m modelgen.trees SPEC [DEST]` to print the path of a pristine tree (or make a scratch copy).
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

DEFAULT_LIBRARY = "transformers"
PINNED_SDISTS = {
    ("transformers", "4.46.3"): "8ee4b3ae943fe33e82afff8e837f4b052058b07ca9be3cb5b729ed31295f72cc",
    ("transformers", "4.57.6"): "55e44126ece9dc0a291521b7e5492b572e6ef2766338a610b9ab5afbb70689d3",
    ("transformers", "5.23.0"): "19d647a4d5d903a7c644ca5cde2d86efc3dde7d8c687ae7988806ff2205efa71",
    ("diffusers", "0.42.1"): "ce855ab670c8cd1c7a61be8f12fbc68c081bca8ec5e747273946d8d6c2aff23b",
}


def trees_home() -> Path:
    """Downloaded trees live here; `$MODELGEN_TREES_DIR` overrides (tests isolate the result cache only)."""
    return Path(os.environ["MODELGEN_TREES_DIR"]) if "MODELGEN_TREES_DIR" in os.environ else cache_home() / "trees"


def parse_spec(spec: str) -> tuple[str, str]:
    """(library, version) of `4.46.3` (transformers) or `diffusers==0.42.1`."""
    library, separator, version = spec.partition("==")
    return (library, version) if separator else (DEFAULT_LIBRARY, spec)


def pristine_tree(spec: str) -> Path:
    """The unpacked source tree named by `spec`, downloading it on first use."""
    library, version = parse_spec(spec)
    if (library, version) not in PINNED_SDISTS:
        known = ", ".join(f"{name}=={pinned}" for name, pinned in PINNED_SDISTS)
        raise ModelgenError(f"no pinned checksum for {library} {version} (known: {known})")
    name = f"{library}-{version}"
    tree = trees_home() / name
    if (tree / ".complete").is_file():
        return tree
    archive = _download(library, version)
    with tempfile.TemporaryDirectory(dir=trees_home()) as staging:
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        shutil.rmtree(tree, ignore_errors=True)
        Path(staging, name).rename(tree)
    (tree / ".complete").write_text(PINNED_SDISTS[library, version])
    return tree


def scratch_copy(spec: str, destination: Path) -> Path:
    """A writable copy of the pristine tree at `destination` (replaced if it exists)."""
    source = pristine_tree(spec)
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".complete"))
    return destination


def _download(library: str, version: str) -> Path:
    trees_home().mkdir(parents=True, exist_ok=True)
    checksum = PINNED_SDISTS[library, version]
    archive = trees_home() / f"{library}-{version}.tar.gz"
    if not archive.is_file() or _sha256(archive) != checksum:
        with tempfile.TemporaryDirectory(dir=trees_home()) as folder:
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                       "-d", folder, f"{library}=={version}"]
            result = subprocess.run(command, capture_output=True, text=True)
            downloaded = Path(folder, archive.name)
            if result.returncode != 0 or not downloaded.is_file():
                raise ModelgenError(f"could not download {library} {version}: {result.stderr.strip()[-300:]}")
            downloaded.replace(archive)
    if _sha256(archive) != checksum:
        archive.unlink()
        raise ModelgenError(f"checksum mismatch for {archive.name}", archive)
    return archive


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m modelgen.trees VERSION|LIBRARY==VERSION [SCRATCH_DEST]")
    if len(sys.argv) == 3:
        print(scratch_copy(sys.argv[1], Path(sys.argv[2])))
    else:
        print(pristine_tree(sys.argv[1]))
