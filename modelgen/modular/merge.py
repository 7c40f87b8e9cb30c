"""The state of one class expansion: a modular class merged into the (renamed) parent class it inherits from.

The engine fills a `ClassMerge` and hands it to each class rule in turn (`modelgen.modular.rules`); a rule reads
the parent and the child and edits the parts of the result it owns. The result's body is, in order: the
docstring, the class attributes, then the other members (methods, nested classes) in the parent's order
followed by the child's new methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from modelgen.modular.mapping import code_of

_TRIPLE_QUOTED = re.compile(r"\"\"\"[\s\S]*\"\"\"")


def is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString)
        and _TRIPLE_QUOTED.search(statement.body[0].value.value) is not None
    )


def member_name(statement: cst.CSTNode) -> str:
    """A class member's key: a definition's name, else the statement's code."""
    name = getattr(statement, "name", None)
    return name.value if isinstance(name, cst.Name) else code_of(statement)


def dotted_name(node: cst.CSTNode) -> str | None:
    """`nn.Module` for an attribute chain of names, None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute) and isinstance(node.attr, cst.Name):
        head = dotted_name(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


@dataclass
class ClassMerge:
    parent: cst.ClassDef  # the parent class, renamed to the new model
    child: cst.ClassDef  # the class as the modular file writes it
    super_class: str  # the parent's name as imported (`LlamaAttention`)
    renamed_super: str  # the parent's name after the rename (`Olmo2Attention`)
    rename_docs: Callable[[str, str, cst.CSTNode], cst.CSTNode]  # (old prefix, new prefix, node) -> node
    child_bases: list[str] = field(default_factory=list)
    # every class the bases of the result inherit from, as far as the parent and modular files define them
    ancestors: set[str] = field(default_factory=set)
    docstring: list[cst.CSTNode] = field(default_factory=list)
    attributes: dict[str, cst.CSTNode] = field(default_factory=dict)
    members: list[cst.CSTNode] = field(default_factory=list)
    bases: list[cst.Arg] = field(default_factory=list)
    decorators: list[cst.Decorator] = field(default_factory=list)
    placeholder: list[cst.CSTNode] = field(default_factory=list)  # `pass` or `...`, for a body left empty

    @property
    def parent_methods(self) -> dict[str, cst.CSTNode]:
        return {member_name(statement): statement for statement in self.parent.body.body}

    @property
    def child_methods(self) -> dict[str, cst.CSTNode]:
        return {member_name(statement): statement for statement in self.child.body.body}

    def result(self) -> cst.ClassDef:
        body = [*self.docstring, *self.attributes.values(), *self.members] or self.placeholder
        return self.parent.with_changes(
            name=self.child.name,
            body=cst.IndentedBlock(body=body),  # a new block: the parent's trailing comments stay behind
            bases=self.bases,
            decorators=self.decorators,
        )


class ClassRule:
    """One expansion rule: edits the parts of a `ClassMerge` it owns."""

    name = ""

    def apply(self, merge: ClassMerge) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def common_partial_suffix(first: str, second: str) -> str:
    """The longest common suffix, or "" when it is the whole of either string."""
    suffix = ""
    for index in range(1, min(len(first), len(second)) + 1):
        if first[-index] != second[-index]:
            break
        suffix = first[-index] + suffix
    return "" if suffix in (first, second) else suffix


def is_placeholder(statement: cst.CSTNode) -> bool:
    """`pass` or `...` alone on a line."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    node = statement.body[0]
    return isinstance(node, cst.Pass) or (isinstance(node, cst.Expr) and isinstance(node.value, cst.Ellipsis))


NO_INHERIT = "no_inherit_decorator"


def chosen_decorators(child: list[cst.Decorator], parent: list[cst.Decorator]) -> list[cst.Decorator]:
    """The child's decorators when it writes any, else the parent's; `@no_inherit_decorator` on the child
    means "none of the parent's" and is dropped itself."""
    if any(dotted_name(d.decorator) == NO_INHERIT for d in child):
        return [d for d in child if dotted_name(d.decorator) != NO_INHERIT]
    return list(child or parent)
