"""Smoke results as a table for people, JSON for tools, or GitHub workflow annotations.

No click at import time: `modelgen.smoke.batch` renders JSON on machines without modelgen's CLI dependencies.
"""

from __future__ import annotations

import json
from collections import Counter

from modelgen.smoke.runner import ModelResult
from modelgen.smoke.verdicts import FINDING_KINDS, VERDICTS, verdict_entries

_COLUMNS = ("model", "class", "status", "params", "ms", "memory")


def render_json(results: list[ModelResult], extra: dict | None = None) -> str:
    """`{"models": [...]}` as before, plus `summary` (models per verdict, entries per verdict and kind) and
    `verdicts` (every non-pass entry: model, class, check, kind, verdict, message); `extra` adds top-level keys
    (the baseline comparison)."""
    entries = [entry for result in results
               for entry in verdict_entries(result.model_type, result.status, result.classes, result.error)]
    document = {"models": [result.as_dict() for result in results], "summary": summary_counts(results),
                "verdicts": entries, **(extra or {})}
    return json.dumps(document, indent=2, default=str)


def summary_counts(results: list[ModelResult]) -> dict:
    entries = [entry for result in results
               for entry in verdict_entries(result.model_type, result.status, result.classes, result.error)]
    return {"models": {verdict: sum(result.status == verdict for result in results) for verdict in VERDICTS},
            "findings_by_kind": dict(sorted(Counter(entry["kind"] for entry in entries
                                                    if entry["verdict"] == "finding").items())),
            "fails_by_check": dict(sorted(Counter(entry["check"] for entry in entries
                                                  if entry["verdict"] == "fail").items()))}


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
    grouped = summary_counts(results)
    counts, kinds = grouped["models"], grouped["findings_by_kind"]
    line = (f"{len(results)} models: {counts['pass']} pass, {counts['fail']} fail, {counts['finding']} finding, "
            f"{counts['skip']} skip")
    return line + (f" (findings: {', '.join(f'{kind} {count}' for kind, count in kinds.items())})" if kinds else "")


def _findings(results: list[ModelResult]) -> list[str]:
    """Every non-pass verdict, grouped: fails by check, findings by kind, then skips; then the warnings."""
    full_sizes = {(result.model_type, entry["name"]): entry.get("full_size") for result in results
                  for entry in result.classes}
    entries = [entry for result in results
               for entry in verdict_entries(result.model_type, result.status, result.classes, result.error)]
    lines = []
    for verdict, group_by in (("fail", "check"), ("finding", "kind"), ("skip", None)):
        chosen = [entry for entry in entries if entry["verdict"] == verdict]
        if not chosen:
            continue
        lines.append(f"{verdict} ({len(chosen)}):")
        groups = sorted({entry[group_by] for entry in chosen}) if group_by else [None]
        for group in groups:
            members = [entry for entry in chosen if group_by is None or entry[group_by] == group]
            indent = "  "
            if group is not None:
                meaning = f" - {FINDING_KINDS[group]}" if group in FINDING_KINDS else ""
                lines.append(f"  {group} ({len(members)}){meaning}:")
                indent = "    "
            for entry in members:
                full_size = full_sizes.get((entry["model"], entry["class"])) if verdict == "fail" else None
                where = entry["model"] if entry["class"] == "-" else f"{entry['model']} {entry['class']}"
                lines.append(f"{indent}{where}: {entry['message']}{_full_size(full_size)}")
    for result in results:
        for entry in result.classes:
            lines += [f"{result.model_type} {entry['name']}: warning: {warning}" for warning in entry.get("warnings", [])]
    return lines


def _full_size(full_size: str | None) -> str:
    """Whether the full-size default config fails the same way (a defect of the model, not of the tiny config)."""
    return f" (full size: {full_size})" if full_size else ""


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else f"{value:.1f}"


def _megabytes(value) -> str:
    return "" if value is None else f"{value:.0f} MB"
