"""Registering the new model wherever the tree registers the old one, as precise line insertions.

Each edit is located with `ast` (fast, read-only) and done as an insertion of whole lines next to the old
model's entry, at the place that keeps the neighbours sorted (or right after the old entry where the
neighbours are not sorted). The plan parses every edited file again before anything is written.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from modelgen.changeset import ChangeSet
from modelgen.repo import RepoLayout
from modelgen.scaffold.dummies import dummy_blocks, insertion_point, new_dummy_lines, new_model_import
from modelgen.scaffold.naming import ModelNames
from modelgen.scaffold.parsing import parse_python, statement_lists
from modelgen.scaffold.renamer import Renaming

_SKIPPED_AUTO_FILES = {"__init__.py", "auto_factory.py", "modeling_tf_auto.py", "modeling_flax_auto.py"}


@dataclass(frozen=True)
class Insertion:
    before_line: int  # 0-based index of the line the new lines go before
    lines: tuple[str, ...]
    sort_key: str = ""


def apply_insertions(text: str, insertions: list[Insertion]) -> str:
    lines = text.splitlines(keepends=True)
    for insertion in sorted(insertions, key=lambda item: (item.before_line, item.sort_key), reverse=True):
        lines[insertion.before_line : insertion.before_line] = [line + "\n" for line in insertion.lines]
    return "".join(lines)


@dataclass
class Registrar:
    layout: RepoLayout
    old: ModelNames
    new: ModelNames
    renaming: Renaming
    copied_names: set[str]  # old names of the copied definitions (renamed in registrations)
    exported_names: set[str]  # old names exported by the copied modules (listed in the top-level __init__)
    old_definitions: set[str]  # every top-level name of the old package (reused ones are not renamed)
    dropped: frozenset[str] = frozenset()  # names the new package does not export (the tree already does)

    def register(self, changes: ChangeSet) -> None:
        for path in sorted(self.layout.auto_dir.glob("*.py")):
            if path.name not in _SKIPPED_AUTO_FILES:
                self._edit(changes, path, self._auto_mapping_insertions)
        self._edit(changes, self.layout.models_dir / "__init__.py", self._models_init_insertions)
        init_path = self.layout.package_dir / "__init__.py"
        self._edit(changes, init_path, self._top_level_insertions)
        for path in sorted((self.layout.package_dir / "utils").glob("dummy_*_objects.py")):
            self._edit(changes, path, lambda text, dummy_path: self._dummy_insertions(
                text, dummy_path, init_path, changes.current(init_path)))
        self._edit(changes, self.layout.docs_dir / "_toctree.yml", self._toctree_insertions)

    def _edit(self, changes: ChangeSet, path: Path, insertions_for) -> None:
        text = changes.current(path)
        if text is None:
            return
        insertions = insertions_for(text, path)
        if insertions:
            changes.set(path, apply_insertions(text, insertions))

    # --- auto mappings: `("bert", "BertModel"),` entries of the OrderedDict lists -------------------------
    def _auto_mapping_insertions(self, text: str, path: Path) -> list[Insertion]:
        if not any(f'"{model_type}"' in text for model_type in self.old.model_types):
            return []
        lines = text.splitlines()
        insertions = []
        for node in ast.walk(parse_python(path, text)):
            if not isinstance(node, ast.List) or not node.elts:
                continue
            keys = [_tuple_key(element) for element in node.elts]
            if any(key is None for key in keys):
                continue
            for element, key in zip(node.elts, keys):
                if key in self.old.model_types and _owns_lines(lines, element):
                    new_key = self.renaming.apply(f'"{key}"')[1:-1]
                    if new_key in keys or self._names_dropped(element):
                        continue
                    new_lines = self._renamed_entry(lines, element)
                    before = _sorted_position(node.elts, keys, element, new_key)
                    insertions.append(Insertion(before, tuple(new_lines), new_key))
        return insertions

    def _names_dropped(self, element: ast.expr) -> bool:
        """The entry names a class the new package does not export: the lookup would find the original."""
        return any(self.renaming.apply(value) in self.dropped for value in _strings(element)[1:])

    def _renamed_entry(self, lines: list[str], element: ast.expr) -> list[str]:
        """The element's lines with each string renamed (ast columns are UTF-8 byte offsets)."""
        segment = [line.encode("utf-8") for line in lines[element.lineno - 1 : element.end_lineno]]
        strings = [node for node in ast.walk(element) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
        key = strings[0]
        for node in sorted(strings, key=lambda item: (item.lineno, item.col_offset), reverse=True):
            if node.lineno != node.end_lineno:
                continue
            row = node.lineno - element.lineno
            old_literal = segment[row][node.col_offset : node.end_col_offset].decode("utf-8")
            new_literal = self._renamed_literal(old_literal, node.value, node is key).encode("utf-8")
            segment[row] = segment[row][: node.col_offset] + new_literal + segment[row][node.end_col_offset :]
        return [line.decode("utf-8") for line in segment]

    def _renamed_literal(self, literal: str, value: str, is_key: bool) -> str:
        """Keys and the copied classes are renamed; classes the new model reuses (its tokenizer) are kept."""
        if value == self.old.display and not is_key:
            return literal.replace(value, self.new.display)
        if is_key or value in self.copied_names:
            return self.renaming.apply(literal)
        if value in self.old_definitions or _is_class_name(value):
            return literal
        return self.renaming.apply(literal)  # a module name (`clip`) or a display name

    # --- models/__init__.py: `    bert,` (4.x) or `    from .bert import *` (5.x) ----------------------------
    def _models_init_insertions(self, text: str, path: Path) -> list[Insertion]:
        lines = text.splitlines()
        shapes = [r"(\s*){},\s*$", r"(\s*)from \.{} import \*\s*$"]
        insertions = []
        for shape in shapes:
            own = re.compile(shape.format(re.escape(self.old.folder)))
            sibling = re.compile(shape.format(r"(\w+)"))
            for index, line in enumerate(lines):
                match = own.match(line)
                if match is None:
                    continue
                new_line = line.replace(self.old.folder, self.new.folder, 1)
                insertions.append(Insertion(_sorted_line_position(lines, index, sibling, self.new.folder), (new_line,)))
        return insertions

    # --- the top-level __init__.py of 4.x trees: `_import_structure["models.bert"]` and imports -------------
    def _top_level_insertions(self, text: str, path: Path) -> list[Insertion]:
        old_module, new_module = f"models.{self.old.folder}", f"models.{self.new.folder}"
        if f'"{old_module}"' not in text and f".{old_module} import" not in text:
            return []
        lines = text.splitlines()
        insertions = []
        for body in statement_lists(parse_python(path, text)):
            for statement in body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict):
                    insertions += self._dict_entry_insertions(lines, statement.value, old_module, new_module)
                form = _top_level_form(statement)
                if form is None or form[1] != old_module:
                    continue
                names = [self.renaming.apply(name) for name in form[2] if name in self.exported_names]
                if not names:
                    continue
                siblings = [(item, _top_level_form(item)) for item in body]
                siblings = [(item, shape[1]) for item, shape in siblings if shape is not None and shape[0] == form[0]]
                before = _sorted_statement_position(siblings, statement, new_module)
                indent = " " * statement.col_offset
                insertions.append(Insertion(before, tuple(_top_level_lines(form[0], indent, new_module, names)), new_module))
        return insertions

    # --- the dummy objects of 4.x trees (`utils/dummy_pt_objects.py`), in the order of the edited __init__ -----
    def _dummy_insertions(self, text: str, path: Path, init_path: Path, init_text: str | None) -> list[Insertion]:
        if not any(f"class {name}(" in text or f"def {name}(" in text for name in self.exported_names):
            return []  # most dummy files hold none of the old model's names: no need to parse them
        blocks = dummy_blocks(path, text)
        renamed = {old: self.renaming.apply(old) for old in self.exported_names if old in blocks}
        renamed = {old: new for old, new in renamed.items() if new != old}  # a shared name keeps its one dummy
        if not renamed or init_text is None:
            return []
        found = new_model_import(init_path, init_text, f"models.{self.new.folder}", set(renamed.values()))
        if found is None:
            return []
        imported, following = found
        renamed = {old: new for old, new in renamed.items() if new in imported}
        new_lines = new_dummy_lines(text, blocks, renamed)
        before = insertion_point(blocks, following)
        if before is None:
            return [Insertion(len(text.splitlines()), ("", "", *new_lines))]
        return [Insertion(before, (*new_lines, "", ""))]

    def _dict_entry_insertions(self, lines, node: ast.Dict, old_module: str, new_module: str) -> list[Insertion]:
        keys = [key.value if isinstance(key, ast.Constant) else None for key in node.keys]
        if old_module not in keys or new_module in keys:
            return []
        index = keys.index(old_module)
        names = [self.renaming.apply(name) for name in _strings(node.values[index]) if name in self.exported_names]
        if not names:
            return []
        key_node = node.keys[index]
        indent = " " * key_node.col_offset
        entries = [(key, value) for key, value in zip(node.keys, node.values) if key is not None]
        entry_keys = [key.value for key, _ in entries]
        if entry_keys == sorted(entry_keys):
            following = [key for key, _ in entries if key.value > new_module]
            before = following[0].lineno - 1 if following else entries[-1][1].end_lineno
        else:
            before = node.values[index].end_lineno
        body = [f'{indent}"{new_module}": [', *(f'{indent}    "{name}",' for name in names), f"{indent}],"]
        return [Insertion(before, tuple(body), new_module)]

    # --- docs/source/en/_toctree.yml ------------------------------------------------------------------------
    def _toctree_insertions(self, text: str, path: Path) -> list[Insertion]:
        lines = text.splitlines()
        own = re.compile(rf"(\s*)- local: model_doc/{re.escape(self.old.folder)}\s*$")
        sibling = re.compile(r"(\s*)- local: model_doc/(\S+)\s*$")
        insertions = []
        for index, line in enumerate(lines):
            match = own.match(line)
            if match is None or index + 1 >= len(lines) or "title:" not in lines[index + 1]:
                continue
            title_indent = lines[index + 1][: len(lines[index + 1]) - len(lines[index + 1].lstrip())]
            new_lines = (line.replace(f"model_doc/{self.old.folder}", f"model_doc/{self.new.folder}"),
                         f"{title_indent}title: {self.new.display}")
            before = _sorted_line_position(lines, index, sibling, self.new.folder, step=2)
            insertions.append(Insertion(before, new_lines))
        return insertions


