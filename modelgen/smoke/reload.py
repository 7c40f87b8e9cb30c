"""Reload a saved model with the same kernel choices per sub-model as the built one (the save_load check).

The choices (`_attn_implementation`, `_experts_implementation`) are not saved in `config.json`: a reload picks them
anew, and one forced string applies to every sub-model (a Mask2Former built with an eager decoder over an SDPA Swin
backbone reloads all eager when given `attn_implementation="eager"`, and SDPA and eager attention round
differently). The weights' memory is the other difference (`checks._own_memory`).

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

from typing import Any

_CHOICES = ("_attn_implementation", "_experts_implementation")


def implementations(model) -> dict[str, tuple[Any, ...]]:
    """The kernel choices of every sub-model, by module path."""
    choices = {}
    for path, module in model.named_modules():
        config = getattr(module, "config", None)
        if config is not None and hasattr(config, "to_dict"):
            choices[path] = tuple(_choice(config, name) for name in _CHOICES)
    return choices


def _choice(config, name: str) -> Any:
    try:
        return getattr(config, name, None)
    except Exception:  # noqa: BLE001 - a property that cannot answer is no choice
        return None


def load_like(model, model_class, folder: str):
    """(loaded model, loading info, None or what still differs): `from_pretrained` as a user calls it and, where a
    sub-model picked another kernel than the built one, again with the saved config carrying the built model's
    choices (each sub-config's own)."""
    loaded, info = model_class.from_pretrained(folder, output_loading_info=True)
    wanted = implementations(model)
    if implementations(loaded) == wanted:
        return loaded, info, None
    try:
        config = type(model.config).from_pretrained(folder)
        _copy_choices(model.config, config)
        retried, retried_info = model_class.from_pretrained(folder, config=config, output_loading_info=True)
    except Exception:  # noqa: BLE001 - a choice the reload refuses: compare the plain reload, noting the difference
        retried = None
    if retried is not None and implementations(retried) == wanted:
        return retried, retried_info, None
    got = implementations(loaded)
    differing = [f"{path or 'model'}: {wanted[path]} -> {got.get(path)}" for path in wanted
                 if got.get(path) != wanted[path]]
    return loaded, info, f"kernel choices differ after reload ({'; '.join(differing[:3])})"


def _copy_choices(source, target, depth: int = 4) -> None:
    """The private kernel-choice attributes (`_attn_implementation_internal`, 4.x's `_attn_implementation_autoset`)
    of a config and of its sub-configs, onto the same places of another config."""
    for name, value in vars(source).items():
        if name.startswith("_") and "_implementation" in name:
            target.__dict__[name] = value
        elif depth and hasattr(value, "to_dict") and hasattr(getattr(target, name, None), "to_dict"):
            _copy_choices(value, getattr(target, name), depth - 1)

