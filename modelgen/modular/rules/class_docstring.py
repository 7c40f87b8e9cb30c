"""The class docstring: the child's when it writes one (it replaces the parent's whole), else the parent's."""

from __future__ import annotations

import libcst as cst

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
                merge.docstring = [
                    merge.docstring[0].with_changes(body=[cst.Expr(cst.SimpleString(child_text))])
                ]


RULE = ClassDocstring()
