"""What a module defines at top level (classes, functions, assignments, imports) and what each one uses.

Dependencies are by name: a top-level function or assignment depends on every global name it mentions
(attribute names included, as the converter does), a class on every global name in its body but its own.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

import libcst as cst

from modelgen.modular.file_kinds import IMPORTABLE_KINDS

_EMPTY = cst.Module(body=[])
_SIBLING_IMPORT = re.compile(rf"^\.({'|'.join(IMPORTABLE_KINDS)})_.*")


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def names_in(node: cst.CSTNode) -> set[str]:
    collector = _NameCollector()
    node.visit(collector)
    return collector.names


def module_name_of(node: cst.ImportFrom) -> str:
    dotted = code_of(node.module) if node.module is not None else ""
    return "." * len(node.relative) + dotted


def is_simple_assignment(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Assign)
        and len(statement.body[0].targets) == 1
        and isinstance(statement.body[0].targets[0].target, cst.Name)
    )


def is_import_line(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))
    )


def holds_imports(statement: cst.CSTNode) -> bool:
    """A top-level `if is_x_available(): import ...` guard."""
    return isinstance(statement, cst.If) and any(is_import_line(inner) for inner in statement.body.body)


@dataclass
class ModuleMap:
    module: cst.Module
    classes: dict[str, cst.ClassDef] = field(default_factory=dict)
    functions: dict[str, cst.CSTNode] = field(default_factory=dict)
    assignments: dict[str, cst.CSTNode] = field(default_factory=dict)
    imports: list[cst.CSTNode] = field(default_factory=list)
    object_dependencies: dict[str, set[str]] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    # names this module imports from its own folder's files (`from .configuration_x import XConfig`)
    imported_from_siblings: set[str] = field(default_factory=set)
    global_nodes: dict[str, cst.CSTNode] = field(default_factory=dict)
    recursive_dependencies: dict[str, set[str]] = field(default_factory=dict)
    class_dependencies: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, module: cst.Module, keep_import=lambda statement: True) -> ModuleMap:
        mapping = cls(module)
        for index, statement in enumerate(module.body):
            mapping._record(index, statement, keep_import)
        mapping.global_nodes = {**mapping.assignments, **mapping.classes, **mapping.functions}
        return mapping

    def _record(self, index: int, statement: cst.CSTNode, keep_import) -> None:
        if is_import_line(statement):
            node = statement.body[0]
            if isinstance(node, cst.ImportFrom) and _SIBLING_IMPORT.search(module_name_of(node)):
                if not isinstance(node.names, cst.ImportStar):
                    for alias in node.names:
                        self.imported_from_siblings.add(alias.evaluated_alias or alias.evaluated_name)
            if keep_import(statement):
                self.imports.append(statement)
        elif holds_imports(statement):
            self.imports.append(statement)
        elif is_simple_assignment(statement):
            name = statement.body[0].targets[0].target.value
            if name == "__all__":
                self.record_all(statement)
                return
            self.assignments[name] = statement
            self.object_dependencies[name] = names_in(statement)
            self.positions[name] = index
        elif isinstance(statement, cst.FunctionDef):
            name = statement.name.value
            self.functions[name] = statement
            self.object_dependencies[name] = names_in(statement)
            self.positions[name] = index
        elif isinstance(statement, cst.ClassDef):
            self.classes[statement.name.value] = statement
            self.positions[statement.name.value] = index

    def record_all(self, statement: cst.CSTNode) -> None:
        """Modeling files' own `__all__` is not an object to pull; the modular file overrides this."""

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

    def class_dependencies_of(self, node: cst.ClassDef, excluded: set[str] = frozenset()) -> set[str]:
        used = names_in(node)
        return self.augment({n for n in used if n != node.name.value and n in self.global_nodes and n not in excluded})

    def compute_class_dependencies(self) -> None:
        self.class_dependencies = {name: self.class_dependencies_of(node) for name, node in self.classes.items()}


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
