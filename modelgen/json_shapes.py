"""Whether JSON data read back (from the result cache) has the shape of the type it is meant to rebuild.

`matches(value, hint)` follows the type hints: `int`, `str`, `bool`, `None`, unions, `list[...]`,
`dict[str, ...]`, dataclasses (a dict of their fields) and named tuples (a list of their fields), so a
new field of a cached dataclass needs no change here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any


def matches(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if hint is Any:
        return True
    if hint is None or hint is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(matches(value, argument) for argument in arguments)
    if origin is list or hint is list:
        return isinstance(value, list) and (not arguments or all(matches(item, arguments[0]) for item in value))
    if origin is dict or hint is dict:
        return isinstance(value, dict) and (
            not arguments or all(matches(k, arguments[0]) and matches(v, arguments[1]) for k, v in value.items())
        )
    if origin is tuple:
        return isinstance(value, list) and len(value) == len(arguments) and all(map(matches, value, arguments))
    if dataclasses.is_dataclass(hint):
        return dataclass_matches(value, hint)
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        return row_matches(value, hint)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, hint) if isinstance(hint, type) else True


def dataclass_matches(value: Any, cls: type) -> bool:
    """A dict with the fields of the dataclass (those without a default all present), each of its type."""
    if not isinstance(value, dict):
        return False
    hints, required = _fields(cls)
    return required <= value.keys() <= hints.keys() and all(matches(value[key], hints[key]) for key in value)


def row_matches(value: Any, cls: type, skip: int = 0) -> bool:
    """A list of the named tuple's fields after the first `skip` ones (the defaulted ones may be left out)."""
    if not isinstance(value, list):
        return False
    hints, required = _fields(cls)
    names = list(cls._fields)[skip:]
    needed = sum(1 for name in names if name in required)
    return needed <= len(value) <= len(names) and all(matches(item, hints[name]) for item, name in zip(value, names))


@cache
def _fields(cls: type) -> tuple[dict[str, Any], frozenset[str]]:
    hints = typing.get_type_hints(cls)
    if dataclasses.is_dataclass(cls):
        required = {
            field.name
            for field in dataclasses.fields(cls)
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        }
        return {field.name: hints[field.name] for field in dataclasses.fields(cls)}, frozenset(required)
    defaults = getattr(cls, "_field_defaults", {})
    return {name: hints[name] for name in cls._fields}, frozenset(name for name in cls._fields if name not in defaults)
