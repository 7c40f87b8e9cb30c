"""The public names a new model exports, and the guard that keeps them from shadowing the tree's.

Every export of a model package becomes `transformers.<Name>`. A copy that exports a name the tree already
exports (a helper class whose name does not hold the model's name, an alias the renaming cannot reach)
would replace the original at the top level. Such names are dropped from the copy's exports (its `__all__`
lists and its `__init__`), and the definitions stay in the copied modules for their own use.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from modelgen.files import FileProblem, read_bytes
from modelgen.repo import RepoLayout
from modelgen.scaffold.package_init import old_exports


def module_exports(text: str) -> list[str]:
    """The names of a module's top-level `__all__` list (none when it has no list of strings)."""
    node = _all_assignment(ast.parse(text))
    return [] if node is None else [item.value for item in node.value.elts if _is_string(item)]


def taken_exports(layout: RepoLayout, names: set[str], own_folder: str) -> set[str]:
    """Those of `names` that a module of the tree outside the `own_folder` package already exports.

    Only files that list exports (`__all__`, `_import_structure`) and quote one of the names are decoded and
    parsed; TF/Flax modules and conversion scripts export no PyTorch name a copy could take.
    """
    if not names:
        return set()
    quoted = re.compile(b"[\"'](" + b"|".join(re.escape(name.encode()) for name in sorted(names)) + b")[\"']")
    own_dir = layout.models_dir / own_folder
    taken: set[str] = set()
    for path in sorted(layout.package_dir.rglob("*.py")):
        if own_dir in path.parents or path.name.startswith(_NOT_EXPORTING):
            continue
        try:
            content = read_bytes(path, layout.root)
        except FileProblem:
            continue  # a special or unreadable file exports nothing that could clash
        if (b"__all__" in content or b"_import_structure" in content) and quoted.search(content):
            taken |= names & _file_exports(path, content.decode("utf-8", errors="replace"))
    return taken


_NOT_EXPORTING = ("modeling_tf_", "modeling_flax_", "convert_")


def _file_exports(path: Path, text: str) -> set[str]:
    try:
        exported = set(module_exports(text))
    except SyntaxError:
        return set()
    if path.name == "__init__.py" and "_import_structure" in text:
        exported |= {name for group in old_exports(path) for name in group.names}
    return exported


def without_exports(text: str, dropped: set[str]) -> str:
    """The module with the `dropped` names taken out of its `__all__` list (rewritten one name a line)."""
    node = _all_assignment(ast.parse(text))
    if node is None or not dropped & {item.value for item in node.value.elts if _is_string(item)}:
        return text
    kept = [item.value for item in node.value.elts if _is_string(item) and item.value not in dropped]
    start, end = _offset(text, node.value.lineno, node.value.col_offset), _offset(
        text, node.value.end_lineno, node.value.end_col_offset
    )
    listing = "[" + "".join(f'\n    "{name}",' for name in kept) + ("\n]" if kept else "]")
    return text[:start] + listing + text[end:]


def _all_assignment(tree: ast.Module) -> ast.Assign | None:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            return node
    return None


def _is_string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _offset(text: str, lineno: int, col_offset: int) -> int:
    """The character offset of an `ast` position (its column counts UTF-8 bytes)."""
    lines = text.split("\n")  # not `splitlines`: a form feed does not end a line for `ast`
    before = sum(len(line) + 1 for line in lines[: lineno - 1])
    return before + len(lines[lineno - 1].encode("utf-8")[:col_offset].decode("utf-8"))
