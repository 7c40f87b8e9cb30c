"""The new package's `__init__.py`, in the style of the tree: 4.x `_import_structure` or 5.x lazy `__all__`.

The old `__init__.py` is read (not copied): its exports are kept for the modules that are copied, renamed,
under the same optional-dependency guards. Modules that are not copied (a reused tokenizer, TensorFlow) are
left out with their guards, so no guard is ever left empty.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.files import read_text
from modelgen.scaffold.parsing import parse_python
from modelgen.scaffold.renamer import Renaming
from modelgen.scaffold.templates import render


@dataclass(frozen=True)
class ExportGroup:
    module: str
    names: tuple[str, ...]
    guard: str | None  # the `is_..._available` function that gates the module, or None


def init_style(init_text: str) -> str:
    if "define_import_structure" in init_text:
        return "lazy_all"
    if "_import_structure" in init_text:
        return "import_structure"
    raise ModelgenError("unknown __init__.py style (neither `_import_structure` nor `define_import_structure`)")


def old_exports(init_path: Path) -> list[ExportGroup]:
    """Module -> exported names (with their guard) declared by a 4.x `_import_structure` `__init__.py`."""
    tree = parse_python(init_path)
    exports: dict[str, tuple[list[str], str | None]] = {}

    def add(module: str, names: list[str], guard: str | None) -> None:
        current = exports.setdefault(module, ([], guard))[0]
        current.extend(name for name in names if name not in current)

    def visit(body: list[ast.stmt], guard: str | None) -> None:
        for statement in body:
            if isinstance(statement, ast.Try):
                visit(statement.orelse, _guard_of(statement) or guard)
            elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict):
                for key, value in zip(statement.value.keys, statement.value.values):
                    if isinstance(key, ast.Constant):
                        add(key.value, _strings(value), guard)
            elif isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Subscript):
                module = _subscript_key(statement.targets[0])
                if module:
                    add(module, _strings(statement.value), guard)
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                call = statement.value
                if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Subscript):
                    module = _subscript_key(call.func.value)
                    if module:
                        add(module, [name for argument in call.args for name in _strings(argument)], guard)

    visit(tree.body, None)
    return [ExportGroup(module, tuple(names), guard) for module, (names, guard) in exports.items()]


def _guard_of(statement: ast.Try) -> str | None:
    for node in ast.walk(ast.Module(body=statement.body, type_ignores=[])):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("is_"):
            return node.func.id
    return None


def _subscript_key(node: ast.Subscript) -> str | None:
    if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


def _strings(node: ast.AST) -> list[str]:
    return [item.value for item in ast.walk(node) if isinstance(item, ast.Constant) and isinstance(item.value, str)]


def new_init(
    init_path: Path, copied_modules: list[str], renaming: Renaming, license_header: str,
    dropped: frozenset[str] = frozenset(),
) -> tuple[str, list[ExportGroup]]:
    """The text of the new `__init__.py` and the exports it declares (renamed), less the `dropped` names."""
    init_text = read_text(init_path)
    style = init_style(init_text)
    if style == "lazy_all":
        modules = sorted(renaming.apply(module) for module in copied_modules)
        return render("new_init_lazy_all.py.j2", header=license_header, modules=modules), []
    groups = [
        ExportGroup(group.module, tuple(name for name in group.names if name not in dropped), group.guard)
        for group in new_exports(init_path, copied_modules, renaming)
    ]
    groups = [group for group in groups if group.names]
    guards = sorted({group.guard for group in groups if group.guard})
    text = render(
        "new_init_import_structure.py.j2",
        header=license_header,
        unguarded=[group for group in groups if group.guard is None],
        guarded=[(guard, [group for group in groups if group.guard == guard]) for guard in guards],
        guards=guards,
    )
    return text, groups


def new_exports(init_path: Path, copied_modules: list[str], renaming: Renaming) -> list[ExportGroup]:
    """The exports of a 4.x `__init__.py` for the copied modules, renamed (none for a 5.x lazy one)."""
    if init_style(read_text(init_path)) == "lazy_all":
        return []
    return [
        ExportGroup(renaming.apply(group.module), tuple(map(renaming.apply, group.names)), group.guard)
        for group in old_exports(init_path)
        if group.module in copied_modules and group.names
    ]


def license_header(text: str) -> str:
    """The leading comment block of a module (its license), without any generated-file banner."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if "🚨" in line or "automatically generated" in line or "Do NOT edit" in line or "check_inits" in line \
                or "picked up once" in line:
            continue
        lines.append(line)
    return "\n".join(lines)
