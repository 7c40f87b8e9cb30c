"""`new --like X --name Y --modular` for models of different kinds on a scratch 5.23.0 tree: the modular file's
length, check-modular and check-copies on the new files, and the new model's smoke verdict next to the
original's (from `benchmarks/results/smoke_5.23.0.json`, the whole-zoo run; an original is smoked again here
when the verdicts differ).

    python benchmarks/new_modular_kinds.py --tree /tmp/modular-kinds --python .venv-523/bin/python \
        [--json benchmarks/results/new_modular_kinds.json] [MODEL ...]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from modelgen.copies.checker import CopyChecker
from modelgen.modular import expander_for
from modelgen.modular.check import check
from modelgen.repo import RepoLayout
from modelgen.scaffold.plan import NewModelRequest, plan_new_model
from modelgen.smoke.runner import run_smoke
from modelgen.trees import scratch_copy

KINDS = {
    "llama": "text decoder",
    "bert": "encoder",
    "t5": "encoder-decoder",
    "vit": "vision",
    "whisper": "audio (encoder-decoder)",
    "wav2vec2": "audio (encoder)",
    "llava": "multimodal",
    "clip": "multimodal (dual encoder)",
    "mixtral": "MoE",
    "qwen2_moe": "MoE",
}
ORIGINALS = Path(__file__).resolve().parent / "results" / "smoke_5.23.0.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, required=True, help="scratch copy to create (or reuse)")
    parser.add_argument("--python", default=None, help="smoke worker interpreter (.venv-523/bin/python)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("models", nargs="*", default=list(KINDS))
    arguments = parser.parse_args()
    if not arguments.tree.exists():
        scratch_copy("5.23.0", arguments.tree)
    originals = {row["model_type"]: row["status"] for row in json.loads(ORIGINALS.read_text())["models"]}
    rows = []
    for like in arguments.models:
        layout = RepoLayout.discover(arguments.tree)
        name = "Mod" + "".join(part.title() for part in like.split("_"))
        start = time.perf_counter()
        plan = plan_new_model(layout, NewModelRequest(like, name, modular=True))
        plan.changes.write()
        seconds = time.perf_counter() - start
        layout = RepoLayout.discover(arguments.tree)
        folder = layout.models_dir / plan.new.folder
        modular = folder / f"modular_{plan.new.folder}.py"
        modular_report = check(layout, expander_for(layout), [modular])
        new_files = sorted(folder.glob("*.py")) + sorted(
            (layout.tests_dir / "models" / plan.new.folder).glob("*.py")
        )
        copies = CopyChecker(layout, use_cache=False).check(new_files)
        smoke = run_smoke(layout, [plan.new.model_type], python=arguments.python)[0]
        original = originals.get(like)
        if smoke.status != original:
            original = run_smoke(layout, [like], python=arguments.python)[0].status
        row = {
            "like": like,
            "kind": KINDS.get(like, ""),
            "new": plan.new.model_type,
            "modular_lines": len(modular.read_text().splitlines()),
            "generated_lines": sum(
                len((folder / n).read_text().splitlines())
                for n in (p.name for p in folder.glob("*.py"))
                if n.startswith(("modeling_", "configuration_"))
            ),
            "new_seconds": round(seconds, 1),
            "check_modular_findings": len(modular_report.findings),
            "check_copies_findings": len(copies.findings),
            "smoke_new": smoke.status,
            "smoke_original": original,
            "smoke_error": smoke.error,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    same = sum(row["smoke_new"] == row["smoke_original"] for row in rows)
    print(
        f"{len(rows)} models; smoke verdict equal to the original's: {same}/{len(rows)}; "
        f"check-modular clean: {sum(r['check_modular_findings'] == 0 for r in rows)}; "
        f"check-copies clean: {sum(r['check_copies_findings'] == 0 for r in rows)}"
    )
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
