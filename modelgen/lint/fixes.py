"""The safe fixes, with libcst (imported only when `--fix` runs): renaming local variables, naming a config class.

Fixes are keyed by names (enclosing definition + name), never by line numbers, so several fixes can be
applied one after the other to the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider


def rename_local_variables(source: str, renames: Mapping[tuple[str, str], str]) -> str:
    """Rename `(function qualname, old name) -> new name` where that is provably local and collision-free.

    A rename happens only if every binding of the old name in the function is a plain variable of that
    function (not a parameter, `global`/`nonlocal`, import or nested definition), the new name does not
    occur anywhere in the function, and neither the function nor its class is a `# Copied from` copy.
    All references, nested scopes included, are renamed together.
    """
    if not renames:
        return source
    wrapper = MetadataWrapper(cst.parse_module(source))
    finder = _RenameTargets(renames)
    wrapper.visit(finder)
    if not finder.targets:
        return source
    return wrapper.module.visit(_ReplaceNames(finder.targets)).code


class _RenameTargets(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(self, renames: Mapping[tuple[str, str], str]):
        super().__init__()
        self.renames = renames
        self.names: list[str] = []
        self.copies: list[bool] = []  # whether each enclosing definition is a `# Copied from` copy
        self.targets: dict[cst.Name, str] = {}

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.append(node.name.value)
        self.copies.append(_is_copy(node))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.names.pop()
        self.copies.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.append(node.name.value)
        self.copies.append(_is_copy(node))
        qualname = ".".join(self.names)
        wanted = {old: new for (context, old), new in self.renames.items() if context == qualname}
        if wanted and not any(self.copies):
            self._plan(node, wanted)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.names.pop()
        self.copies.pop()

    def _plan(self, function: cst.FunctionDef, wanted: dict[str, str]) -> None:
        statements = function.body.body
        if not statements:
            return
        scope = self.get_metadata(ScopeProvider, statements[0], None)
        if scope is None:
            return
        used = _names_in(function)
        for old, new in wanted.items():
            if new in used or new == old or old in _declared_global(function):
                continue
            assignments = [a for a in scope.assignments[old] if a.scope is scope]
            if not assignments or any(not isinstance(a.node, cst.Name) for a in assignments):
                continue
            if any(_is_parameter(function, a.node) for a in assignments):
                continue
            references = [access.node for assignment in assignments for access in assignment.references]
            if not all(isinstance(reference, cst.Name) for reference in references):
                continue  # e.g. a name used in a string annotation: leave the whole rename to a person
            self.targets.update({node: new for node in [*(a.node for a in assignments), *references]})
            used.add(new)


class _ReplaceNames(cst.CSTTransformer):
    def __init__(self, targets: dict[cst.Name, str]):
        super().__init__()
        self.targets = targets

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.targets.get(original_node)
        return updated_node.with_changes(value=new) if new is not None else updated_node


def _is_copy(node: cst.ClassDef | cst.FunctionDef) -> bool:
    """A definition under a `# Copied from` comment: its fix belongs in the source, and check-copies
    propagates it; renaming the copy alone would make it drift from its source."""
    lines = [*node.leading_lines, *node.lines_after_decorators]  # the marker may follow the decorators
    return any(
        line.comment is not None and line.comment.value.lstrip("# ").startswith("Copied from")
        for line in lines
    )


def _names_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Collector(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)  # `self.attention` does not take the name `attention`
            return False

    node.visit(Collector())
    return found


def _declared_global(function: cst.FunctionDef) -> set[str]:
    found: set[str] = set()

    class Collector(cst.CSTVisitor):
        def visit_Global(self, node: cst.Global) -> None:
            found.update(item.name.value for item in node.names)

        def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
            found.update(item.name.value for item in node.names)

    function.body.visit(Collector())
    return found


def _is_parameter(function: cst.FunctionDef, name: cst.Name) -> bool:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            every.append(extra)
    return any(param.name is name for param in every)


def add_config_class(source: str, class_names: set[str], path: str) -> str:
    """Add `config_class = <Config>` to each named pre-trained class, when the file imports exactly one
    `...Config` class from its own model's configuration module (anything else is a guess, so no fix)."""
    import ast

    from modelgen.lint.context import FileContext
    from modelgen.lint.rules.mg109_config_class import own_config_imports

    context = FileContext(path=path, source=source, tree=ast.parse(source))
    candidates = own_config_imports(context.imports, PurePosixPath(path).parent.name)
    if len(candidates) != 1 or not class_names:
        return source
    return cst.parse_module(source).visit(_AddConfigClass(class_names, candidates[0])).code


class _AddConfigClass(cst.CSTTransformer):
    def __init__(self, class_names: set[str], config: str):
        super().__init__()
        self.class_names = class_names
        self.config = config

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        if original_node.name.value not in self.class_names or not isinstance(
            updated_node.body, cst.IndentedBlock
        ):
            return updated_node
        if _is_copy(original_node):
            return updated_node
        body = list(updated_node.body.body)
        position = 1 if body and _is_docstring(body[0]) else 0
        statement = cst.parse_statement(f"config_class = {self.config}\n")
        if position == 1 and len(body) == 1:
            body.append(statement)  # keep the docstring first
        else:
            body.insert(position, statement)
        body = [line for line in body if not _is_lone_pass(line) or len(body) == 1]
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_lone_pass(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Pass)
    )