def _is_class_name(value: str) -> bool:
    return value.isidentifier() and value[:1].isupper() and any(character.islower() for character in value)


def _tuple_key(element: ast.expr) -> str | None:
    if isinstance(element, ast.Tuple) and len(element.elts) == 2:
        first = element.elts[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def _owns_lines(lines: list[str], element: ast.expr) -> bool:
    """The element starts its first line and only a comma (and a comment) follows it on its last line."""
    before = lines[element.lineno - 1].encode("utf-8")[: element.col_offset].decode("utf-8", "replace")
    after = lines[element.end_lineno - 1].encode("utf-8")[element.end_col_offset :].decode("utf-8", "replace").strip()
    return not before.strip() and (after == "," or after.startswith(",  #") or after.startswith(", #"))


def _sorted_position(elements: list[ast.expr], keys: list[str], own: ast.expr, new_key: str) -> int:
    if keys == sorted(keys):
        for element, key in zip(elements, keys):
            if key > new_key:
                return element.lineno - 1
        return elements[-1].end_lineno
    return own.end_lineno


def _sorted_line_position(lines: list[str], index: int, sibling: re.Pattern, new_name: str, step: int = 1) -> int:
    """Among the contiguous sibling lines around `index`, the line a new sibling named `new_name` goes before."""
    indent = sibling.match(lines[index]).group(1)
    start = index
    while start - step >= 0 and _sibling_name(lines[start - step], sibling, indent) is not None:
        start -= step
    end = index
    while end + step < len(lines) and _sibling_name(lines[end + step], sibling, indent) is not None:
        end += step
    names = [_sibling_name(lines[row], sibling, indent) for row in range(start, end + 1, step)]
    if names != sorted(names):
        return index + step
    for row in range(start, end + 1, step):
        if _sibling_name(lines[row], sibling, indent) > new_name:
            return row
    return end + step


def _sibling_name(line: str, sibling: re.Pattern, indent: str) -> str | None:
    match = sibling.match(line)
    if match is None or match.group(1) != indent:
        return None
    return match.group(2)


def _top_level_form(statement: ast.stmt) -> tuple[str, str, list[str]] | None:
    """("extend"|"append"|"import", module, names) for the statements that list a model's exports."""
    if isinstance(statement, ast.ImportFrom) and statement.level == 1 and (statement.module or "").startswith("models."):
        return "import", statement.module, [alias.name for alias in statement.names]
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        function = statement.value.func
        if isinstance(function, ast.Attribute) and function.attr in ("extend", "append") and isinstance(
            function.value, ast.Subscript
        ):
            key = function.value.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.startswith("models."):
                names = [name for argument in statement.value.args for name in _strings(argument)]
                return "extend", key.value, names
    return None


def _sorted_statement_position(siblings, own: ast.stmt, new_key: str) -> int:
    keys = [key for _, key in siblings]
    if keys != sorted(keys):
        return own.end_lineno
    for item, key in siblings:
        if key > new_key:
            return item.lineno - 1
    return siblings[-1][0].end_lineno


def _top_level_lines(form: str, indent: str, module: str, names: list[str]) -> list[str]:
    if form == "import":
        if len(names) == 1:
            return [f"{indent}from .{module} import {names[0]}"]
        return [f"{indent}from .{module} import (", *(f"{indent}    {name}," for name in names), f"{indent})"]
    if len(names) == 1:
        return [f'{indent}_import_structure["{module}"].append("{names[0]}")']
    return [
        f'{indent}_import_structure["{module}"].extend(',
        f"{indent}    [",
        *(f'{indent}        "{name}",' for name in names),
        f"{indent}    ]",
        f"{indent})",
    ]


def _strings(node: ast.AST) -> list[str]:
    return [item.value for item in ast.walk(node) if isinstance(item, ast.Constant) and isinstance(item.value, str)]
