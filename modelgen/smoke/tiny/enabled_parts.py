"""Run a model class that reads a sub-config its config builds only behind a flag on a tiny config with it on.

ESMFold's `EsmForProteinFolding.__init__` reads `config.esmfold_config.trunk`, a sub-config `EsmConfig` builds
only when `is_folding_model=True` (None otherwise): the class runs on the tiny config derived with that flag set,
so the sub-config is shrunk like any other. Keyed on the class's own `__init__` source and the config's flags.
Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
from collections.abc import Callable
from typing import Any


def sub_configs_read(model_class: type, config) -> list[str]:
    """Attributes of the config that the class's own `__init__` reads into (`config.X.Y`, `self.config.X.Y`)
    while the config holds None there."""
    init = vars(model_class).get("__init__")
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):
        return []
    names = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)):
            continue
        holder = node.value.value  # `config` or `self.config`
        if ((isinstance(holder, ast.Name) and holder.id == "config")
                or (isinstance(holder, ast.Attribute) and holder.attr == "config")):
            name = node.value.attr
            if name not in names and hasattr(config, name) and getattr(config, name) is None:
                names.append(name)
    return names


def enabling_flags(config_class: type, config, names: list[str]) -> dict[str, bool]:
    """{flag: True} for the first boolean the config holds False that, set, makes it build every one of `names` as
    a config the shrinking reaches."""
    for flag, value in vars(config).items():
        if value is not False or flag.startswith("_"):
            continue
        try:
            enabled = config_class(**{flag: True})
        except Exception:  # noqa: BLE001, S112 - a flag the config refuses alone
            continue
        values = [getattr(enabled, name, None) for name in names]
        if all(value is not None for value in values) and any(_is_config(value) for value in values):
            return {flag: True}
    return {}


def _is_config(value: Any) -> bool:
    """A config, or a plain dataclass of sizes (4.x ESMFold's), which the shrinking reaches too."""
    return ((hasattr(value, "to_dict") and hasattr(type(value), "model_type") and hasattr(value, "to_json_string"))
            or (dataclasses.is_dataclass(value) and not isinstance(value, type)))


def with_enabled_sub_configs(model_class: type, config, overrides: dict[str, Any],
                             derive: Callable[..., tuple[Any, dict[str, Any]]]) -> tuple[Any, dict[str, bool]]:
    """(config for the class, the flags set): the tiny config derived again with the enabling flags on
    (`derive`: `tiny_config.tiny_config`), or `config` itself when the class reads no missing sub-config."""
    names = sub_configs_read(model_class, config)
    flags = enabling_flags(type(config), config, names) if names else {}
    if not flags:
        return config, {}
    try:
        return derive(type(config), {**flags, **overrides}, enabled=flags)[0], flags
    except Exception:  # noqa: BLE001 - the class then fails on the plain config, as the model's own finding
        return config, {}
