"""What a module defines at top level (classes, functions, assignments, imports) and what each one uses.

Dependencies are by name: a top-level function or assignment depends on every global name it mentions
(attribute names included, as the converter does), a class on every global name in its body but its own.

A module is read with `ast` (fast) to find its top-level statements and their names; each statement's libcst
node is parsed from its own lines only when the expansion needs it, so a parent file of which a modular file
uses three classes costs three small parses, not one of the whole file.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import libcst as cst

from modelgen.modular.errors import ModularError
from modelgen.modular.file_kinds import IMPORTABLE_KINDS

_EMPTY = cst.Module(body=[])
_SIBLING_IMPORT = re.compile(rf"^\.({'|'.join(IMPORTABLE_KINDS)})_.*")


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _annotation_names(annotation: ast.AST | None) -> set[str]:
    """Names inside a string annotation (`"torch.Tensor"`): an import they use is still needed."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            return {
                n.id for n in ast.walk(ast.parse(annotation.value, mode="eval")) if isinstance(n, ast.Name)
            }
        except SyntaxError:
            return set()
    return set()


def annotation_names(node: ast.AST) -> set[str]:
    """The names string annotations in this code use."""
    names: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            names |= _annotation_names(inner.annotation)
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names |= _annotation_names(inner.returns)
        elif isinstance(inner, ast.AnnAssign):
            names |= _annotation_names(inner.annotation)
    return names


def _ast_names(node: ast.AST) -> set[str]:
    """The identifiers libcst would hold as `Name` nodes in this code (strings and comments excluded)."""
    names: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            names.add(inner.id)
        elif isinstance(inner, ast.Attribute):
            names.add(inner.attr)
        elif isinstance(inner, ast.arg) or isinstance(inner, ast.keyword) and inner.arg is not None:
            names.add(inner.arg)
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(inner.name)
        elif isinstance(inner, ast.alias):
            names.update(inner.name.split("."))
            if inner.asname:
                names.add(inner.asname)
        elif isinstance(inner, ast.ExceptHandler) and inner.name:
            names.add(inner.name)
        elif isinstance(inner, (ast.Global, ast.Nonlocal)):
            names.update(inner.names)
        elif isinstance(inner, (ast.MatchAs, ast.MatchStar)) and inner.name:
            names.add(inner.name)
    return names


def names_in(node: cst.CSTNode) -> tuple[set[str], set[str]]:
    """(the names the node's code uses, the names its string annotations use)."""
    tree = ast.parse(code_of(node))
    return _ast_names(tree), annotation_names(tree)


def module_name_of(node: cst.ImportFrom) -> str:
    dotted = code_of(node.module) if node.module is not None else ""
    return "." * len(node.relative) + dotted


def is_import_line(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))
    )


@dataclass
class Statement:
    """One top-level statement: its kind, the name it defines, the names it uses, and (lazily) its node."""

    kind: str  # class, function, assignment, import, guarded-import or other
    name: str | None
    text: str
    names: set[str]
    path: Path | None = None
    line: int = 0
    first: bool = False  # the comments above a module's first statement are the module's header, not its own
    syntax: list = field(default_factory=list)  # the `ast` statements (one, or several on one line)

    @cached_property
    def annotation_names(self) -> set[str]:
        return set().union(*map(annotation_names, self.syntax)) if self.syntax else set()

    @cached_property
    def code(self) -> str:
        """The statement's code without the comment lines above it (what duplicate imports compare)."""
        return code_of(self.node).strip() if not self.text else _strip_leading_comments(self.text)

    @cached_property
    def node(self) -> cst.CSTNode:
        try:
            module = cst.parse_module(self.text)
        except cst.ParserSyntaxError as error:
            raise ModularError(
                f"cannot parse: {error.message}", self.path, self.line + error.raw_line - 1
            ) from None
        node = module.body[0]
        if module.header and not self.first:
            node = node.with_changes(leading_lines=[*_own_lines(module.header), *node.leading_lines])
        return node

    @classmethod
    def of_node(cls, kind: str, name: str | None, node: cst.CSTNode) -> Statement:
        syntax = ast.parse(code_of(node)).body
        statement = cls(
            kind, name, "", set().union(*map(_ast_names, syntax)) if syntax else set(), syntax=syntax
        )
        statement.__dict__["node"] = node
        return statement


def _own_lines(lines) -> list:
    """The lines above a statement that are its own: indented comments right after the previous statement
    close that statement's block (libcst keeps them in its footer)."""
    cut = 0
    for index, line in enumerate(lines):
        if line.comment is not None and line.whitespace.value:
            cut = index + 1
        elif line.comment is not None:
            break
    return list(lines[cut:])


def _strip_leading_comments(text: str) -> str:
    lines = text.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("#")):
        lines.pop(0)
    return "\n".join(lines).strip()


def import_module_of(node: ast.ImportFrom) -> str:
    return "." * node.level + (node.module or "")


