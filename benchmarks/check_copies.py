"""Benchmark: `modelgen check-copies` on the whole transformers 4.46.3 tree, cold and warm, against plain
`ast.parse` of every `.py` file of the same tree, all in the same run; with the peak memory of each.

    python benchmarks/check_copies.py [--version 4.46.3] [--repeat 3]

Targets (2-core machine): cold check <= 0.4 x parse-everything, warm check <= 0.5 s, peak memory <= 150 MiB.
Each measurement runs in its own process; wall time and peak RSS come from that process alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from modelgen.trees import pristine_tree

PARSE_EVERYTHING = """
import ast, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    ast.parse(path.read_bytes())
"""


def measure(command: list[str], environment: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak resident MiB, exit code) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", default="4.46.3")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    tree = pristine_tree(arguments.version)
    rows: dict[str, list[tuple[float, float, int]]] = {"parse everything": [], "check cold": [], "check warm": []}
    for _ in range(arguments.repeat):
        with tempfile.TemporaryDirectory() as cache:
            environment = {**os.environ, "MODELGEN_CACHE_DIR": cache}
            check = [sys.executable, "-m", "modelgen", "check-copies", "--repo", str(tree)]
            rows["parse everything"].append(measure([sys.executable, "-c", PARSE_EVERYTHING, str(tree)], environment))
            rows["check cold"].append(measure(check, environment))
            rows["check warm"].append(measure(check, environment))
    medians = {name: statistics.median(run[0] for run in runs) for name, runs in rows.items()}
    print(f"transformers {arguments.version}, {arguments.repeat} run(s), median wall time; peak RSS is the max over runs")
    for name, runs in rows.items():
        codes = sorted({run[2] for run in runs})
        print(f"  {name:17s} {medians[name]:7.2f} s   peak {max(run[1] for run in runs):6.1f} MiB   exit {codes}")
    print(f"  cold / parse-everything = {medians['check cold'] / medians['parse everything']:.2f}  (target <= 0.40)")
    print(f"  warm = {medians['check warm']:.2f} s  (target <= 0.50 s)")


if __name__ == "__main__":
    main()
