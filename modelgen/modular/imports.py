"""The imports a generated file needs: those of the modular file and of every parent file, kept where a kept
name is used in the file's body and not defined by it, each name imported once (first source wins), guarded
imports (`if is_torch_available():`) after the plain ones. ruff's fixes then sort and prune them."""

from __future__ import annotations

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


def needed_imports(all_imports: list[cst.CSTNode], used: set[str], defined: set[str]) -> list[cst.CSTNode]:
    """used: the names the file's body mentions; defined: the names it defines."""
    added: set[str] = set()
    plain, guarded, guarded_seen = [], [], set()
    for node in all_imports:
        if isinstance(node, cst.If):
            statements = []
            for inner in node.body.body:
                if not is_import_line(inner):
                    continue
                kept = _kept_line(inner, used, defined, added)
                if kept is not None and code_of(kept) not in guarded_seen:
                    statements.append(kept)
            if statements:
                guarded.append(node.with_changes(body=node.body.with_changes(body=statements), orelse=None))
                guarded_seen.update(code_of(statement) for statement in statements)
        else:
            kept = _kept_line(node, used, defined, added)
            if kept is not None:
                plain.append(kept)
    return plain + guarded
