"""Lint a pinned transformers tree, print per-rule counts and a seeded random sample of hits with context.

    python benchmarks/lint_sample.py 5.23.0 [--per-rule 10] [--seed 0] [--context 2]

The samples are what the per-rule precision in the lint report was judged on, by hand, against
`docs/porting-guide.md`.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from modelgen.lint.config import load_config
from modelgen.lint.runner import lint_paths
from modelgen.lint.targets import default_targets
from modelgen.repo import RepoLayout
from modelgen.trees import pristine_tree


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("version")
    parser.add_argument("--per-rule", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--context", type=int, default=2)
    parser.add_argument("--codes", default="")
    arguments = parser.parse_args()
    layout = RepoLayout.discover(pristine_tree(arguments.version))
    config = load_config({}, None)
    targets = default_targets(layout)
    findings = lint_paths(
        targets, [layout.relative(path) for path in targets], config, layout.root, use_cache=False
    )
    counts = Counter(finding.code for finding in findings)
    print(f"transformers {arguments.version}: {len(targets)} files, {len(findings)} findings")
    for code in sorted(counts):
        print(f"  {code}: {counts[code]}")
    chooser = random.Random(arguments.seed)
    wanted = set(arguments.codes.split(",")) if arguments.codes else set(counts)
    for code in sorted(counts):
        if code not in wanted:
            continue
        hits = [finding for finding in findings if finding.code == code]
        print(f"\n===== {code}: {min(arguments.per_rule, len(hits))} of {len(hits)} =====")
        for finding in chooser.sample(hits, min(arguments.per_rule, len(hits))):
            lines = Path(layout.root, finding.path).read_text(encoding="utf-8").splitlines()
            low, high = (
                max(finding.line - 1 - arguments.context, 0),
                min(finding.line + arguments.context, len(lines)),
            )
            print(f"--- {finding.path}:{finding.line}:{finding.column} [{finding.context}] {finding.message}")
            for number in range(low, high):
                marker = ">" if number == finding.line - 1 else " "
                print(f"  {marker}{number + 1:5} {lines[number]}")


if __name__ == "__main__":
    main()
