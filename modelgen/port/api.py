"""The Python API behind `modelgen convert` (and the scripts `new --like` writes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout


@dataclass
class ConversionResult:
    table: list[str]
    problems: list[str]
    files: list[str]


def convert_checkpoint(layout: RepoLayout, rules: Path, source: Path, model_type: str, output: Path | None,
                       *, model_class: str | None = None, config: Path | None = None,
                       overrides: dict[str, Any] | None = None, source_prefix: str | None = None,
                       dtype: str = "float32", max_shard_size: str | int = "5GB",
                       dry_run: bool = False) -> ConversionResult:
    """Convert `source` into `output`; raises `ConversionFailed` with every problem (and writes nothing)."""
    from modelgen.port.convert import (
        ConversionFailed,
        RecordingLookup,
        mapping_table,
        plan_conversion,
        write_conversion,
    )
    from modelgen.port.library import build_config, build_on_meta
    from modelgen.port.library import model_class as find_model_class
    from modelgen.port.operations.dtype import torch_dtype
    from modelgen.port.rules import load_rules
    from modelgen.port.sources import open_source
    from modelgen.port.tensorfile import parse_size

    try:
        max_shard_bytes = parse_size(max_shard_size)
        model_dtype = torch_dtype(dtype)
    except (ValueError, TypeError) as error:
        raise ModelgenError(str(error)) from error
    rule_set = load_rules(rules)
    checkpoint = open_source(source, source_prefix)
    model_config = build_config(layout, model_type, config, overrides or {})
    cls = find_model_class(layout, model_type, model_class)
    model = build_on_meta(cls, model_config, model_dtype)
    lookup = RecordingLookup(lambda name: getattr(model_config, name))
    plan = plan_conversion(rule_set, checkpoint, model, lookup)
    table = mapping_table(plan)
    problems = [problem.format(rules) for problem in plan.problems]
    if dry_run:
        return ConversionResult(table, problems, [])
    if problems:
        error = ConversionFailed(problems)
        error.table = table
        raise error
    if output is None:
        raise ModelgenError("--output is required unless --dry-run")
    files = write_conversion(plan, checkpoint, lookup, model_config, cls, output, max_shard_bytes,
                             {"model_type": model_type, "source": str(source), "rules": str(rules)})
    return ConversionResult(table, [], files)


def reverse_checkpoint(converted: Path, output: Path, max_shard_size: str | int = "5GB") -> list[str]:
    """A converted folder's weights back in the original's key names and layout (bit for bit)."""
    from modelgen.port.convert import write_reverse
    from modelgen.port.tensorfile import parse_size

    try:
        max_shard_bytes = parse_size(max_shard_size)
    except ValueError as error:
        raise ModelgenError(str(error)) from error
    return write_reverse(converted, output, max_shard_bytes)
