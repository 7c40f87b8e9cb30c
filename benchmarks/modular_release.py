"""Benchmark: `modelgen modular expand` on every modular file of a pristine transformers release, each output
compared with the generated file the release ships (both through the release's ruff fixes and formatter).

    python benchmarks/modular_release.py [--version 5.23.0] [--json results/modular_release.json] [--show N]

Reports the byte-identical count per file kind (modeling, configuration, image_processing, processing, other),
every differing file grouped by cause, and the speed of expanding everything against `ast.parse` of every
`.py` file of the tree, measured in the same run (the library's own converter is not in the sdist, so it is
not timed here).
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


class TimedExpander:
    """The expander, with the time spent in `expand` summed (the comparison's own expansions are timed)."""

    def __init__(self, expander):
        self.expander, self.seconds = expander, 0.0

    def expand(self, path):
        start = time.perf_counter()
        try:
            return self.expander.expand(path)
        finally:
            self.seconds += time.perf_counter() - start


def measure(version: str) -> dict:
    root = pristine_tree(version)
    layout = RepoLayout.discover(root)
    modulars = modular_files(layout)
    shipped = generated_files(layout)
    parse_seconds = parse_everything(root)
    expander = TimedExpander(expander_for(layout))
    start = time.perf_counter()
    comparisons = compare(layout, expander, modulars)
    compare_seconds = time.perf_counter() - start
    expand_seconds = expander.seconds
    per_kind: dict[str, Counter] = defaultdict(Counter)
    causes: dict[str, list[str]] = defaultdict(list)
    for item in comparisons:
        if item.generated not in shipped:
            if item.expected is not None:
                causes["extra file (the release has no such generated file)"].append(
                    layout.relative(item.generated)
                )
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
            "expand_format_and_compare_all": round(compare_seconds, 2),
        },
        "ratio_expand_to_parse": round(expand_seconds / parse_seconds, 2),
        "ratio_expand_format_compare_to_parse": round(compare_seconds / parse_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", default="5.23.0")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--show", type=int, default=3, help="files listed per cause")
    arguments = parser.parse_args()
    result = measure(arguments.version)
    print(
        f"transformers {result['version']}: {result['modular_files']} modular files, "
        f"{result['generated_files']} generated files shipped"
    )
    print(
        f"identical: {result['identical']}/{result['compared']} "
        f"({100 * result['identical'] / max(result['compared'], 1):.1f}%)"
    )
    for kind, counter in result["per_kind"].items():
        print(f"  {kind:18} {counter.get('identical', 0)}/{counter.get('total', 0)}")
    print("differences by cause:")
    for reason, files in result["causes"].items():
        print(f"  {len(files):4}  {reason}: {', '.join(Path(f).name for f in files[: arguments.show])}")
    seconds = result["seconds"]
    print(
        f"speed: ast.parse of every file of the tree {seconds['ast_parse_tree']} s; expanding all modular files "
        f"{seconds['expand_all']} s (x{result['ratio_expand_to_parse']}); expand + ruff fix/format of both sides + "
        f"compare {seconds['expand_format_and_compare_all']} s (x{result['ratio_expand_format_compare_to_parse']})"
    )
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()
