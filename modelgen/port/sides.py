"""What ORIGINAL and PORT name: a saved trace, a saved model folder of the repository, or `module:function`."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from modelgen.port.trace import Trace, is_trace_file, load_trace

DEFAULT_TOKEN_IDS = [0, 4, 5, 2, 3, 7, 9]


@dataclass
class Side:
    spec: str
    trace: Trace | None = None
    model: Any = None
    mapping_report: dict[str, Any] | None = None


def add_paths(paths: tuple[str, ...]) -> None:
    for path in reversed(paths):
        resolved = str(Path(path).resolve())
        if resolved not in sys.path:
            sys.path.insert(0, resolved)


def import_function(spec: str, what: str):
    module_name, _, function_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise click.UsageError(f"{what} {spec!r}: cannot import {module_name}: {error}") from error
    function = getattr(module, function_name, None)
    if not callable(function):
        raise click.UsageError(f"{what} {spec!r}: {module_name} has no function {function_name!r}")
    return function


def resolve_side(spec: str, what: str, load_layout) -> Side:
    path = Path(spec)
    if path.is_file():
        if not is_trace_file(path):
            raise click.UsageError(f"{what} {spec!r} is a file but not a modelgen trace")
        return Side(spec, trace=load_trace(path))
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise click.UsageError(f"{what} {spec!r}: a model folder needs a config.json")
        return Side(spec, model=load_saved_model(path, load_layout()), mapping_report=_report(path))
    if ":" in spec:
        model = import_function(spec, what)()
        import torch

        if not isinstance(model, torch.nn.Module):
            raise click.UsageError(f"{what} {spec!r} returned {type(model).__name__}, not an nn.Module")
        return Side(spec, model=model)
    raise click.UsageError(f"{what} {spec!r}: give a trace file, a saved model folder or module:function")


def load_saved_model(folder: Path, layout):
    from modelgen.port.library import import_library

    library = import_library(layout)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    architectures = config.get("architectures") or []
    if not architectures or not hasattr(library, architectures[0]):
        raise click.UsageError(f"{folder}/config.json names no class of {layout.package} in `architectures`")
    return getattr(library, architectures[0]).from_pretrained(str(folder))


def _report(folder: Path) -> dict[str, Any] | None:
    from modelgen.port.convert import MAPPING_REPORT

    path = folder / MAPPING_REPORT
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def model_inputs(spec: str | None, side: str) -> tuple[tuple, dict]:
    """Positional and keyword arguments for one side (`original` or `port`)."""
    import torch

    if spec is None:
        return (torch.tensor([DEFAULT_TOKEN_IDS]),), {}
    value = import_function(spec, "--inputs")()
    if isinstance(value, dict) and set(value) <= {"original", "port"} and value:
        if side not in value:
            raise click.UsageError(f"--inputs {spec}: no entry for the {side} side")
        value = value[side]
    if isinstance(value, dict):
        return (), value
    if isinstance(value, list):
        return tuple(value), {}
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict):
        return tuple(value[0]), value[1]
    if isinstance(value, tuple):
        return value, {}
    raise click.UsageError(f"--inputs {spec}: return a list of arguments, a dict of keyword arguments, "
                           "(args, kwargs), or {'original': ..., 'port': ...}")
