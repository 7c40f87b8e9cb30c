"""Whole-zoo run of `new --like`: every PyTorch model of a pinned tree is copied into one scratch tree.

For each model M with a PyTorch modeling file, `new --like M --name Zoo<M>` runs (in process, through the
same plan the CLI uses) on a scratch copy of the tree. Then:
  * `modelgen check-copies --format json` must report nothing;
  * no copy may export a name that an original package exports (it would shadow it at `transformers.<Name>`);
  * the tree's original models must still import (every original model package and its modeling modules,
    plus the top-level lazy names of the auto mappings) in a subprocess;
  * `modelgen smoke` runs on every new model, and on the originals of those that fail (to tell a broken
    copy from a model whose original already fails smoke); `--smoke-originals` runs every original too.

    python benchmarks/new_zoo.py 4.46.3 --dest /tmp/zoo-446 --jobs 2 --report /tmp/zoo-446.json
    python benchmarks/new_zoo.py 5.23.0 --dest /tmp/zoo-523 --python .venv-523/bin/python

Numbers are noisy on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import time
import traceback
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout
from modelgen.scaffold.plan import NewModelRequest, plan_new_model
from modelgen.smoke.runner import pytorch_model_types, run_smoke
from modelgen.trees import pristine_tree, scratch_copy

IMPORT_CHECK = r"""
import importlib, json, sys, traceback
models = json.loads(sys.argv[1])
failures = {}
import transformers
for model in models:
    try:
        package = importlib.import_module(f"transformers.models.{model}")
        for name in getattr(package, "_import_structure", {}) or {}:
            if name.startswith("modeling_") and not name.startswith(("modeling_tf_", "modeling_flax_")):
                importlib.import_module(f"transformers.models.{model}.{name}")
    except Exception as error:
        failures[model] = f"{type(error).__name__}: {error}"[:300]
from transformers.models.auto import modeling_auto, configuration_auto
names = sorted({value for mapping in (modeling_auto.MODEL_MAPPING_NAMES, configuration_auto.CONFIG_MAPPING_NAMES)
                for value in mapping.values() if isinstance(value, str)})
for name in names:
    try:
        getattr(transformers, name)
    except Exception as error:
        failures[f"transformers.{name}"] = f"{type(error).__name__}: {error}"[:300]
