"""Speed of `modelgen new --like bert --name BrandNewBert` as a user runs it: the whole process, formatting included.

Each run starts from a fresh scratch copy of the tree (copying is not timed) and runs the installed CLI in a
new process. Reports wall-clock and CPU (user+system) seconds, min and median over the runs.

    python benchmarks/new_speed.py --runs 5

Reference numbers from the issue (`transformers-cli add-new-model-like`): 3.6 s on 4.46.3, 9.9 s on 5.23.0.
The machine is a shared 2-core box: wall-clock times vary with the other work on it; CPU time less so.
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

from modelgen.trees import scratch_copy


def one_run(version: str, like: str, name: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="modelgen-new-speed-") as folder:
        root = scratch_copy(version, Path(folder) / "transformers")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "modelgen", "new", "--like", like, "--name", name,
                                 "--repo", str(root)], capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            raise SystemExit(f"new failed: {result.stderr}")
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--like", default="bert")
    parser.add_argument("--name", default="BrandNewBert")
    parser.add_argument("--versions", nargs="*", default=["4.46.3", "5.23.0"])
    arguments = parser.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    for version in arguments.versions:
        runs = [one_run(version, arguments.like, arguments.name) for _ in range(arguments.runs)]
        walls, cpus = [run[0] for run in runs], [run[1] for run in runs]
        print(f"{version}: new --like {arguments.like}: wall min {min(walls):.2f} s, median {statistics.median(walls):.2f} s;"
              f" cpu min {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s ({arguments.runs} runs)")


if __name__ == "__main__":
    main()
