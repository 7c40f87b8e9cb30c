"""Class attributes (`model_type = ...`, `vocab_size: int = 32000`): the parent's in its order, each one the
child reassigns replaced in place, the child's new ones after them; `x = AttributeError()` removes `x`."""

from __future__ import annotations

import libcst as cst

from modelgen.modular.attributes_key import attribute_key
from modelgen.modular.merge import ClassMerge, ClassRule


def is_removal(statement: cst.CSTNode) -> bool:
    value = statement.body[0].value
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "AttributeError"
    )


def _attribute_name(statement: cst.CSTNode) -> str | None:
    node = statement.body[0]
    target = node.targets[0].target if isinstance(node, cst.Assign) else node.target
    return target.value if isinstance(target, cst.Name) else None


class Attributes(ClassRule):
    name = "attributes"

    def apply(self, merge: ClassMerge) -> None:
        attributes: dict[str, cst.CSTNode] = {}
        for statement in (*merge.parent.body.body, *merge.child.body.body):
            key = attribute_key(statement)
            if key is not None:
                attributes[key] = statement
        removed = {_attribute_name(s) for s in attributes.values() if is_removal(s)}
        merge.attributes = {
            key: statement
            for key, statement in attributes.items()
            if _attribute_name(statement) not in removed
        }


RULE = Attributes()
