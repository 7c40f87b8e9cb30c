"""Modular expansion: a `modular_<model>.py` file expanded into the standalone files the library ships.

`expand_files` is the Python API; `modelgen modular expand` and `modelgen check-modular` use it.
"""

from __future__ import annotations

from modelgen.modular.expansion import Expander, Expansion
from modelgen.modular.rules import CLASS_RULES


def expander_for(layout, extra_config_names: dict[str, str] | None = None) -> Expander:
    return Expander(layout, CLASS_RULES, extra_config_names)


__all__ = ["Expander", "Expansion", "expander_for"]
