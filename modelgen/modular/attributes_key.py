"""The key of a class attribute statement: what a child's reassignment is matched on."""

from __future__ import annotations

import libcst as cst

from modelgen.modular.mapping import code_of


def attribute_key(statement: cst.CSTNode) -> str | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    node = statement.body[0]
    if isinstance(node, cst.Assign):
        return code_of(node.targets[0])
    if isinstance(node, cst.AnnAssign):
        return code_of(node.target)
    return None