print(json.dumps({"checked_models": len(models), "checked_names": len(names), "failures": failures}))
"""


def import_check(python: str, src: Path, models: list[str]) -> dict:
    environment = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
                   "PYTHONDONTWRITEBYTECODE": "1"}  # never write into the pristine tree
    result = subprocess.run([python, "-c", IMPORT_CHECK, json.dumps(models)], capture_output=True, text=True,
                            env=environment)
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return {"exit": result.returncode, "stderr": result.stderr[-3000:]}


def package_exports(package: Path) -> set[str]:
    """The names a model package exports: its modules' `__all__`, a 4.x `__init__`'s `_import_structure`."""
    names: set[str] = set()
    for path in package.glob("*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _lists_exports(node, path.name == "__init__.py"):
                names |= {item.value for item in ast.walk(node.value)
                          if isinstance(item, ast.Constant) and isinstance(item.value, str)}
    return names


def _lists_exports(node: ast.Assign, is_init: bool) -> bool:
    """`__all__`; in an `__init__` also `_import_structure = {...}` and `_import_structure[m] = [...]`."""
    target = node.targets[0]
    if isinstance(target, ast.Name):
        return target.id == "__all__" or (is_init and target.id == "_import_structure"
                                          and isinstance(node.value, ast.Dict))
    return is_init and isinstance(target, ast.Subscript) and isinstance(node.value, ast.List)


def shadowing_exports(models_dir: Path) -> dict[str, list[str]]:
    """Copy (`zoo_*`) -> the names it exports that an original package exports too (collateral damage)."""
    packages = sorted(path for path in models_dir.iterdir() if path.is_dir())
    original = set().union(*(package_exports(path) for path in packages if not path.name.startswith("zoo_")))
    copies = [path for path in packages if path.name.startswith("zoo_")]
    shared = {path.name: sorted(package_exports(path) & original) for path in copies}
    return {name: names for name, names in shared.items() if names}


def zoo_name(folder: str) -> str:
    return "Zoo" + "".join(part[:1].upper() + part[1:] for part in folder.split("_"))


def generate_all(root: Path, models: list[str]) -> tuple[dict[str, str], dict[str, float], dict[str, int]]:
    failures, seconds, unmarked = {}, {}, {}
    for index, model in enumerate(models, 1):
        start = time.perf_counter()
        try:
            plan = plan_new_model(RepoLayout.discover(root), NewModelRequest(model, zoo_name(model)))
            plan.changes.write()
            unmarked[model] = len(plan.unmarked)
            if plan.dropped_exports:
                print(f"  {model}: not exported (the tree has them): {', '.join(plan.dropped_exports)}",
                      flush=True)
        except ModelgenError as error:
            failures[model] = f"ModelgenError: {error}"
        except Exception as error:  # a crash is a finding of this benchmark, not a reason to stop it
            failures[model] = f"{type(error).__name__}: {error} | {traceback.format_exc(limit=-2)[-400:]}"
        seconds[model] = time.perf_counter() - start
        print(f"[{index}/{len(models)}] {model}: {'FAIL ' + failures[model][:150] if model in failures else 'ok'} "
              f"({seconds[model]:.1f}s)", flush=True)
    return failures, seconds, unmarked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("version")
    parser.add_argument("--dest", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--python", default=None, help="interpreter whose packages match the tree (smoke, imports)")
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--smoke-originals", action="store_true")
    parser.add_argument("--skip-smoke", action="store_true")
    parser.add_argument("--report", type=Path, default=None)
    arguments = parser.parse_args()
    python = arguments.python or sys.executable

    root = scratch_copy(arguments.version, arguments.dest)
    layout = RepoLayout.discover(root)
    models = arguments.models or pytorch_model_types(layout)
    report: dict = {"version": arguments.version, "models": len(models)}

    start = time.perf_counter()
    failures, seconds, unmarked = generate_all(root, models)
    report["generate"] = {"seconds": time.perf_counter() - start, "failures": failures,
                          "unmarked_definitions": sum(unmarked.values()),
                          "unmarked_by_model": {model: count for model, count in unmarked.items() if count},
                          "slowest": sorted(seconds.items(), key=lambda item: -item[1])[:5]}
    generated = [model for model in models if model not in failures]

    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "modelgen", "check-copies", "--repo", str(root), "--format",
                             "json", "--no-cache"], capture_output=True, text=True)
    try:
        copies = json.loads(result.stdout)
        report["check_copies"] = {"exit": result.returncode, "checked": copies["checked"],
                                  "findings": copies["findings"][:50], "finding_count": len(copies["findings"]),
                                  "seconds": time.perf_counter() - start}
    except json.JSONDecodeError:
        report["check_copies"] = {"exit": result.returncode, "stderr": result.stderr[-2000:]}
    print("check-copies:", {key: value for key, value in report["check_copies"].items() if key != "findings"}, flush=True)

    shadowing = shadowing_exports(layout.models_dir)
    report["shadowing_exports"] = {"copies": len(shadowing), "names": sum(map(len, shadowing.values())),
                                   "by_copy": shadowing}
    print("copies exporting an original's name:", len(shadowing), json.dumps(shadowing)[:1500], flush=True)

    originals = [model for model in RepoLayout.discover(root).model_types if not model.startswith("zoo_")]
    after = import_check(python, layout.package_dir.parent, originals)
    before = import_check(python, pristine_tree(arguments.version) / "src", originals)
    if "failures" not in after:  # the check itself crashed: importing the tree failed
        new_failures = {"<import transformers>": after.get("stderr", "")[-1500:]}
    else:
        new_failures = {key: value for key, value in after["failures"].items()
                        if key not in before.get("failures", {})}
    report["originals_import"] = {"after": after, "pristine": before, "new_failures": new_failures}
    print("originals import: new failures", json.dumps(new_failures)[:1500],
          "| failing in the pristine tree too:", len(before.get("failures", {})), flush=True)

    if not arguments.skip_smoke:
        layout = RepoLayout.discover(root)
        new_types = [RepoLayout.discover(root) and _snake(zoo_name(model)) for model in generated]

        def progress(done, total, result):
            print(f"smoke [{done}/{total}] {result.model_type}: {result.status} {(result.error or '')[:150]}",
                  flush=True)

        start = time.perf_counter()
        new_results = run_smoke(layout, new_types, jobs=arguments.jobs, python=arguments.python, progress=progress)
        by_model = dict(zip(generated, new_results))
        failed = [model for model, result in by_model.items() if result.status != "pass"]
        to_check = [m for m in models if arguments.smoke_originals or m in failed]
        original_results = dict(zip(to_check, run_smoke(layout, to_check, jobs=arguments.jobs,
                                                        python=arguments.python, progress=progress)))
        report["smoke"] = {
            "seconds": time.perf_counter() - start,
            "new": {model: result.status for model, result in by_model.items()},
            "failures": {model: {"new": by_model[model].error, "original": original_results[model].status,
                                 "original_error": original_results[model].error} for model in failed},
            "originals": {model: result.status for model, result in original_results.items()},
        }
        passing_originals = [m for m in generated if original_results.get(m) is None or original_results[m].status == "pass"]
        broken = [m for m in failed if original_results[m].status == "pass"]
        report["smoke"]["summary"] = {
            "new_pass": sum(result.status == "pass" for result in new_results),
            "new_total": len(new_results),
            "failed_but_original_passes": broken,
            "rate_among_passing_originals": 1 - len(broken) / max(1, len(passing_originals) + len(failures)),
        }
        print("smoke:", json.dumps(report["smoke"]["summary"]), flush=True)
    if arguments.report:
        arguments.report.write_text(json.dumps(report, indent=2, default=str))


def _snake(name: str) -> str:
    from modelgen.scaffold.naming import snake_case

    return snake_case(name)


if __name__ == "__main__":
    main()
