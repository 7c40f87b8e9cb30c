"""Reading values off config objects the way every tiny-config fit needs it. Standard library only: runs inside
the smoke worker under the target tree's interpreter."""

from __future__ import annotations

from typing import Any


def read(instance, name: str, default: Any = None) -> Any:
    """`getattr`, but an attribute the config refuses to read (a 5.x per-layer attribute such as NeoMME's
    `sliding_window`, raising AmbiguousGlobalPerLayerAttributeError; a derived property missing what it derives
    from) reads as `default`."""
    try:
        return getattr(instance, name, default)
    except Exception:  # noqa: BLE001 - whatever the config's property raises
        return default


def is_int(value: Any) -> bool:
    """A size: an int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)
