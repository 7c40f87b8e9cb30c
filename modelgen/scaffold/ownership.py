"""Which names belong to the old model (and are renamed) and which come from elsewhere (and are protected).

Owned: every name the copied modules define or bind (classes, functions, assignments, parameters,
`self.x` attributes, class fields). Protected: names imported from outside the copied modules (the library's
shared modules, other models, a reused tokenizer) and attribute names that the copied code never binds
(`torch.clip`), when a casing rule would otherwise rename them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass
class Ownership:
    defined: set[str] = field(default_factory=set)  # top-level definitions of the copied modules
    bound: set[str] = field(default_factory=set)  # every name or attribute the copied code binds
    external: set[str] = field(default_factory=set)  # imported from outside the copied modules
    attributes: set[str] = field(default_factory=set)  # attribute names used anywhere

    def protected_names(self) -> set[str]:
        return self.external - self.defined

    def protected_attributes(self) -> set[str]:
        return self.attributes - self.bound - self.defined


def analyse(
    trees: list[ast.Module], copied_modules: set[str], owned_roots: set[str], exported: set[str]
) -> Ownership:
    """`exported`: the names the old package exports from its copied modules (imported by tests by name)."""
    ownership = Ownership()
    for tree in trees:
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                ownership.defined.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                ownership.defined.update(name.id for target in targets for name in ast.walk(target)
                                         if isinstance(name, ast.Name))
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                ownership.bound.add(node.name)
            elif isinstance(node, ast.arg):
                ownership.bound.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                ownership.bound.add(node.id)
            elif isinstance(node, ast.Attribute):
                ownership.attributes.add(node.attr)
                if isinstance(node.ctx, ast.Store):
                    ownership.bound.add(node.attr)
            elif isinstance(node, ast.keyword) and node.arg:
                ownership.bound.add(node.arg)  # `Config(bert_layers=...)`: keyword names follow their owner
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    ownership.external.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom):
                _record_import(node, ownership, copied_modules, owned_roots, exported)
    return ownership


def _record_import(node: ast.ImportFrom, ownership: Ownership, copied_modules: set[str], owned_roots: set[str],
                   exported: set[str]) -> None:
    module = node.module or ""
    if node.level == 1 and module.split(".")[0] in copied_modules:
        return
    is_owned_root = node.level == 0 and any(module == root or module.startswith(root + ".") for root in owned_roots)
    for alias in node.names:
        if is_owned_root and alias.name in exported:
            continue
        ownership.external.add(alias.asname or alias.name)
