"""Whole-zoo smoke run on a pinned transformers tree: totals, wall time, median per model, failures by cause.

    .venv/bin/python benchmarks/smoke_zoo.py --version 4.46.3 --jobs 2
    .venv/bin/python benchmarks/smoke_zoo.py --version 5.23.0 --jobs 2 --python .venv-523/bin/python
    .venv/bin/python benchmarks/smoke_zoo.py --version 4.46.3 --jobs 2 --compare-workers --shuffle 13 --sample 30

`--compare-workers` runs the same models with each way of starting workers (`spawn`, then `fork-server`) in
one sitting and reports both walls, their ratio, the medians per model, and whether the verdicts are identical.
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
from modelgen.smoke.report import summary_counts
from modelgen.smoke.runner import DEFAULT_TIMEOUT, WORKER_DESIGNS, ModelResult, pytorch_model_types, run_smoke
from modelgen.trees import pristine_tree


def cause_of(error: str | None) -> str:
    """Group errors by check and exception type, with numbers and quoted names blurred."""
    text = error or "unknown"
    text = text.split(": ", 1)[1] if re.match(r"^\w+: ", text) and not text.startswith(("timeout", "worker")) else text
    text = re.sub(r"\[[^\]]*\.py:\d+\]", "", text)
    text = re.sub(r"\(inputs: [^)]*\)", "", text)
    text = re.sub(r"\d+(\.\d+)?(e-?\d+)?", "N", text)
    return " ".join(text.split())[:160]


def _summary(args, results: list[ModelResult], wall: float | None, rerun_of: dict | None,
             total: int | None = None) -> dict:
    grouped = summary_counts(results)  # models per verdict, findings per kind, fails per check
    counts = grouped["models"]
    seconds = [r.seconds for r in results if r.seconds is not None]  # per model, from whichever run produced it
    groups: dict[str, list[str]] = defaultdict(list)
    for result in results:
        if result.status != "pass":
            failing = [c for c in result.classes if c["status"] == result.status]
            failed_checks = failing[0].get("failed_checks", []) if failing else []
            error = failing[0]["error"] if failing else result.error
            key = f"{result.status} {'/'.join(failed_checks) or '-'}: {cause_of(error)}"
            groups[key].append(result.model_type)
    return {
        "version": args.version, "jobs": args.jobs, "models": len(results), "of_models": total or len(results),
        **counts, "findings_by_kind": grouped["findings_by_kind"], "fails_by_check": grouped["fails_by_check"],
        "pass_rate": round(counts["pass"] / max(1, len(results)), 4),
        "wall_s": round(wall, 1) if wall is not None else None, "rerun_of": rerun_of,
        "median_model_s": round(statistics.median(seconds), 2) if seconds else None,
        "causes": dict(sorted(groups.items(), key=lambda item: -len(item[1]))),
    }


def verdict(result: ModelResult) -> tuple:
    """What a maintainer acts on: the model's status and each class's status, failed checks and kind."""
    return (result.status, tuple((entry.get("name"), entry.get("status"), tuple(entry.get("failed_checks") or ()),
                                  entry.get("kind")) for entry in result.classes))


def compare_designs(runs: dict[str, tuple[list[ModelResult], float]]) -> dict:
    """Walls, their ratio, medians per model, and the models whose verdicts (or error texts) differ."""
    (slow_name, (slow, slow_wall)), (fast_name, (fast, fast_wall)) = runs.items()
    medians = {name: statistics.median([r.seconds for r in results if r.seconds is not None] or [0])
               for name, (results, _) in runs.items()}
    differ = [a.model_type for a, b in zip(slow, fast) if verdict(a) != verdict(b)]
    errors_differ = [a.model_type for a, b in zip(slow, fast) if a.error != b.error]
    return {"models": len(slow), "wall_s": {slow_name: round(slow_wall, 1), fast_name: round(fast_wall, 1)},
            "wall_ratio": round(slow_wall / fast_wall, 2),
            "median_model_s": {name: round(value, 2) for name, value in medians.items()},
            "identical_verdicts": not differ, "verdicts_differ": differ, "errors_differ": errors_differ}


def _load_results(path: Path) -> dict[str, ModelResult]:
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    else:
        rows = json.loads(path.read_text())["models"]
    return {row["model_type"]: ModelResult.from_worker(row) for row in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("--python", default=None)
    parser.add_argument("--workers", choices=WORKER_DESIGNS, default=None, help="default: the runner's default")
    parser.add_argument("--compare-workers", action="store_true",
                        help="run the models once per worker design, spawn first, and compare walls and verdicts")
    parser.add_argument("--sample", type=int, default=None, metavar="N",
                        help="only the first N models (after --shuffle: a seeded random sample)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--shuffle", type=int, default=None, metavar="SEED",
                        help="run the models in a seeded random order (a run cut short is then a fair sample)")
    parser.add_argument("--rerun", type=Path, default=None, metavar="RESULTS",
                        help="rerun only the models that did not pass in RESULTS (a .json or .partial.jsonl of an "
                             "earlier run) and report the merged totals")
    parser.add_argument("--summarise", type=Path, default=None, metavar="RESULTS",
                        help="run nothing: print the summary of RESULTS (e.g. the .partial.jsonl of a run cut short)")
    parser.add_argument("models", nargs="*", help="a subset (default: every PyTorch model)")
    args = parser.parse_args()
    layout = RepoLayout.discover(pristine_tree(args.version))
    model_types = args.models or pytorch_model_types(layout)
    if args.summarise:
        loaded = list(_load_results(args.summarise).values())
        print(json.dumps(_summary(args, loaded, None, None, total=len(model_types)), indent=1))
        return 0
    earlier = _load_results(args.rerun) if args.rerun else {}
    if earlier:  # the models named on the command line, else every model that did not pass
        model_types = [model for model in earlier if earlier[model].status != "pass"
                       and (not args.models or model in args.models)]
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(model_types)
    if args.sample is not None:
        model_types = model_types[: args.sample]
    if args.compare_workers:
        return _compare_workers(args, layout, model_types)
    default_name = f"smoke_{args.version}{'_rerun' if args.rerun else ''}.json"
    out = args.out or Path(__file__).parent / "results" / default_name
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial.jsonl")
    partial.write_text("")

    def progress(done, total, result):
        print(f"{done}/{total} {result.model_type} {result.status} {result.seconds}s", file=sys.stderr, flush=True)
        with partial.open("a") as stream:  # what a run cut short leaves behind
            stream.write(json.dumps(result.as_dict(), default=str) + "\n")

    started = time.perf_counter()
    results = run_smoke(layout, model_types, jobs=args.jobs, timeout=args.timeout, python=args.python,
                        progress=progress, workers=args.workers)
    wall = time.perf_counter() - started
    rerun_of = None
    if earlier:
        rerun_of = {"file": str(args.rerun), "models": len(earlier), "rerun": len(results), "rerun_wall_s": round(wall, 1)}
        fresh = {result.model_type: result for result in results}
        results = [fresh.get(model, result) for model, result in earlier.items()]
        wall = None
    summary = _summary(args, results, wall, rerun_of)
    out.write_text(json.dumps({"summary": summary, "models": [r.as_dict() for r in results]}, indent=1, default=str))
    print(json.dumps(summary, indent=1))
    return 0


def _compare_workers(args, layout: RepoLayout, model_types: list[str]) -> int:
    out = args.out or Path(__file__).parent / "results" / f"smoke_{args.version}_workers.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    runs: dict[str, tuple[list[ModelResult], float]] = {}
    for design in WORKER_DESIGNS:  # spawn (the per-process design) first, then fork-server
        def progress(done, total, result, design=design):
            print(f"{design} {done}/{total} {result.model_type} {result.status} {result.seconds}s", file=sys.stderr,
                  flush=True)

        started = time.perf_counter()
        results = run_smoke(layout, model_types, jobs=args.jobs, timeout=args.timeout, python=args.python,
                            progress=progress, workers=design)
        runs[design] = (results, time.perf_counter() - started)
    comparison = {"version": args.version, "jobs": args.jobs, "shuffle": args.shuffle, "sample": args.sample,
                  **compare_designs(runs),
                  "summaries": {design: _summary(args, results, wall, None) for design, (results, wall) in runs.items()}}
    out.write_text(json.dumps({"comparison": comparison, "models": {
        design: [r.as_dict() for r in results] for design, (results, _) in runs.items()}}, indent=1, default=str))
    print(json.dumps({key: value for key, value in comparison.items() if key != "summaries"}, indent=1))
    return 0 if comparison["identical_verdicts"] else 1


if __name__ == "__main__":
    sys.exit(main())
