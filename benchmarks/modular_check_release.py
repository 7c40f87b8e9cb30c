"""check-modular on a scratch copy of the 5.23.0 release: the pristine tree, a planted edit in a parent, the fix,
and fix -> revert -> fix.

    python benchmarks/modular_check_release.py [--dest /tmp/modular-check] [--json FILE]

1. `--write-baseline` on the pristine tree records the files this converter does not reproduce; `check-modular
   --baseline` then reports no finding (the reproduced files match, the others are notes).
2. A planted edit inside `LlamaAttention.__init__` (a new attribute) is checked in PATH mode
   (`check-modular modeling_llama.py`): every generated file whose expansion reads it must be reported.
3. `--fix` repairs them (each then holds the planted attribute) and a second check is clean.
4. The edit is reverted and `--fix` run again: every file the converter reproduces is the release's, byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

from modelgen.modular import expander_for
from modelgen.modular.check import affected_modulars, check, read_baseline, write_baseline
from modelgen.modular.consistency import generated_files, modular_files
from modelgen.repo import RepoLayout
from modelgen.trees import scratch_copy

PLANTED = "        self.planted_marker = config.hidden_size\n"
ANCHOR = "class LlamaAttention(nn.Module):"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dest", type=Path, default=Path("/tmp/modular-check"))
    parser.add_argument("--json", type=Path, default=None)
    arguments = parser.parse_args()
    tree = arguments.dest if arguments.dest.exists() else scratch_copy("5.23.0", arguments.dest)
    layout = RepoLayout.discover(tree)
    result: dict = {}
    baseline_path = tree / "modular-baseline.json"

    start = time.perf_counter()
    pristine = check(layout, expander_for(layout), modular_files(layout))
    write_baseline(baseline_path, layout, pristine.comparisons)
    baseline = read_baseline(baseline_path)
    reproduced = [item.generated for item in pristine.comparisons if item.identical]
    release = {path: digest(path) for path in generated_files(layout)}
    again = check(layout, expander_for(layout), modular_files(layout), baseline=baseline)
    result["pristine"] = {
        "generated_checked": again.checked,
        "reproduced": len(reproduced),
        "findings_with_baseline": len(again.findings),
        "notes_not_reproducible": len(again.notes),
        "seconds": round(time.perf_counter() - start, 1),
    }

    llama = layout.models_dir / "llama" / "modeling_llama.py"
    original = llama.read_text(encoding="utf-8")
    init = original.index("super().__init__()\n", original.index(ANCHOR)) + len("super().__init__()\n")
    llama.write_text(original[:init] + PLANTED + original[init:], encoding="utf-8")
    start = time.perf_counter()
    dependants = affected_modulars(layout, [llama])
    planted = check(layout, expander_for(layout), dependants, baseline=baseline)
    flagged = sorted(finding.path for finding in planted.findings)
    fixed = check(layout, expander_for(layout), dependants, fix=True, baseline=baseline)
    holding = [p for p in fixed.written if "planted_marker" in (tree / p).read_text(encoding="utf-8")]
    after_fix = check(layout, expander_for(layout), dependants, baseline=baseline)
    result["planted"] = {
        "modular_files_depending_on_llama": len(dependants),
        "flagged_files": len(flagged),
        "flagged_sample": flagged[:12],
        "fixed_files": len(fixed.written),
        "fixed_files_holding_the_edit": len(holding),
        "findings_after_fix": len(after_fix.findings),
        "seconds": round(time.perf_counter() - start, 1),
    }

    llama.write_text(original, encoding="utf-8")
    reverted = check(layout, expander_for(layout), dependants, fix=True, baseline=baseline)
    back = [path for path in reproduced if digest(path) == release[path]]
    result["revert"] = {
        "fixed_files": len(reverted.written),
        "reproduced_files_identical_to_release": f"{len(back)}/{len(reproduced)}",
    }
    print(json.dumps(result, indent=2))
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
