"""The imports a generated file needs: those of the modular file and of every parent file, kept where a kept
name is used in the file's body and not defined by it, each name imported once (first source wins), guarded
imports (`if is_torch_available():`) after the plain ones. ruff's fixes then sort and prune them."""

from __future__ import annotations

import ast

import libcst as cst

from modelgen.modular.mapping import code_of, is_import_line


def _bound_name(alias: cst.ImportAlias) -> str:
    return alias.evaluated_alias or alias.evaluated_name


def _kept_line(line: cst.SimpleStatementLine, used: set[str], defined: set[str], added: set[str]):
    node = line.body[0]
    if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
        return line
    kept = []
    for alias in node.names:
        name = _bound_name(alias)
        if name.split(".")[0] in used and name not in defined and name not in added:
            kept.append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            added.add(name)
    if not kept:
        return None
    if isinstance(node, cst.ImportFrom):
        return line.with_changes(body=[node.with_changes(names=kept, lpar=None, rpar=None)])
    return line.with_changes(body=[node.with_changes(names=kept)])


def _bound_names(syntax) -> list[str]:
    names = []
    for node in ast.walk(syntax):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [alias.asname or alias.name for alias in node.names]
    return names


def _may_keep(syntax, used: set[str], defined: set[str], added: set[str]) -> bool:
    """Whether any name this import binds would be kept (decided with `ast`, before parsing with libcst)."""
    return any(
        name == "*" or (name.split(".")[0] in used and name not in defined and name not in added)
        for name in _bound_names(syntax)
    )


def needed_imports(statements, used: set[str], defined: set[str]) -> list[cst.CSTNode]:
    """statements: the candidate imports (`mapping.Statement`s), in priority order; used: the names the file's
    body mentions; defined: the names it defines."""
    used = set(used)
    for statement in statements:  # a kept guard's condition (`is_torch_available()`) needs its own import
        syntax = statement.syntax[0]
        if isinstance(syntax, ast.If) and _may_keep(syntax, used, defined, set()):
            used |= {n.id for n in ast.walk(syntax.test) if isinstance(n, ast.Name)}
    added: set[str] = set()
    plain, guarded, guarded_seen = [], [], set()
    for statement in statements:
        if not _may_keep(statement.syntax[0], used, defined, added):
            continue
        node = statement.node
        if isinstance(node, cst.If):
            kept_lines = []
            for inner in node.body.body:
                if not is_import_line(inner):
                    continue
                kept = _kept_line(inner, used, defined, added)
                if kept is not None and code_of(kept) not in guarded_seen:
                    kept_lines.append(kept)
            if kept_lines:
                guarded.append(node.with_changes(body=node.body.with_changes(body=kept_lines), orelse=None))
                guarded_seen.update(code_of(line) for line in kept_lines)
        else:
            kept = _kept_line(node, used, defined, added)
            if kept is not None:
                plain.append(kept)
    return plain + guarded
