"""`--set KEY=VALUE` checked against the config before anything is built: a typo is the user's error, not the model's.

A key must be a field of the config (an attribute of its default instance or an argument of its `__init__`), or
dotted into a sub-config that has it (`text_config.hidden_size`). A value must have the type of the default: an
integer for an integer, a number for a float, true/false for a flag, a list for a list; a default of None takes
anything. The first problem is returned as one line.

Standard library only at import time: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import inspect
from typing import Any

_MISSING = object()


def override_problem(config, overrides: dict[str, Any], label: str) -> str | None:
    """The first `--set` problem against `config` (an instance, the full-size default where it builds), or None."""
    for key, value in overrides.items():
        problem = _problem(config, key.split("."), value, label)
        if problem is not None:
            return f"--set {key}={_shown(value)}: {problem}"
    return None


def _problem(config, parts: list[str], value: Any, label: str) -> str | None:
    head, rest = parts[0], parts[1:]
    default = _field(config, head)
    if default is _MISSING and rest and not head.endswith("_config"):
        default = _field(config, f"{head}_config")  # `vision.X` names `vision_config`, as the composites take it
    if default is _MISSING:
        return f"{type(config).__name__} has no field {head!r} ({label})"
    if rest:
        if not hasattr(default, "to_dict"):
            return f"{type(config).__name__}.{head} is not a sub-config, so it has no {'.'.join(rest)!r}"
        return _problem(default, rest, value, label)
    expected = _expected_type(default)
    if expected is not None and not expected[0](value):
        return f"expected {expected[1]} (the default is {_shown(default)})"
    return None


def _field(config, name: str) -> Any:
    if name in getattr(config, "__dict__", {}):
        return config.__dict__[name]
    try:
        parameters = inspect.signature(type(config).__init__).parameters
    except (TypeError, ValueError):
        parameters = {}
    if name in parameters and parameters[name].default is not inspect.Parameter.empty:
        return parameters[name].default
    try:
        return getattr(config, name)
    except Exception:  # noqa: BLE001 - a property that cannot answer, or no such field
        return _MISSING


def _expected_type(default: Any):
    """(test, description) for the type of a default; None where any value goes (a default of None)."""
    if default is None:
        return None
    if isinstance(default, bool):
        return (lambda value: isinstance(value, bool)), "true or false"
    if isinstance(default, int):
        return (lambda value: isinstance(value, int) and not isinstance(value, bool)), "an integer"
    if isinstance(default, float):
        return (lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)), "a number"
    if isinstance(default, str):
        return (lambda value: isinstance(value, str)), "a string"
    if isinstance(default, (list, tuple)):
        return (lambda value: isinstance(value, list)), "a list"
    if isinstance(default, dict) or hasattr(default, "to_dict"):
        return (lambda value: isinstance(value, dict)), "an object"
    return None


def _shown(value: Any) -> str:
    import json

    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
