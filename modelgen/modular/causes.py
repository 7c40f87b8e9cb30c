"""Why an expansion differs from the file on disk, in a few words: the first top-level definition that
differs and which part of it (docstring, signature, body, decorators, bases), or a missing or extra one."""

from __future__ import annotations

import ast


def _definitions(text: str) -> dict[str, ast.AST]:
    found = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ):
            found[node.targets[0].id] = node
    return found


def _imports(text: str) -> list[str]:
    return [
        ast.unparse(node) for node in ast.parse(text).body if isinstance(node, (ast.Import, ast.ImportFrom))
    ]


def _docstring_free(node: ast.AST) -> str:
    clone = ast.parse(ast.unparse(node))
    for inner in ast.walk(clone):
        body = getattr(inner, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                inner.body = body[1:] or [ast.Pass()]
    return ast.dump(clone)


def _part(expected: ast.AST, actual: ast.AST) -> str:
    if _docstring_free(expected) == _docstring_free(actual):
        return "docstring"
    if isinstance(expected, ast.ClassDef) and isinstance(actual, ast.ClassDef):
        if [ast.unparse(b) for b in expected.bases] != [ast.unparse(b) for b in actual.bases]:
            return "bases"
        if [ast.unparse(d) for d in expected.decorator_list] != [
            ast.unparse(d) for d in actual.decorator_list
        ]:
            return "decorators"
        ours = {getattr(n, "name", ast.unparse(n)[:40]): n for n in expected.body}
        theirs = {getattr(n, "name", ast.unparse(n)[:40]): n for n in actual.body}
        if set(ours) != set(theirs):
            missing, extra = sorted(set(theirs) - set(ours)), sorted(set(ours) - set(theirs))
            return f"members (missing {missing[:2]}, extra {extra[:2]})"
        if list(ours) != list(theirs):
            return "member order"
        for key in ours:
            if ast.dump(ours[key]) != ast.dump(theirs[key]):
                return f"member {key}: {_part(ours[key], theirs[key])}"
    if isinstance(expected, ast.FunctionDef) and isinstance(actual, ast.FunctionDef):
        if ast.dump(expected.args) != ast.dump(actual.args):
            return "signature"
        if [ast.unparse(d) for d in expected.decorator_list] != [
            ast.unparse(d) for d in actual.decorator_list
        ]:
            return "decorators"
        return "body"
    return "code"


def cause(expected: str | None, actual: str | None, error: str | None = None) -> str:
    """expected: our expansion; actual: the file on disk (both formatted)."""
    if error is not None:
        return f"expansion error: {error.split(': ', 1)[-1]}"
    if actual is None:
        return "extra file (the release has no such generated file)"
    if expected is None:
        return "file not produced by the expansion"
    try:
        ours, theirs = _definitions(expected), _definitions(actual)
    except SyntaxError:
        return "expansion does not parse"
    missing = [name for name in theirs if name not in ours]
    extra = [name for name in ours if name not in theirs]
    if missing:
        return f"missing definition ({_kind(theirs[missing[0]])})"
    if extra:
        return f"extra definition ({_kind(ours[extra[0]])})"
    if list(ours) != list(theirs):
        return "definition order"
    for name in theirs:
        if ast.dump(ours[name]) != ast.dump(theirs[name]):
            return f"{_kind(theirs[name])}: {_generic(_part(ours[name], theirs[name]))}"
    if _imports(expected) != _imports(actual):
        return "imports"
    return "comments or layout"


def _generic(part: str) -> str:
    """`member forward: body` -> `method body` (cause groups should not be one per model)."""
    if part.startswith("member "):
        inner = part.split(": ", 1)[1] if ": " in part else part
        return f"member {_generic(inner)}"
    if part.startswith("members ("):
        return "members missing/extra"
    return part


def _kind(node: ast.AST) -> str:
    if isinstance(node, ast.ClassDef):
        return "class"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "function"
    return "assignment"
