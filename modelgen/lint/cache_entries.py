"""The shape of lint's cache entries: `findings:<path>` is `[key, rows]`, each row a `Finding` without its path."""

from __future__ import annotations

from typing import Any

from modelgen.json_shapes import row_matches


def findings_entry(value: Any) -> bool:
    from modelgen.lint.rule import Finding

    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], list)
        and all(row_matches(row, Finding, skip=1) for row in value[1])
    )
