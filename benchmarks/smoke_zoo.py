"""Whole-zoo smoke run on a pinned transformers tree: totals, wall time, median per model, failures by cause.

    .venv/bin/python benchmarks/smoke_zoo.py --version 4.46.3 --jobs 2
    .venv/bin/python benchmarks/smoke_zoo.py --version 5.23.0 --jobs 2 --python .venv-523/bin/python

Writes the full JSON results next to the summary (`--out`, default benchmarks/results/smoke_<version>.json).
Timings on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from modelgen.repo import RepoLayout
from modelgen.smoke.runner import DEFAULT_TIMEOUT, pytorch_model_types, run_smoke
from modelgen.trees import pristine_tree


def cause_of(error: str | None) -> str:
    """Group errors by check and exception type, with numbers and quoted names blurred."""
    text = error or "unknown"
    text = text.split(": ", 1)[1] if re.match(r"^\w+: ", text) and not text.startswith(("timeout", "worker")) else text
    text = re.sub(r"\[[^\]]*\.py:\d+\]", "", text)
    text = re.sub(r"\(inputs: [^)]*\)", "", text)
    text = re.sub(r"\d+(\.\d+)?(e-?\d+)?", "N", text)
    return " ".join(text.split())[:160]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("--python", default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--shuffle", type=int, default=None, metavar="SEED",
                        help="run the models in a seeded random order (a run cut short is then a fair sample)")
    parser.add_argument("models", nargs="*", help="a subset (default: every PyTorch model)")
    args = parser.parse_args()
    layout = RepoLayout.discover(pristine_tree(args.version))
    model_types = args.models or pytorch_model_types(layout)
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(model_types)
    out = args.out or Path(__file__).parent / "results" / f"smoke_{args.version}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial.jsonl")
    partial.write_text("")

    def progress(done, total, result):
        print(f"{done}/{total} {result.model_type} {result.status} {result.seconds}s", file=sys.stderr, flush=True)
        with partial.open("a") as stream:  # what a run cut short leaves behind
            stream.write(json.dumps(result.as_dict(), default=str) + "\n")

    started = time.perf_counter()
    results = run_smoke(layout, model_types, jobs=args.jobs, timeout=args.timeout, python=args.python,
                        progress=progress)
    wall = time.perf_counter() - started
    counts = {status: sum(r.status == status for r in results) for status in ("pass", "fail", "skip")}
    seconds = [r.seconds for r in results if r.seconds is not None]
    groups: dict[str, list[str]] = defaultdict(list)
    for result in results:
        if result.status != "pass":
            failing = [c for c in result.classes if c["status"] != "pass"]
            failed_checks = failing[0].get("failed_checks", []) if failing else []
            error = failing[0]["error"] if failing else result.error
            key = f"{result.status} {'/'.join(failed_checks) or '-'}: {cause_of(error)}"
            groups[key].append(result.model_type)
    summary = {
        "version": args.version, "jobs": args.jobs, "models": len(results), **counts,
        "pass_rate": round(counts["pass"] / max(1, len(results)), 4), "wall_s": round(wall, 1),
        "median_model_s": round(statistics.median(seconds), 2) if seconds else None,
        "causes": dict(sorted(groups.items(), key=lambda item: -len(item[1]))),
    }
    out.write_text(json.dumps({"summary": summary, "models": [r.as_dict() for r in results]}, indent=1, default=str))
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
