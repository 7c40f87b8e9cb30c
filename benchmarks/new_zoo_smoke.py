"""Smoke the models `benchmarks/new_zoo.py` generated, for the models whose original passes smoke.

The whole-zoo smoke of every generated model takes longer than a shared 2-core machine allows in one
sitting; the measure that matters is "of the models whose original passes smoke, how many copies pass".
This reads the originals' results from a smoke run on the pristine tree (`benchmarks/smoke_zoo.py` output:
a JSON report or a JSONL of per-model results), smokes the copies of the passing ones, appends each result
to a JSONL as it comes (so a run cut short still counts), and re-smokes the original of every copy that
fails, in the scratch tree, to confirm the original still passes there.

    python benchmarks/new_zoo_smoke.py --tree /tmp/zoo-446 --originals benchmarks/results/smoke_4.46.3.json \
        --out /tmp/zoo-446-smoke.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from modelgen.repo import RepoLayout
from modelgen.scaffold.naming import snake_case
from modelgen.smoke.runner import run_smoke


def original_results(path: Path) -> dict[str, str]:
    text = path.read_text()
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        rows = json.loads(text)["models"]
    return {row["model_type"]: row["status"] for row in rows}


def zoo_type(folder: str) -> str:
    return snake_case("Zoo" + "".join(part[:1].upper() + part[1:] for part in folder.split("_")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--originals", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--python", default=None)
    arguments = parser.parse_args()
    layout = RepoLayout.discover(arguments.tree)
    done = {json.loads(line)["model"] for line in arguments.out.read_text().splitlines()} if arguments.out.exists() else set()
    passing = [model for model, status in original_results(arguments.originals).items() if status == "pass"]
    todo = [model for model in passing if zoo_type(model) in layout.model_types and model not in done]
    print(f"{len(passing)} originals pass; {len(done)} copies already smoked; {len(todo)} to go", flush=True)
    by_type = {zoo_type(model): model for model in todo}

    def record(done_count, total, result):
        model = by_type[result.model_type]
        row = {"model": model, "new": result.status, "error": result.error}
        if result.status != "pass":
            original = run_smoke(layout, [model], python=arguments.python)[0]
            row.update(original=original.status, original_error=original.error)
        with arguments.out.open("a") as stream:
            stream.write(json.dumps(row) + "\n")
        print(f"[{done_count}/{total}] {model}: {row['new']} {row.get('original', '')} {(result.error or '')[:160]}",
              flush=True)

    run_smoke(layout, list(by_type), jobs=arguments.jobs, python=arguments.python, progress=record)
    rows = [json.loads(line) for line in arguments.out.read_text().splitlines()]
    broken = [row["model"] for row in rows if row["new"] != "pass" and row.get("original") == "pass"]
    print(json.dumps({"smoked": len(rows), "pass": sum(row["new"] == "pass" for row in rows),
                      "copy_fails_original_passes": broken}), flush=True)


if __name__ == "__main__":
    main()
