"""`super().method(...)` in a method the child overrides is unravelled into the parent's statements.

The child's statements before the call come first, then the parent's body, in which a `self.x = ...` the child
reassigns after the call is replaced in place and one it deletes (`del self.x`) is dropped; the child's other
statements after the call follow, unless the parent already has them (compared without comments).
`self.post_init()` is kept last and the parent's `super().__init__(...)` first. An overriding method without a
docstring takes the parent's; a docstring the child writes replaces the parent's. Calls written against a base class
(`nn.Module.__init__(self)`, a base of the child, of the result or an ancestor of those) become `super()` calls.
"""

from __future__ import annotations

import re

import libcst as cst

from modelgen.modular.mapping import code_of
from modelgen.modular.merge import ClassMerge, ClassRule, dotted_name, is_docstring


def _without_comments(node: cst.CSTNode) -> str:
    code = re.sub(r"#.*", "", code_of(node)).strip()
    return re.sub(r"\ *\n", "\n", code).strip()


def _single(statement: cst.CSTNode, kind: type) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], kind)
    )


def is_super_call(statement: cst.CSTNode, method: str) -> bool:
    if not (_single(statement, cst.Expr) or _single(statement, cst.Return)):
        return False
    call = statement.body[0].value
    return (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and isinstance(call.func.attr, cst.Name)
        and call.func.attr.value == method
        and isinstance(call.func.value, cst.Call)
        and isinstance(call.func.value.func, cst.Name)
        and call.func.value.func.value == "super"
    )


class _BaseCallsToSuper(cst.CSTTransformer):
    """`Base.method(self, ...)` and `Base().method(...)` -> `super().method(...)` for the child's bases."""

    def __init__(self, bases: set[str]):
        self.bases = bases

    def _names_base(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Name, cst.Attribute)):
            return dotted_name(node) in self.bases
        if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
            return dotted_name(node.func) in self.bases
        return False

    def leave_Attribute(self, original_node, updated_node):
        if isinstance(original_node.attr, cst.Name) and self._names_base(original_node.value):
            return updated_node.with_changes(value=cst.Call(cst.Name("super")))
        return updated_node

    def leave_Call(self, original_node, updated_node):
        func = original_node.func
        if isinstance(func, cst.Attribute) and self._names_base(func.value):
            args = updated_node.args
            if original_node.args and isinstance(original_node.args[0].value, cst.Name):
                if original_node.args[0].value.value == "self":
                    args = args[1:]
            return updated_node.with_changes(args=args)
        return updated_node


def _merged_body(parent_body, after_call) -> list[cst.CSTNode]:
    reassigned, deleted = {}, set()
    for statement in after_call:
        if _single(statement, cst.Assign):
            reassigned[code_of(statement.body[0].targets[0].target)] = statement
        if _single(statement, cst.Del):
            deleted.add(code_of(statement.body[0].target))
    body, seen = [], set()
    for statement in parent_body:
        if _single(statement, cst.Assign):
            target = code_of(statement.body[0].targets[0].target)
            if target in deleted:
                continue
            statement = reassigned.get(target, statement)
        elif is_docstring(statement):
            continue
        body.append(statement)
        seen.add(_without_comments(statement))
    for statement in after_call:
        code = _without_comments(statement)
        if any(statement is kept for kept in body) or code in seen or _single(statement, cst.Del):
            continue
        body.append(statement)
        seen.add(code)
    return _post_init_last(body)


def _post_init_last(body: list[cst.CSTNode]) -> list[cst.CSTNode]:
    for index, statement in enumerate(body):
        if "self.post_init(" in _without_comments(statement) and index < len(body) - 1:
            return body[:index] + body[index + 1 :] + [statement]
    return body


def _super_init_first(body: list[cst.CSTNode]) -> list[cst.CSTNode]:
    start = 0
    for index, statement in enumerate(body):
        if is_docstring(statement) and index == start:
            start += 1
            continue
        if "super().__init__" in _without_comments(statement) and index > start:
            return body[:start] + [statement] + body[start:index] + body[index + 1 :]
    return body


class SuperCalls(ClassRule):
    name = "super-calls"

    def apply(self, merge: ClassMerge) -> None:
        child_methods = merge.child_methods
        parent_methods = merge.parent_methods
        result_bases = {dotted_name(base.value) for base in merge.bases} - {None}
        to_super = _BaseCallsToSuper(set(merge.child_bases) | result_bases | merge.ancestors)
        merge.members = [
            self._unravelled(member, parent_methods.get(member.name.value), to_super)
            if isinstance(member, cst.FunctionDef) and member.name.value in child_methods
            else member
            for member in merge.members
        ]

    def _unravelled(self, method: cst.FunctionDef, parent, to_super) -> cst.FunctionDef:
        if not isinstance(method.body, cst.IndentedBlock):
            return method
        parent_body = parent.body.body if isinstance(parent, cst.FunctionDef) else None
        parent_doc = parent_body[0] if parent_body and is_docstring(parent_body[0]) else None
        name = method.name.value
        statements = list(method.body.body)
        body, called, has_doc = [], False, False
        for index, statement in enumerate(statements):
            if parent_body is not None and is_super_call(statement, name):
                called = True
                body.extend(_merged_body(parent_body, statements[index + 1 :]))
                body = _super_init_first(body)
            else:
                statement = statement.visit(to_super)
            if is_docstring(statement):
                has_doc = True
                body.append(statement)
            elif not _single(statement, cst.Del) and not called:
                body.append(statement)
        if not has_doc and parent_doc is not None:
            body = [parent_doc, *body]
        return method.with_changes(body=method.body.with_changes(body=body))


RULE = SuperCalls()
