"""Probe a tiny model on meta for rotary embeddings wider than the heads they rotate, and use fewer, wider heads.

A rotary size the modeling floors at a constant (CLVP's `max(projection_dim // (heads * 2), 32)`) no config field
names; the shrunk head size (8) falls below it. Where a module's frequency table (`inv_freq`) covers more dimensions
than the head size of the config of the nearest module holding one, that config gets `hidden_size // rotary` heads.
Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import copy
from typing import Any

import torch


def fit_rotary_heads(model_classes: list[type], config, changes: dict[str, Any]) -> None:
    """Fewer heads set in place on `config` and its sub-configs where a model class built from `config` rotates
    more dimensions than a head has, and recorded in `changes` (nested for sub-configs, as the report shows them)."""
    for model_class in model_classes:
        probed = copy.deepcopy(config)  # building a model writes its attention choice into the config it gets
        try:
            with torch.device("meta"):
                model = model_class(probed)
        except Exception:  # noqa: BLE001, S112 - a probe: what cannot be built on meta is left as it is
            continue
        for holder, rotary in _rotary_sizes(model):
            heads = _fewer_heads(holder, rotary)
            path = _path(probed, holder)
            if heads is not None and path is not None:
                holder = config if path == "" else getattr(config, path)
                holder.num_attention_heads = heads
                kv_heads = getattr(holder, "num_key_value_heads", None)
                if isinstance(kv_heads, int) and not isinstance(kv_heads, bool) and kv_heads > heads:
                    holder.num_key_value_heads = heads
                report = changes.setdefault(path, {}) if path else changes
                if isinstance(report, dict):
                    report["num_attention_heads"] = heads


def _rotary_sizes(model: torch.nn.Module) -> list[tuple[Any, int]]:
    """(config of the nearest module holding one, rotated dimensions) for each rotary frequency table."""
    found = []
    holders: dict[str, Any] = {}
    for name, module in model.named_modules():
        own = getattr(module, "config", None)
        if hasattr(own, "to_dict"):
            holders[name] = own
        frequencies = module._buffers.get("inv_freq") if isinstance(module._buffers, dict) else None
        if isinstance(frequencies, torch.Tensor) and frequencies.dim() == 1:
            owner = max((prefix for prefix in holders if _within(name, prefix)), key=len, default=None)
            if owner is not None:
                found.append((holders[owner], 2 * frequencies.numel()))
    return found


def _within(name: str, prefix: str) -> bool:
    return prefix == "" or name == prefix or name.startswith(f"{prefix}.")


def _fewer_heads(holder, rotary: int) -> int | None:
    """The head count giving heads of `rotary` dimensions, where the current heads are narrower and the width
    splits into such heads; None otherwise (a config that names its `head_dim` keeps it)."""
    heads, width = getattr(holder, "num_attention_heads", None), getattr(holder, "hidden_size", None)
    if _declares_rotary_width(holder):
        return None
    if getattr(holder, "head_dim", None) is not None or not all(
            isinstance(value, int) and not isinstance(value, bool) and value > 0 for value in (heads, width)):
        return None
    if width // heads >= rotary or width % rotary:
        return None
    return width // rotary


def _declares_rotary_width(holder) -> bool:
    """A config that names its rotary width (`partial_rotary_factor`, EfficientLoFTR's 2-D rope spanning four
    heads) sized the table itself: the heads it has are the ones the modeling expects."""
    parameters = getattr(holder, "rope_parameters", None) or getattr(holder, "rope_scaling", None) or {}
    factor = parameters.get("partial_rotary_factor") if isinstance(parameters, dict) else None
    return (factor or getattr(holder, "partial_rotary_factor", None)) is not None


def _path(config, holder) -> str | None:
    """"" for the config itself, the name of the sub-config attribute holding `holder`; None if it is a copy."""
    if holder is config:
        return ""
    return next((name for name, value in vars(config).items() if value is holder), None)
