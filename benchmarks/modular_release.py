"""Benchmark: `modelgen modular expand` on every modular file of a pristine transformers release, each output
compared with the generated file the release ships (both through the release's ruff fixes and formatter).

    python benchmarks/modular_release.py [--version 5.23.0] [--json results/modular_release.json] [--show N]

Reports the byte-identical count per file kind (modeling, configuration, image_processing, processing, other),
every differing file grouped by cause, and the speed of expanding everything against `ast.parse` of every
`.py` file of the tree, measured in the same run.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from modelgen.modular import expander_for
from modelgen.modular.causes import cause
from modelgen.modular.consistency import compare, generated_files, modular_files
from modelgen.repo import RepoLayout
from modelgen.trees import pristine_tree

KINDS = ("modeling", "configuration", "image_processing", "processing")


def file_kind(name: str) -> str:
    for kind in KINDS:
        if name.startswith(kind + "_"):
            return kind
    return "other"


def parse_everything(root: Path) -> float:
    start = time.perf_counter()
    for path in sorted(root.rglob("*.py")):
        ast.parse(path.read_bytes())
    return time.perf_counter() - start


def expand_everything(layout, modulars) -> tuple[float, float, int]:
    """(seconds to expand, seconds to expand and format, errors), a fresh expander (nothing cached)."""
    from modelgen.errors import ModelgenError
    from modelgen.formatting import fix_and_format_modules

    expander = expander_for(layout)
    start = time.perf_counter()
    texts, names, errors = [], [], 0
    for modular in modulars:
        try:
            outputs = expander.expand(modular).outputs
        except ModelgenError:
            errors += 1
            continue
        texts += list(outputs.values())
        names += list(outputs)
    expanded = time.perf_counter() - start
    fix_and_format_modules(texts, layout.settings, names)
    return expanded, time.perf_counter() - start, errors


def measure(version: str, speed: bool = True) -> dict:
    root = pristine_tree(version)
    layout = RepoLayout.discover(root)
    modulars = modular_files(layout)
    shipped = generated_files(layout)
    parse_seconds = parse_everything(root) if speed else 1.0
    expand_seconds, expand_format_seconds, _ = expand_everything(layout, modulars) if speed else (0.0, 0.0, 0)
    comparisons = compare(layout, expander_for(layout), modulars)
    per_kind: dict[str, Counter] = defaultdict(Counter)
    causes: dict[str, list[str]] = defaultdict(list)
    for item in comparisons:
        if item.generated not in shipped:
            if item.expected is not None:
                causes["extra file (the release has no such generated file)"].append(layout.relative(item.generated))
            continue
        kind = file_kind(item.generated.name)
        per_kind[kind]["total"] += 1
        if item.identical:
            per_kind[kind]["identical"] += 1
        else:
            causes[cause(item.expected, item.actual, item.error)].append(layout.relative(item.generated))
    total = sum(counter["total"] for counter in per_kind.values())
    identical = sum(counter["identical"] for counter in per_kind.values())
    return {
        "version": version,
        "modular_files": len(modulars),
        "generated_files": len(shipped),
        "compared": total,
        "identical": identical,
        "per_kind": {kind: dict(per_kind[kind]) for kind in (*KINDS, "other")},
        "causes": dict(sorted(causes.items(), key=lambda item: -len(item[1]))),
        "seconds": {
            "ast_parse_tree": round(parse_seconds, 2),
            "expand_all": round(expand_seconds, 2),
            "expand_and_format_all": round(expand_format_seconds, 2),
        },
        "ratio_expand_to_parse": round(expand_seconds / parse_seconds, 2),
        "ratio_expand_and_format_to_parse": round(expand_format_seconds / parse_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", default="5.23.0")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--show", type=int, default=3, help="files listed per cause")
    parser.add_argument("--no-speed", action="store_true", help="compare only, skip the timing runs")
    arguments = parser.parse_args()
    result = measure(arguments.version, speed=not arguments.no_speed)
    print(f"transformers {result['version']}: {result['modular_files']} modular files, "
          f"{result['generated_files']} generated files shipped")
    print(f"identical: {result['identical']}/{result['compared']} "
          f"({100 * result['identical'] / max(result['compared'], 1):.1f}%)")
    for kind, counter in result["per_kind"].items():
        print(f"  {kind:18} {counter.get('identical', 0)}/{counter.get('total', 0)}")
    print("differences by cause:")
    for reason, files in result["causes"].items():
        print(f"  {len(files):4}  {reason}: {', '.join(Path(f).name for f in files[: arguments.show])}")
    seconds = result["seconds"]
    print(f"speed: ast.parse of the tree {seconds['ast_parse_tree']} s; expand all {seconds['expand_all']} s "
          f"(x{result['ratio_expand_to_parse']}); expand and format all {seconds['expand_and_format_all']} s "
          f"(x{result['ratio_expand_and_format_to_parse']})")
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()
