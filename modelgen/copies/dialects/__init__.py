"""Marker dialects: the built-in ones, and the choice of one for a repository.

The dialect is the one whose `packages` holds the repository's package (transformers otherwise), unless
`[tool.modelgen.check-copies] dialect = "NAME"` names one.
"""

from __future__ import annotations

from modelgen.copies.dialects import diffusers, transformers
from modelgen.copies.dialects.choices import Dialect
from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout

BUILT_IN: dict[str, Dialect] = {module.DIALECT.name: module.DIALECT for module in (transformers, diffusers)}
DEFAULT = transformers.DIALECT

__all__ = ["BUILT_IN", "DEFAULT", "Dialect", "dialect_for"]


def dialect_for(layout: RepoLayout) -> Dialect:
    configured = layout.settings.section("check-copies").get("dialect")
    if configured is not None:
        if configured not in BUILT_IN:
            known = ", ".join(BUILT_IN)
            raise ModelgenError(f"unknown check-copies dialect {configured!r} (known: {known})", layout.settings.pyproject)
        return BUILT_IN[configured]
    return next((dialect for dialect in BUILT_IN.values() if layout.package in dialect.packages), DEFAULT)
