"""Methods: a method the child defines replaces the parent's at the parent's place, keeping the parent's
decorators and return annotation unless the child writes its own; a child method whose whole body raises an
error (`raise AttributeError(...)`) removes the parent's; the child's new methods come after the parent's. A body left with nothing takes the child's `pass`/`...`
(else the parent's).

`def forward(self, **super_kwargs)` takes the parent's whole signature (the child's extra parameters after it).
"""

from __future__ import annotations

import re

import libcst as cst

from modelgen.modular.attributes_key import attribute_key
from modelgen.modular.mapping import code_of
from modelgen.modular.merge import (
    ClassMerge,
    ClassRule,
    chosen_decorators,
    is_docstring,
    is_placeholder,
    member_name,
)

_RAISES_ONLY = re.compile(r"\ndef .*\(.*\):\n    raise.*Error\(.*")


def removes_parent_method(method: cst.FunctionDef) -> bool:
    return _RAISES_ONLY.match(code_of(method)) is not None


def _with_super_kwargs(child: cst.Parameters, parent: cst.Parameters) -> cst.Parameters:
    by_name = {param.name.value: param for param in parent.params}
    by_name.update({param.name.value: param for param in child.params[1:]})
    return child.with_changes(params=list(by_name.values()), star_kwarg=parent.star_kwarg)


def overridden(parent_method: cst.FunctionDef, child_method: cst.FunctionDef) -> cst.FunctionDef:
    params = child_method.params
    star = params.star_kwarg
    if isinstance(star, cst.Param) and star.name.value == "super_kwargs":
        params = _with_super_kwargs(params, parent_method.params)
    return parent_method.with_changes(
        body=child_method.body,
        params=params,
        decorators=chosen_decorators(child_method.decorators, parent_method.decorators),
        returns=child_method.returns or parent_method.returns,
    )


class Methods(ClassRule):
    name = "methods"

    def apply(self, merge: ClassMerge) -> None:
        child_methods = merge.child_methods
        parent_methods = merge.parent_methods
        members = []
        for statement in merge.parent.body.body:
            if attribute_key(statement) is not None or is_docstring(statement) or is_placeholder(statement):
                continue
            replacement = child_methods.get(member_name(statement))
            if isinstance(statement, cst.FunctionDef) and isinstance(replacement, cst.FunctionDef):
                if removes_parent_method(replacement):
                    continue
                statement = overridden(statement, replacement)
            members.append(statement)
        for statement in merge.child.body.body:
            if isinstance(statement, cst.FunctionDef) and member_name(statement) not in parent_methods:
                members.append(statement)
        merge.members = members
        child_placeholders = [s for s in merge.child.body.body if is_placeholder(s)]
        merge.placeholder = (
            child_placeholders[:1] or [s for s in merge.parent.body.body if is_placeholder(s)][:1]
        )


RULE = Methods()
