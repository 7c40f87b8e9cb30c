"""The class docstring: the child's merged into the parent's (see `modelgen.modular.docstrings`)."""

from __future__ import annotations

import libcst as cst

from modelgen.modular.docstrings import merge_docstrings
from modelgen.modular.merge import ClassMerge, ClassRule, is_docstring


class ClassDocstring(ClassRule):
    name = "class-docstring"

    def apply(self, merge: ClassMerge) -> None:
        parent = [statement for statement in merge.parent.body.body if is_docstring(statement)]
        merge.docstring = parent[-1:]
        for statement in merge.child.body.body:
            if not is_docstring(statement):
                continue
            child_text = statement.body[0].value.value
            if not merge.docstring:
                merge.docstring = [cst.SimpleStatementLine(body=[cst.Expr(cst.SimpleString(child_text))])]
            else:
                original = merge.docstring[0]
                merged = merge_docstrings(original.body[0].value.value, child_text)
                merge.docstring = [original.with_changes(body=[cst.Expr(cst.SimpleString(merged))])]


RULE = ClassDocstring()
