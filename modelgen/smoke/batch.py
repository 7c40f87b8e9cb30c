"""A click-free entry point for `smoke`: runs where only torch and the tree's dependencies are installed
(a GPU machine without modelgen's CLI dependencies), writes the JSON report to a file.

    python -m modelgen.smoke.batch --repo TREE --device cuda --compare-devices --jobs 4 --out results.json bert gpt2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout
from modelgen.smoke.report import render_json, summary
from modelgen.smoke.runner import (
    DEFAULT_TIMEOUT,
    WORKER_DESIGNS,
    pytorch_model_types,
    resolve_device,
    run_smoke,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modelgen.smoke.batch", description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu")
    parser.add_argument("--compare-devices", action="store_true")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("--python", default=None)
    parser.add_argument("--workers", choices=WORKER_DESIGNS, default=None,
                        help="fork-server (default on Linux on the CPU) or spawn: see `modelgen smoke --help`")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--jsonl", type=Path, default=None,
                        help="also append each model's result here as it finishes (a run cut short still counts)")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("model_types", nargs="*")
    args = parser.parse_args(argv)
    try:
        layout = RepoLayout.discover(args.repo)
        selected = pytorch_model_types(layout) if args.all else args.model_types
        device = resolve_device(args.device, args.compare_devices, args.python)
        started = time.perf_counter()
        results = run_smoke(layout, selected, device=device, jobs=args.jobs, timeout=args.timeout,
                            python=args.python, compare_devices=args.compare_devices, workers=args.workers,
                            progress=lambda done, total, result: _progress(done, total, result, args.jsonl))
    except ModelgenError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    args.out.write_text(render_json(results), encoding="utf-8")
    print(f"{summary(results)} in {time.perf_counter() - started:.0f} s on {device}", file=sys.stderr)
    return 1 if any(result.status == "fail" for result in results) else 0


def _progress(done: int, total: int, result, jsonl: Path | None) -> None:
    print(f"{done}/{total} {result.model_type} {result.status}", file=sys.stderr, flush=True)
    if jsonl is not None:
        with jsonl.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(result.as_dict(), default=str) + "\n")


if __name__ == "__main__":
    sys.exit(main())
