"""The zoo benchmark's summary counts every verdict (finding included) and each finding kind, from the report's
one grouping of verdicts."""

import importlib.util
from argparse import Namespace
from pathlib import Path

from modelgen.smoke.runner import ModelResult

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "smoke_zoo.py"


def _smoke_zoo():
    spec = importlib.util.spec_from_file_location("smoke_zoo", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _finding(model_type: str, kind: str) -> ModelResult:
    entry = {"name": f"{model_type}Model", "status": "finding", "failed_checks": [], "error": None,
             "findings": [{"check": "init", "kind": kind, "message": "m"}]}
    return ModelResult(model_type, "finding", classes=[entry], seconds=1.0)


def test_zoo_summary_counts_findings_and_kinds():
    results = [ModelResult("a", "pass", seconds=1.0), _finding("b", "init:no-post-init"),
               _finding("c", "random-in-eval"), _finding("d", "random-in-eval"),
               ModelResult("e", "skip", error="import: missing"), ModelResult("f", "fail", error="build: boom")]
    summary = _smoke_zoo()._summary(Namespace(version="x", jobs=1), results, 1.0, None)
    assert {verdict: summary[verdict] for verdict in ("pass", "skip", "finding", "fail")} == {
        "pass": 1, "skip": 1, "finding": 3, "fail": 1}
    assert summary["findings_by_kind"] == {"init:no-post-init": 1, "random-in-eval": 2}
    assert summary["fails_by_check"] == {"build": 1}
    assert summary["pass"] + summary["skip"] + summary["finding"] + summary["fail"] == summary["models"]
