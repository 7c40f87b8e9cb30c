"""Run diffusers' own `utils/check_copies.py` on a pinned diffusers tree and count what it checks.

    python benchmarks/reference_check_copies.py [--mirror DIR] [--tree diffusers==0.42.1]

The reference script is read from a local git mirror of huggingface/diffusers (`--mirror`, the folder a
`fetch` of the repository gives; nothing of it is kept in this repository) and run, unchanged, on a
scratch copy of the tree with `ruff` of this interpreter on PATH. Its markers are counted by wrapping its
look-up of a marker's source (called once per marker it checks). Prints the marker count, the problems
it reports and its wall time, beside `modelgen check-copies` on the same tree.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from modelgen.trees import scratch_copy

DEFAULT_MIRROR = "/work/.mirror/huggingface+diffusers/repo"


def load_reference(mirror: Path, folder: Path):
    script = folder / "reference_check_copies.py"
    source = subprocess.run(["git", "--git-dir", str(mirror), "show", "HEAD:utils/check_copies.py"],
                            capture_output=True, text=True, check=True).stdout
    script.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("reference_check_copies", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_reference(module, tree: Path) -> tuple[int, list[str], float]:
    """(markers checked, problem lines, seconds) of the reference's `check_copies()` run inside `tree`."""
    calls = 0
    look_up = module.find_code_in_diffusers

    def counting(object_name):
        nonlocal calls
        calls += 1
        return look_up(object_name)

    module.find_code_in_diffusers = counting
    problems: list[str] = []
    previous = os.getcwd()
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    start = time.perf_counter()
    try:
        os.chdir(tree)
        with contextlib.redirect_stdout(io.StringIO()):
            module.check_copies(overwrite=False)
    except Exception as error:  # the reference reports inconsistencies as one exception
        problems = [line for line in str(error).splitlines() if line.startswith("- ")]
    finally:
        os.chdir(previous)
    return calls, problems, time.perf_counter() - start


def run_modelgen(tree: Path) -> tuple[int, int, float]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "modelgen", "check-copies", "--repo", str(tree), "--no-cache",
                             "--format", "json"], capture_output=True, text=True)
    data = json.loads(result.stdout)
    return data["checked"], len(data["findings"]), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", type=Path, default=Path(DEFAULT_MIRROR))
    parser.add_argument("--tree", default="diffusers==0.42.1")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tree = scratch_copy(arguments.tree, Path(folder) / "tree")
        module = load_reference(arguments.mirror, Path(folder))
        markers, problems, seconds = run_reference(module, tree)
        checked, findings, modelgen_seconds = run_modelgen(tree)
    print(f"{arguments.tree}: reference utils/check_copies.py: {markers} markers, {len(problems)} problem(s), {seconds:.1f} s")
    for line in problems[:20]:
        print(f"  {line}")
    print(f"{arguments.tree}: modelgen check-copies (cold): {checked} checked, {findings} finding(s), {modelgen_seconds:.1f} s")
    print(f"  checked / reference markers = {checked / markers:.4f}  (target within 1%)")


if __name__ == "__main__":
    main()
