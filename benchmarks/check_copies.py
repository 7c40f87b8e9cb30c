"""Benchmark: `modelgen check-copies` on a whole pinned tree, cold and warm, against plain `ast.parse` of every
`.py` file of the same tree, all in the same run; with the peak memory of each. Then `--fix` after a one-line
edit planted in a source with many copies, against the cold whole-tree check of the same run.

    python benchmarks/check_copies.py [--tree 4.46.3|4.57.6|diffusers==0.42.1] [--repeat 3] [--fix-source TARGET ...]

Targets (2-core machine): cold check <= 0.4 x parse-everything, warm check <= 0.5 s, peak memory <= 150 MiB;
fix after a planted drift <= 1.5 x the cold check. Each measurement runs in its own process; wall time and
peak RSS come from that process alone. The fix is measured twice: with the cache the check left (as after
`check-copies` in a workflow), and cold.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from modelgen.trees import parse_spec, pristine_tree, scratch_copy

PARSE_EVERYTHING = """
import ast, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    ast.parse(path.read_bytes())
"""
# Sources with many copies, where one edit drifts them all (their copy counts are what the check reports).
FIX_SOURCES = {
    "transformers": ["transformers.models.bert.modeling_bert.BertIntermediate"],
    "diffusers": [
        "diffusers.pipelines.flux.pipeline_flux.calculate_shift",
        "diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion_img2img.retrieve_latents",
    ],
}


def measure(command: list[str], environment: dict[str, str], capture: bool = False) -> tuple[float, float, int, str]:
    """(wall seconds, peak resident MiB, exit code, stdout if captured) of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, env=environment, stdout=output if capture else subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        output.seek(0)
        return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), output.read()


def plant_in_source(tree: Path, target: str) -> Path:
    """Insert `planted_drift = 0` before the first statement of `target`'s body (after its docstring)."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        path = tree / "src" / Path(*parts[:cut]).with_suffix(".py")
        if path.is_file():
            break
    else:
        raise SystemExit(f"no module of {target} in {tree}")
    text = path.read_text(encoding="utf-8")
    node: ast.AST = ast.parse(text)
    for name in parts[cut:]:
        node = next(child for child in ast.iter_child_nodes(node)
                    if isinstance(child, (ast.ClassDef, ast.FunctionDef)) and child.name == name)
    body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) else node.body
    statement = body[0]
    lines = text.splitlines(keepends=True)
    first_line = min([statement.lineno, *(decorator.lineno for decorator in getattr(statement, "decorator_list", []))])
    lines.insert(first_line - 1, f"{' ' * statement.col_offset}planted_drift = 0\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def fix_case(spec: str, target: str, environment: dict[str, str]) -> dict:
    """Cold check, fix with the check's cache, and a cold fix, on a scratch tree with one planted edit."""
    with tempfile.TemporaryDirectory() as folder:
        tree = scratch_copy(spec, Path(folder) / "tree")
        source = plant_in_source(tree, target)
        original = source.read_bytes()
        results = {}
        for label, fresh_cache in (("fix after check", False), ("fix cold", True)):
            with tempfile.TemporaryDirectory() as cache:
                env = {**environment, "MODELGEN_CACHE_DIR": cache}
                check = [sys.executable, "-m", "modelgen", "check-copies", "--repo", str(tree), "--format", "json"]
                if not fresh_cache:
                    seconds, _, _, output = measure(check, env, capture=True)
                    results["check cold"] = seconds
                    results["drifted"] = len(json.loads(output)["findings"])
                seconds, memory, code, _ = measure([*check[:-2], "--fix"], env)
                results[label] = seconds
                results[f"{label} exit"] = code
                after = measure(check, {**env, "MODELGEN_CACHE_DIR": tempfile.mkdtemp(dir=folder)}, capture=True)
                results[f"{label} left"] = len(json.loads(after[3])["findings"])
            # Back to the planted state for the next measurement: the fix rewrote the copies, not the source.
            scratch = scratch_copy(spec, Path(folder) / "tree")
            plant_in_source(scratch, target)
            assert source.read_bytes() == original
        return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", "--version", dest="tree", default="4.46.3", help="4.46.3 or LIBRARY==VERSION")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fix-source", action="append", default=None, help="a source to plant an edit in (repeatable)")
    parser.add_argument("--no-fix", action="store_true", help="only the cold and warm checks")
    arguments = parser.parse_args()
    tree = pristine_tree(arguments.tree)
    rows: dict[str, list[tuple[float, float, int, str]]] = {"parse everything": [], "check cold": [], "check warm": []}
    for _ in range(arguments.repeat):
        with tempfile.TemporaryDirectory() as cache:
            environment = {**os.environ, "MODELGEN_CACHE_DIR": cache}
            check = [sys.executable, "-m", "modelgen", "check-copies", "--repo", str(tree)]
            rows["parse everything"].append(measure([sys.executable, "-c", PARSE_EVERYTHING, str(tree)], environment))
            rows["check cold"].append(measure(check, environment))
            rows["check warm"].append(measure(check, environment))
    medians = {name: statistics.median(run[0] for run in runs) for name, runs in rows.items()}
    print(f"{arguments.tree}, {arguments.repeat} run(s), median wall time; peak RSS is the max over runs")
    for name, runs in rows.items():
        codes = sorted({run[2] for run in runs})
        print(f"  {name:17s} {medians[name]:7.2f} s   peak {max(run[1] for run in runs):6.1f} MiB   exit {codes}")
    print(f"  cold / parse-everything = {medians['check cold'] / medians['parse everything']:.2f}  (target <= 0.40)")
    print(f"  warm = {medians['check warm']:.2f} s  (target <= 0.50 s)")
    if arguments.no_fix:
        return
    for target in arguments.fix_source or FIX_SOURCES[parse_spec(arguments.tree)[0]]:
        result = fix_case(arguments.tree, target, dict(os.environ))
        print(f"  planted edit in {target}: {result['drifted']} drifted copies")
        print(f"    check cold {result['check cold']:.2f} s")
        for label in ("fix after check", "fix cold"):
            ratio = result[label] / result["check cold"]
            print(f"    {label:15s} {result[label]:.2f} s = {ratio:.2f} x check cold (target <= 1.50), "
                  f"exit {result[label + ' exit']}, {result[label + ' left']} left")


if __name__ == "__main__":
    main()
