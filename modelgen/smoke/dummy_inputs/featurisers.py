"""Inputs that a model's own package featurises from a sequence, for forwards whose required inputs come from
structure featurisation rather than a tokenizer (ESMFold 2's `prepare_protein_features`: token, chain, bond and
reference-atom features, which its forward takes partly bundled in a dataclass, `atom_inputs`).

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable
from typing import Any

import torch

SEQUENCE = "MKTAYIAKQR"  # ten letters of the one-letter alphabet proteins share with text


def featurised_builders(model: torch.nn.Module, parameters: dict[str, inspect.Parameter],
                        unbuilt: list[str]) -> dict[str, Callable[[], Any]]:
    """Builders of every forward argument a featuriser of the model's package (a public `prepare_*features`
    function taking a `sequence`) returns, directly or as the fields of a dataclass the argument is annotated
    with, where those cover the `unbuilt` required arguments; {} otherwise. Each call builds fresh tensors."""
    for features in _featurised(model):
        builders = {name: _cloned(features, name, parameter.annotation) for name, parameter in parameters.items()}
        builders = {name: builder for name, builder in builders.items() if builder is not None}
        if all(name in builders for name in unbuilt):
            return builders
    return {}


def _featurised(model: torch.nn.Module):
    """The feature dicts of the featurisers in the package of the model's class, called on `SEQUENCE`."""
    package = type(model).__module__.rpartition(".")[0]
    path = getattr(sys.modules.get(package), "__path__", None)
    for module_info in pkgutil.iter_modules(path or []):
        try:
            module = importlib.import_module(f"{package}.{module_info.name}")
        except Exception:  # noqa: BLE001, S112 - a processor module whose optional dependency is missing
            continue
        for name, function in vars(module).items():
            if not (name.startswith("prepare_") and name.endswith("features") and inspect.isfunction(function)
                    and function.__module__ == module.__name__ and _takes_a_sequence(function)):
                continue
            try:
                features = function(SEQUENCE)
            except Exception:  # noqa: BLE001, S112 - a featuriser that needs more than a sequence
                continue
            if isinstance(features, dict):
                yield features


def _takes_a_sequence(function: Callable) -> bool:
    parameters = list(inspect.signature(function).parameters.values())
    required = [parameter for parameter in parameters if parameter.default is inspect.Parameter.empty]
    return bool(parameters) and parameters[0].name == "sequence" and len(required) == 1


def _cloned(features: dict[str, Any], name: str, annotation: Any) -> Callable[[], Any] | None:
    value = features.get(name)
    if isinstance(value, torch.Tensor):
        return value.clone
    if inspect.isclass(annotation) and dataclasses.is_dataclass(annotation):
        fields = [field.name for field in dataclasses.fields(annotation) if field.init]
        if fields and all(isinstance(features.get(field), torch.Tensor) for field in fields):
            return lambda: annotation(**{field: features[field].clone() for field in fields})
    return None