def _kind(statements: list[ast.stmt]) -> tuple[str, str | None]:
    if len(statements) > 1:
        return "other", None
    node = statements[0]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import", None
    if isinstance(node, ast.If) and any(
        isinstance(inner, (ast.Import, ast.ImportFrom)) for inner in node.body
    ):
        return "guarded-import", None
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return "assignment", node.targets[0].id
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "function", node.name
    if isinstance(node, ast.ClassDef):
        return "class", node.name
    return "other", None


def split_statements(text: str, path: Path | None = None) -> list[Statement]:
    """The module's top-level statements, each with the comment and blank lines above it."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise ModularError(f"syntax error: {error.msg}", path, error.lineno) from None
    lines = text.splitlines(keepends=True)
    groups: list[list[ast.stmt]] = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if groups and first <= groups[-1][-1].end_lineno:
            groups[-1].append(node)
        else:
            groups.append([node])
    statements, start = [], 0
    for group in groups:
        end = group[-1].end_lineno
        kind, name = _kind(group)
        names: set[str] = set()
        for node in group:
            names |= _ast_names(node)
        text_lines = lines[start:end]
        statements.append(
            Statement(kind, name, "".join(text_lines), names, path, start + 1, not statements, group)
        )
        start = end
    return statements


@dataclass
class ModuleMap:
    statements: list[Statement] = field(default_factory=list)
    classes: dict[str, Statement] = field(default_factory=dict)
    functions: dict[str, Statement] = field(default_factory=dict)
    assignments: dict[str, Statement] = field(default_factory=dict)
    imports: list[Statement] = field(default_factory=list)
    object_dependencies: dict[str, set[str]] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    # names this module imports from its own folder's files (`from .configuration_x import XConfig`)
    imported_from_siblings: set[str] = field(default_factory=set)
    global_nodes: dict[str, Statement] = field(default_factory=dict)
    recursive_dependencies: dict[str, set[str]] = field(default_factory=dict)
    class_dependencies: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, text: str, path: Path | None = None, keep_import=lambda statement: True) -> ModuleMap:
        mapping = cls()
        mapping.statements = split_statements(text, path)
        for index, statement in enumerate(mapping.statements):
            mapping._record(index, statement, keep_import)
        mapping.global_nodes = {**mapping.assignments, **mapping.classes, **mapping.functions}
        return mapping

    def _record(self, index: int, statement: Statement, keep_import) -> None:
        if statement.kind == "import":
            node = statement.syntax[0]
            if isinstance(node, ast.ImportFrom) and _SIBLING_IMPORT.search(import_module_of(node)):
                for alias in node.names:
                    if alias.name != "*":
                        self.imported_from_siblings.add(alias.asname or alias.name)
            if keep_import(statement):
                self.imports.append(statement)
        elif statement.kind == "guarded-import":
            self.imports.append(statement)
        elif statement.kind == "assignment":
            if statement.name == "__all__":
                self.record_all(statement)
                return
            self.assignments[statement.name] = statement
            self.object_dependencies[statement.name] = set(statement.names)
            self.positions[statement.name] = index
        elif statement.kind == "function":
            self.functions[statement.name] = statement
            self.object_dependencies[statement.name] = set(statement.names)
            self.positions[statement.name] = index
        elif statement.kind == "class":
            self.classes[statement.name] = statement
            self.positions[statement.name] = index

    def record_all(self, statement: Statement) -> None:
        """A parent's own `__all__` is not an object to pull; the modular file's is split between files."""

    def restrict_to_globals(self) -> None:
        known = set(self.global_nodes)
        self.object_dependencies = {name: deps & known for name, deps in self.object_dependencies.items()}

    def compute_recursive_dependencies(self) -> None:
        self.recursive_dependencies = {
            name: set(closure(self.object_dependencies, self.object_dependencies[name]))
            for name in self.object_dependencies
        }

    def augment(self, dependencies: set[str]) -> set[str]:
        """Dependencies plus everything the functions and assignments among them need, recursively."""
        augmented = set(dependencies)
        for name in dependencies:
            augmented |= self.recursive_dependencies.get(name, set())
        return augmented

    def dependencies_of_class(self, name: str, used: set[str], excluded: set[str] = frozenset()) -> set[str]:
        return self.augment({n for n in used if n != name and n in self.global_nodes and n not in excluded})

    def compute_class_dependencies(self) -> None:
        self.class_dependencies = {
            name: self.dependencies_of_class(name, statement.names)
            for name, statement in self.classes.items()
        }


def closure(mapping: dict[str, set[str]], start: set[str], already: set[str] = frozenset()) -> list[str]:
    """Breadth-first closure of `start` over `mapping`, in visiting order, leaving out `already`."""
    queue = deque(sorted(start))
    seen = set(already)
    order: list[str] = []
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        order.append(current)
        queue.extend(sorted(mapping.get(current, ())))
    return order
