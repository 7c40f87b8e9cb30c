"""Whether JSON data read back (from the result cache) has the shape of the type it is meant to rebuild.

`matches(value, hint)` follows the type hints: `int`, `str`, `bool`, `None`, unions, `list[...]`,
`dict[str, ...]`, dataclasses (a dict of their fields) and named tuples (a list of their fields), so a
new field of a cached dataclass needs no change here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any


def matches(value: Any, hint: Any) -> bool:
    return _checker(hint)(value)


@cache
def _checker(hint: Any) -> Callable[[Any], bool]:
    """A function that tests a value against `hint`, built once per hint (a warm run tests thousands)."""
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if hint is Any:
        return lambda value: True
    if hint is None or hint is type(None):
        return lambda value: value is None
    if origin in (typing.Union, types.UnionType):
        options = [_checker(argument) for argument in arguments]
        return lambda value: any(option(value) for option in options)
    if origin is list or hint is list:
        item = _checker(arguments[0]) if arguments else None
        return lambda value: isinstance(value, list) and (item is None or all(map(item, value)))
    if origin is dict or hint is dict:
        if not arguments:
            return lambda value: isinstance(value, dict)
        key, item = _checker(arguments[0]), _checker(arguments[1])
        return lambda value: isinstance(value, dict) and all(key(k) and item(v) for k, v in value.items())
    if origin is tuple:
        items = [_checker(argument) for argument in arguments]
        return lambda value: isinstance(value, list) and len(value) == len(items) and all(
            check(item) for check, item in zip(items, value))
    if dataclasses.is_dataclass(hint):
        return lambda value: dataclass_matches(value, hint)
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        return lambda value: row_matches(value, hint)
    if hint is bool:
        return lambda value: isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(hint, type):
        return lambda value: isinstance(value, hint)
    return lambda value: True


def dataclass_matches(value: Any, cls: type) -> bool:
    """A dict with the fields of the dataclass (those without a default all present), each of its type."""
    if not isinstance(value, dict):
        return False
    checkers, required = _field_checkers(cls)
    return required <= value.keys() <= checkers.keys() and all(checkers[key](value[key]) for key in value)


def row_matches(value: Any, cls: type, skip: int = 0) -> bool:
    """A list of the named tuple's fields after the first `skip` ones (the defaulted ones may be left out)."""
    if not isinstance(value, list):
        return False
    checkers, required = _field_checkers(cls)
    names = list(cls._fields)[skip:]
    needed = sum(1 for name in names if name in required)
    return needed <= len(value) <= len(names) and all(checkers[name](item) for item, name in zip(value, names))


@cache
def _field_checkers(cls: type) -> tuple[dict[str, Callable[[Any], bool]], frozenset[str]]:
    hints, required = _fields(cls)
    return {name: _checker(hint) for name, hint in hints.items()}, required


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
