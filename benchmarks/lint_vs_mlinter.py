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
import resource
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


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, the command and its children) and exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        command, check=False, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.returncode


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

    print(f"load average before: {os.getloadavg()[0]:.1f}")
    mlinter_times, cold_times, warm_times, mlinter_cpu, cold_cpu = [], [], [], [], []
    for _ in range(arguments.repeat):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "MODELGEN_CACHE_DIR": cache}
            seconds, cpu, code = timed(modelgen, tree, env)
            cold_times.append(seconds)
            cold_cpu.append(cpu)
            print(f"  modelgen lint cold: {seconds:6.2f} s wall, {cpu:6.2f} s CPU (exit {code})")
            for _ in range(3):
                seconds, cpu, code = timed(modelgen, tree, env)
                warm_times.append(seconds)
                print(f"  modelgen lint warm: {seconds:6.2f} s wall, {cpu:6.2f} s CPU (exit {code})")
        seconds, cpu, code = timed([arguments.mlinter, "--no-cache", "--no-progress", *files], tree)
        mlinter_times.append(seconds)
        mlinter_cpu.append(cpu)
        print(f"  mlinter --no-cache: {seconds:6.2f} s wall, {cpu:6.2f} s CPU (exit {code})")
    print(f"load average after: {os.getloadavg()[0]:.1f}")

    mlinter, cold, warm = (statistics.median(times) for times in (mlinter_times, cold_times, warm_times))
    cpu_ratio = statistics.median(cold_cpu) / statistics.median(mlinter_cpu)
    print(
        f"CPU time: modelgen cold {statistics.median(cold_cpu):.2f} s vs mlinter {statistics.median(mlinter_cpu):.2f} s "
        f"({cpu_ratio:.3f} x)"
    )
    print(
        f"\nmedian  mlinter {mlinter:.2f} s | modelgen cold {cold:.2f} s ({cold / mlinter:.3f} x mlinter, "
        f"target <= 0.2: {'met' if cold <= 0.2 * mlinter else 'NOT met'}) | modelgen warm {warm:.2f} s "
        f"(target < 1 s: {'met' if warm < 1 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
