"""Smoke results as a table for people, JSON for tools, or GitHub workflow annotations.

No click at import time: `modelgen.smoke.batch` renders JSON on machines without modelgen's CLI dependencies.
"""

from __future__ import annotations

import json

from modelgen.smoke.runner import ModelResult

_COLUMNS = ("model", "class", "status", "params", "ms", "memory")


def render_json(results: list[ModelResult]) -> str:
    return json.dumps({"models": [result.as_dict() for result in results]}, indent=2, default=str)


def render_text(results: list[ModelResult]) -> str:
    rows = []
    for result in results:
        if not result.classes:
            rows.append((result.model_type, "-", result.status, "", "", ""))
        for entry in result.classes:
            rows.append((result.model_type, entry["name"], entry["status"], _number(entry.get("params")),
                         _number(entry.get("forward_ms")), _megabytes(entry.get("memory_mb"))))
    widths = [max(len(str(row[index])) for row in (_COLUMNS, *rows)) for index in range(len(_COLUMNS))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in (_COLUMNS, *rows)]
    problems = _findings(results)
    if problems:
        lines += ["", *problems]
    configs = [f"{result.model_type}: {json.dumps(result.config, default=str)}" for result in results if result.config]
    if configs:
        lines += ["", "tiny configs:", *configs]
    lines += ["", summary(results)]
    return "\n".join(lines)


def render_github(results: list[ModelResult], modeling_paths: dict[str, str]) -> str:
    from modelgen.reporting import github_annotation

    annotations = []
    for result in results:
        if result.status != "fail":
            continue
        path = modeling_paths.get(result.model_type, result.model_type)
        failing = [entry for entry in result.classes if entry["status"] == "fail"]
        if not failing:
            annotations.append(github_annotation(path, 1, result.error or "failed", f"smoke {result.model_type}"))
        for entry in failing:
            annotations.append(github_annotation(path, 1, entry["error"] or "failed", f"smoke {entry['name']}"))
    return "\n".join([*annotations, summary(results)])


def summary(results: list[ModelResult]) -> str:
    counts = {status: sum(result.status == status for result in results) for status in ("pass", "fail", "skip")}
    return f"{len(results)} models: {counts['pass']} pass, {counts['fail']} fail, {counts['skip']} skip"


def _findings(results: list[ModelResult]) -> list[str]:
    lines = []
    for result in results:
        if result.status == "pass":
            continue
        entries = [entry for entry in result.classes if entry["status"] != "pass"]
        if not entries:
            lines.append(f"{result.model_type}: {result.status}: {result.error}")
        lines += [f"{result.model_type} {entry['name']}: {entry['status']}: {entry['error']}{_full_size(entry)}"
                  for entry in entries]
    for result in results:
        for entry in result.classes:
            lines += [f"{result.model_type} {entry['name']}: warning: {warning}" for warning in entry.get("warnings", [])]
    return lines


def _full_size(entry: dict) -> str:
    """Whether the full-size default config fails the same way (a defect of the model, not of the tiny config)."""
    return f" (full size: {entry['full_size']})" if entry.get("full_size") else ""


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else f"{value:.1f}"


def _megabytes(value) -> str:
    return "" if value is None else f"{value:.0f} MB"
