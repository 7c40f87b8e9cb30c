"""Cold and warm `modelgen lint` against `mlinter` (transformers-mlinter) on the same files, in one run.

    python benchmarks/lint_vs_mlinter.py [--version 5.23.0] [--mlinter .venv-mlinter/bin/mlinter] [--repeat 1]

Install mlinter apart from modelgen's dependencies:
    python -m venv .venv-mlinter && .venv-mlinter/bin/pip install transformers-mlinter

Files: the tree's `models/<model>/modeling_*.py` and `configuration_*.py` (PyTorch only), i.e. modelgen lint's
default targets, passed to both tools explicitly. Cold: modelgen with an empty result cache, mlinter with
`--no-cache`. Warm: modelgen again on the unchanged tree (median of 3). Wall times include process start.
Targets (issue 5): cold <= 0.2 x mlinter's wall time, warm < 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from modelgen.lint.targets import default_targets
from modelgen.repo import RepoLayout
from modelgen.trees import pristine_tree

PROJECT = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(
        command, check=False, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", default="5.23.0")
    parser.add_argument("--mlinter", default=str(PROJECT / ".venv-mlinter/bin/mlinter"))
    parser.add_argument("--repeat", type=int, default=1, help="cold runs of each tool (median reported)")
    arguments = parser.parse_args()
    if not Path(arguments.mlinter).is_file():
        sys.exit(f"no mlinter at {arguments.mlinter}: see this script's docstring for how to install it")
    tree = pristine_tree(arguments.version)
    layout = RepoLayout.discover(tree)
    files = [layout.relative(path) for path in default_targets(layout)]
    modelgen = [sys.executable, "-m", "modelgen", "lint", "--repo", str(tree)]
    print(f"transformers {arguments.version}: {len(files)} files, {os.cpu_count()} CPUs")

    mlinter_times, cold_times, warm_times = [], [], []
    for _ in range(arguments.repeat):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "MODELGEN_CACHE_DIR": cache}
            seconds, code = timed(modelgen, tree, env)
            cold_times.append(seconds)
            print(f"  modelgen lint cold: {seconds:6.2f} s (exit {code})")
            for _ in range(3):
                seconds, code = timed(modelgen, tree, env)
                warm_times.append(seconds)
                print(f"  modelgen lint warm: {seconds:6.2f} s (exit {code})")
        seconds, code = timed([arguments.mlinter, "--no-cache", "--no-progress", *files], tree)
        mlinter_times.append(seconds)
        print(f"  mlinter --no-cache: {seconds:6.2f} s (exit {code})")

    mlinter, cold, warm = (statistics.median(times) for times in (mlinter_times, cold_times, warm_times))
    print(
        f"\nmedian  mlinter {mlinter:.2f} s | modelgen cold {cold:.2f} s ({cold / mlinter:.3f} x mlinter, "
        f"target <= 0.2: {'met' if cold <= 0.2 * mlinter else 'NOT met'}) | modelgen warm {warm:.2f} s "
        f"(target < 1 s: {'met' if warm < 1 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
