"""The modular expansion engine: one modular file in, the text of each file generated from it out.

The steps follow the library's converter (`utils/modular_model_converter.py`), see the README's "Modular
expansion" section: read the modular file and the parent files it imports from (renamed to the new model),
merge each class that inherits from a parent class with it through the class rules, pull every dependency the
result needs from the parent file in the parent's order, split the classes between file kinds by name, and
compute each file's imports. The rules are given to the engine; it does not know them.
"""

from __future__ import annotations

import ast
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from modelgen.modular.banner import banner
from modelgen.modular.errors import ModularError, line_of
from modelgen.modular.file_kinds import SUFFIX_TO_KIND, file_name, kind_of_class
from modelgen.modular.imports import needed_imports
from modelgen.modular.mapping import (
    ModuleMap,
    Statement,
    closure,
    code_of,
    import_module_of,
    is_import_line,
    module_name_of,
    names_in,
)
from modelgen.modular.merge import ClassMerge, common_partial_suffix, dotted_name
from modelgen.modular.naming import CaseRename, ModelNames
from modelgen.modular.sources import ModelImport, SourceCache, model_import, renamed_text

# always placed first in a generated file, in this order, whatever uses them
VARIABLES_AT_THE_BEGINNING = ("logger", "_CHECKPOINT_FOR_DOC", "_CONFIG_FOR_DOC")
# module-level names whose modular value always wins over the parent's, and those whose wins unless None
ASSIGNMENTS_KEPT = (r"_CHECKPOINT", r"_EXPECTED", r"_FOR_DOC", r"_HIDDEN_STATES_START_POSITION")
ASSIGNMENTS_KEPT_UNLESS_NONE = (r"_DOCSTRING",)
# module-level hooks the modular file defines are written to the file of the classes they name, before `__all__`
MODULE_HOOKS = ("__getattr__",)
_MODULAR_NAME = re.compile(r"modular_(.*)\.py$")


@dataclass
class Expansion:
    modular: Path
    model_name: str
    outputs: dict[str, str]  # generated file name -> text, banner included, not yet formatted
    parents: list[Path] = field(default_factory=list)  # the library files the expansion read


class Expander:
    """Expands modular files of one repository; parent files are read once per process."""

    def __init__(self, layout, rules, extra_config_names: dict[str, str] | None = None):
        """extra_config_names: `model_type -> config class` of models registered by a pending change."""
        self.layout = layout
        self.rules = rules
        self.names = ModelNames.read(layout.auto_dir)
        if extra_config_names:
            self.names = ModelNames({**self.names.config_names, **extra_config_names})
        self.cache = SourceCache()

    def expand(self, path: Path, text: str | None = None) -> Expansion:
        """Expand the modular file at `path` (its `text` when given: a file not written yet)."""
        return _Run(self, path.resolve(), text).expansion()

    def parent_files(self, path: Path) -> list[Path]:
        """The library files a modular file imports from, without expanding it (for dependency lookups)."""
        module = _parse(path.read_text(encoding="utf-8"), path)
        found = []
        for statement in module.body:
            if is_import_line(statement) and isinstance(statement.body[0], cst.ImportFrom):
                imported = model_import(
                    module_name_of(statement.body[0]), self.layout.models_dir, self.layout.package
                )
                if imported is not None and imported.path not in found:
                    found.append(imported.path)
        return found


def _parse(text: str, path: Path) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise ModularError(f"syntax error: {error.message}", path, error.raw_line) from None


class _ModularMap(ModuleMap):
    all_per_kind: dict[str, cst.CSTNode]

    def record_all(self, statement) -> None:
        statement = statement.node
        value = statement.body[0].value
        per_kind: dict[str, list[cst.SimpleString]] = defaultdict(list)
        if isinstance(value, cst.List):
            for element in value.elements:
                if isinstance(element.value, cst.SimpleString):
                    per_kind[kind_of_class(element.value.evaluated_value)].append(element.value.value)
        assign = statement.body[0]
        self.all_per_kind = {
            kind: statement.with_changes(
                body=[assign.with_changes(value=cst.List([cst.Element(cst.SimpleString(v)) for v in values]))]
            )
            for kind, values in per_kind.items()
        }


class _Run:
    def __init__(self, expander: Expander, path: Path, text: str | None = None):
        self.expander, self.path, self.names = expander, path, expander.names
        self.layout = expander.layout
        match = _MODULAR_NAME.search(path.name)
        if match is None:
            raise ModularError("not a modular file (expected modular_<model>.py)", path)
        self.model = match.group(1)
        self.text = text if text is not None else path.read_text(encoding="utf-8")

    # -- reading -----------------------------------------------------------------------------------------
    def expansion(self) -> Expansion:
        self._read_modular()
        self._read_parents()
        self._merge_parent_objects()
        files = self._create_files()
        relative = self.layout.relative(self.path)
        outputs = {}
        for kind, body in files.items():
            text = banner(relative) + self._module_code(body)
            outputs[file_name(kind, self.model)] = text
        return Expansion(self.path, self.model, outputs, [p.path for p in self.parents.values()])

    def _read_modular(self) -> None:
        self.imported: dict[str, ModelImport] = {}
        self.parents: dict[str, ModelImport] = {}

        def keep_import(statement) -> bool:
            syntax = statement.syntax[0]
            if not isinstance(syntax, ast.ImportFrom):
                return True
            module_name = import_module_of(syntax)
            if model_import(module_name, self.layout.models_dir, self.layout.package) is None:
                return module_name != self.layout.package or self._refuse_package_import(module_name)
            node = statement.node.body[0]
            found = model_import(module_name, self.layout.models_dir, self.layout.package)
            if not found.path.is_file():
                raise self._error(
                    f"imported file {self.layout.relative(found.path)} does not exist", re.escape(module_name)
                )
            if isinstance(node.names, cst.ImportStar):
                raise self._error(
                    "a star import from another model's file is not supported", re.escape(module_name)
                )
            for alias in node.names:
                self.imported[code_of(alias.name)] = found
            self.parents.setdefault(found.key, found)
            return False

        self.modular = _ModularMap.read(self.text, self.path, keep_import)
        if not hasattr(self.modular, "all_per_kind"):
            self.modular.all_per_kind = {}
        statements = self.modular.statements
        self.header = cst.parse_module(statements[0].text).header if statements else ()
        self.names_of: dict[int, set[str]] = {}  # id(node) -> the names it uses, for the output's imports
        for name, node in self.modular.classes.items():
            if len(self._model_bases(node)) > 1:
                raise self._error(
                    f"class {name} has more than one base from another model's file", rf"^class {name}\b"
                )

    def _refuse_package_import(self, module_name: str) -> bool:
        raise self._error(
            f"import from `{module_name}` directly is not supported; import from the model's file",
            rf"^from {module_name} ",
        )

    def _error(self, message: str, pattern: str) -> ModularError:
        return ModularError(message, self.layout.relative(self.path), line_of(self.text, pattern))

    def _model_bases(self, statement) -> list[str]:
        node = statement.node
        return [
            b.value.value
            for b in node.bases
            if isinstance(b.value, cst.Name) and b.value.value in self.imported
        ]

    def _prefixes(self) -> dict[str, str]:
        """The lowercase name each parent file is renamed to: the model's, or the class prefix its classes use."""
        default = self.names.cased(self.model)
        counters: dict[str, Counter] = defaultdict(Counter)
        for name, node in self.modular.classes.items():
            bases = self._model_bases(node)
            if len(bases) == 1:
                prefix = default
                suffix = common_partial_suffix(name, bases[0])
                if suffix and suffix[0].isupper():
                    prefix = name.replace(suffix, "")
                counters[self.imported[bases[0]].key][prefix] += 1
        prefixes = {}
        for key, counter in counters.items():
            if len(counter) > 1:
                top = counter.most_common(1)[0][1]
                tied = [name for name, count in counter.most_common() if count == top]
                chosen = default if default in tied else tied[-1]
            else:
                chosen = next(iter(counter))
            parent = self.parents[key]
            old_prefix = chosen.replace(default, self.names.cased(parent.model))
            if chosen != default and f"\nclass {old_prefix}" in self.expander.cache.text(parent.path):
                chosen = default
            prefixes[key] = self.names.lowercase(chosen)
        return {key: prefixes.get(key, self.model) for key in self.parents}

    def _read_parents(self) -> None:
        self.renames: dict[str, CaseRename] = {}
        self.mappers: dict[str, ModuleMap] = {}
        for key, prefix in self._prefixes().items():
            parent = self.parents[key]
            rename = CaseRename(parent.model, prefix, self.names)
            text = renamed_text(self.expander.cache.text(parent.path), rename)
            if rename.new != self.model.replace("-", "_"):
                text = _with_sibling_imports_renamed(text, rename.new, self.model)
            mapper = ModuleMap.read(text, parent.path)
            self._merge_modular_into(mapper)
            self.renames[key], self.mappers[key] = rename, mapper

    def _merge_modular_into(self, mapper: ModuleMap) -> None:
        modular = self.modular
        mapper.functions.update(modular.functions)
        for name in modular.functions:
            mapper.object_dependencies[name] = modular.object_dependencies.get(name, set())
        mapper.global_nodes.update(mapper.functions)
        for name, node in modular.assignments.items():
            keep = any(re.search(p, name) for p in ASSIGNMENTS_KEPT)
            value = node.node.body[0].value
            is_none = isinstance(value, cst.Name) and value.value == "None"
            keep_unless_none = any(re.search(p, name) for p in ASSIGNMENTS_KEPT_UNLESS_NONE) and not is_none
            if keep or keep_unless_none or name not in mapper.assignments:
                mapper.assignments[name] = node
                if name in modular.object_dependencies:
                    mapper.object_dependencies[name] = modular.object_dependencies[name]
        mapper.global_nodes.update(mapper.assignments)
        mapper.global_nodes.update(
            {
                name: node
                for name, node in modular.classes.items()
                if name not in mapper.classes and name not in mapper.imported_from_siblings
            }
        )
        mapper.restrict_to_globals()
        mapper.compute_recursive_dependencies()
        mapper.compute_class_dependencies()

    def _merge_parent_objects(self) -> None:
        """Functions and constants the modular file imports from a parent become its own, with their needs."""
        modular = self.modular
        own = dict(modular.global_nodes)
        self.added_from: dict[str, str] = {}
        for name, parent in self.imported.items():
            mapper = self.mappers[parent.key]
            if name in mapper.functions and name not in modular.functions:
                target = modular.functions
            elif name in mapper.assignments and name not in modular.assignments:
                target = modular.assignments
            else:
                continue
            target[name] = mapper.global_nodes[name]
            self.added_from[name] = parent.key
            dependencies = mapper.object_dependencies.get(name)
            if dependencies is not None:
                modular.object_dependencies[name] = dependencies
                for dependency in dependencies:
                    if dependency not in own:
                        self.added_from[dependency] = parent.key
                        target[dependency] = mapper.global_nodes[dependency]
            if target is modular.functions:
                recursive = mapper.recursive_dependencies.get(name, set())
                for key, other in self.mappers.items():
                    if key != parent.key:
                        other.global_nodes[name] = mapper.functions[name]
                        if recursive:
                            other.recursive_dependencies[name] = recursive
                            other.global_nodes.update({d: mapper.global_nodes[d] for d in recursive})
        modular.global_nodes = {**modular.assignments, **modular.classes, **modular.functions}
        modular.restrict_to_globals()
        modular.compute_recursive_dependencies()
        self.imported_per_kind: dict[str, set[str]] = defaultdict(set)
        for key, mapper in self.mappers.items():
            self.imported_per_kind[_kind_of_file_module(self.parents[key].file)] |= (
                mapper.imported_from_siblings
            )

    # -- writing -----------------------------------------------------------------------------------------
    def _create_files(self) -> dict[str, dict[str, tuple[int, cst.CSTNode]]]:
        files: dict[str, dict[str, tuple[int, cst.CSTNode]]] = defaultdict(dict)
        counters: dict[str, int] = defaultdict(int)
        self.extra_imports: list[cst.CSTNode] = []
        for name, node in self.modular.classes.items():
            nodes, kind, new_imports = self._class_and_dependencies(name, node, files)
            self.imported_per_kind[kind] |= set(new_imports)
            self.extra_imports.extend(new_imports.values())
            for dependency, (_, dependency_node) in sorted(nodes.items(), key=lambda item: item[1][0]):
                if dependency in VARIABLES_AT_THE_BEGINNING:
                    index = -1000 + VARIABLES_AT_THE_BEGINNING.index(dependency)
                else:
                    index = counters[kind]
                    counters[kind] += 1
                files[kind][dependency] = (index, dependency_node)
        for name in MODULE_HOOKS:
            if name in self.modular.assignments:
                statement = self.modular.assignments[name]
                # the file of the first class it names, in code or in strings (`"XProcessorKwargs": ...`)
                kinds = [
                    kind_of_class(n)
                    for n in re.findall(r"\b[A-Z]\w*", statement.text or code_of(statement.node))
                ]
                kind = next((k for k in kinds if k != "modeling"), "modeling")
                files[kind][name] = (counters[kind], self._node(statement))
                counters[kind] += 1
        for kind, node in self.modular.all_per_kind.items():
            files[kind]["__all__"] = (counters[kind], node)
            self.names_of[id(node)] = set()
        return files

    def _class_and_dependencies(self, name, node, files):
        bases = self._model_bases(node)
        kind = kind_of_class(name)
        present = files[kind]
        imported = self.imported_per_kind[kind]
        if bases:
            parent = self.imported[bases[0]]
            mapper = self.mappers[parent.key]
            renamed_super = self.renames[parent.key](bases[0])
            if renamed_super not in mapper.classes:  # the converter fails here too
                raise self._error(
                    f"{bases[0]} is not a class of {self.layout.relative(parent.path)}", rf"^class {name}\b"
                )
            merged = self._merged_class(mapper, node.node, renamed_super, bases[0])
            used, in_annotations = names_in(merged)
            self.names_of[id(merged)] = used | in_annotations
            dependencies = mapper.dependencies_of_class(name, used, excluded=imported)
            dependencies, new_imports = self._split_other_kinds(kind, dependencies, mapper)
            # a class the modular file defines is written from the modular file, with its own dependencies
            wanted = closure(
                mapper.class_dependencies, dependencies, already=set(present) | set(self.modular.classes)
            )
            order = self._parent_order(mapper, set(wanted))
            nodes = {dep: (order[dep], self._node(mapper.global_nodes[dep])) for dep in wanted}
        else:
            merged = self._node(node)
            dependencies = self.modular.dependencies_of_class(name, node.names, excluded=imported)
            dependencies, new_imports = self._split_other_kinds(kind, dependencies, self.modular)
            order = self._modular_order(dependencies)
            nodes = {
                dep: (order[dep], self._node(self.modular.global_nodes[dep]))
                for dep in dependencies
                if dep not in present
            }
        nodes[name] = (max(order.values()) + 1 if order else 0, merged)
        return nodes, kind, new_imports

    def _merged_class(self, mapper, node, renamed_super, super_class) -> cst.ClassDef:
        child_bases = [dotted_name(base.value) for base in node.bases]
        if any(base is None for base in child_bases):
            raise self._error(
                f"class {node.name.value}: a base that is not a dotted name", rf"^class {node.name.value}\b"
            )
        merge = ClassMerge(
            parent=_indented(mapper.classes[renamed_super].node),
            child=_indented(node),
            super_class=super_class,
            renamed_super=renamed_super,
            rename_docs=self._rename_docs,
            child_bases=child_bases,
            ancestors=self._ancestors(mapper, mapper.classes[renamed_super]),
        )
        for rule in self.expander.rules:
            rule.apply(merge)
        return merge.result()

    def _node(self, statement) -> cst.CSTNode:
        node = statement.node
        self.names_of[id(node)] = statement.names | statement.annotation_names
        return node

    def _ancestors(self, mapper: ModuleMap, statement) -> set[str]:
        """The names of the classes `statement`'s class inherits from, through the parent and modular files."""
        found: set[str] = set()
        pending = [statement]
        while pending:
            current = pending.pop()
            for base in current.syntax[0].bases:
                name = ast.unparse(base)
                if name in found:
                    continue
                found.add(name)
                for classes in (mapper.classes, self.modular.classes):
                    if name in classes:
                        pending.append(classes[name])
        return found

    def _rename_docs(self, old_prefix: str, new_prefix: str, node: cst.CSTNode) -> cst.CSTNode:
        rename = CaseRename(self.names.lowercase(old_prefix), self.names.lowercase(new_prefix), self.names)
        return node.visit(_DocsRename(rename))

    def _split_other_kinds(self, kind, dependencies, mapper):
        """A class of another file kind is imported from that file instead of being copied."""
        kept, new_imports = set(dependencies), {}
        for dependency in dependencies:
            if mapper.global_nodes[dependency].kind == "class":
                other = kind_of_class(dependency)
                if other != kind:
                    kept.discard(dependency)
                    module = file_name(other, self.model)[: -len(".py")]
                    new_imports[dependency] = cst.parse_statement(f"from .{module} import {dependency}")
        return kept, new_imports

    def _parent_order(self, mapper: ModuleMap, wanted: set[str]) -> dict[str, int]:
        """Dependencies in the parent file's order, each class after what it needs."""
        positions, modular_positions = mapper.positions, self.modular.positions
        order: dict[str, int] = {}
        remaining = set(wanted)

        def place(names: list[str]) -> None:
            for name in names:
                remaining.discard(name)
                order[name] = len(order)

        def by_parent(names) -> list[str]:
            return sorted(sorted(names, reverse=True), key=lambda n: positions.get(n, 1e10))

        def by_modular(names) -> list[str]:
            return sorted(sorted(names), key=lambda n: modular_positions.get(n, 1e10))

        for class_name in sorted((n for n in wanted if n in mapper.classes), key=lambda n: positions[n]):
            needed = mapper.class_dependencies.get(class_name, set()) & remaining
            place(
                by_parent([n for n in needed if n in positions])
                + by_modular([n for n in needed if n not in positions])
            )
            if class_name in remaining:
                place([class_name])
        rest = list(remaining)
        place(
            by_parent([n for n in rest if n not in modular_positions])
            + by_modular([n for n in rest if n in modular_positions])
        )
        return order

    def _modular_order(self, dependencies: set[str]) -> dict[str, int]:
        per_parent: dict[str, list[str]] = defaultdict(list)
        own = []
        for name in dependencies:
            if name in self.added_from:
                per_parent[self.added_from[name]].append(name)
            else:
                own.append(name)
        ordered = []
        for key in self.parents:
            positions = self.mappers[key].positions
            ordered += sorted(sorted(per_parent.get(key, [])), key=lambda n: positions.get(n, 1e10))
        ordered += sorted(sorted(own), key=lambda n: self.modular.positions.get(n, 1e10))
        return {name: index for index, name in enumerate(ordered)}

    def _module_code(self, body: dict[str, tuple[int, cst.CSTNode]]) -> str:
        nodes = _bases_first([node for _, node in sorted(body.values(), key=lambda item: item[0])])
        all_imports = list(self.modular.imports) + [
            Statement.of_node("import", None, n) for n in self.extra_imports
        ]
        seen = {statement.code for statement in all_imports}
        for mapper in self.mappers.values():
            for statement in mapper.imports:
                if statement.code not in seen:
                    all_imports.append(statement)
                    seen.add(statement.code)
        used = set().union(*(self.names_of.get(id(node), set()) for node in nodes)) if nodes else set()
        imports = needed_imports(all_imports, used, set(body))
        return cst.Module(body=[*imports, *nodes], header=self.header).code


def _bases_first(nodes: list[cst.CSTNode]) -> list[cst.CSTNode]:
    """Move a class written before a class of the file it inherits from to just after it.

    The converter puts every dependency before the class needing it, so a dependency that subclasses it
    (`WhisperEncoder(WhisperPreTrainedModel)`, named in the base's `_init_weights`) would come first and fail at
    import; files the library ships never have this order, so this changes none of them.
    """
    nodes = list(nodes)
    for _ in range(len(nodes)):
        positions = {
            node.name.value: index for index, node in enumerate(nodes) if isinstance(node, cst.ClassDef)
        }
        moved = False
        for index, node in enumerate(nodes):
            if not isinstance(node, cst.ClassDef):
                continue
            later = [
                positions[b]
                for b in (dotted_name(arg.value) for arg in node.bases)
                if positions.get(b, -1) > index
            ]
            if later:
                nodes.insert(max(later), nodes.pop(index))
                moved = True
                break
        if not moved:
            return nodes
    return nodes


def _indented(node: cst.ClassDef) -> cst.ClassDef:
    """`class X(Base): ...` on one line, as an indented block (what the rules read)."""
    if isinstance(node.body, cst.SimpleStatementSuite):
        lines = [cst.SimpleStatementLine(body=[statement]) for statement in node.body.body]
        return node.with_changes(body=cst.IndentedBlock(body=lines))
    return node


def _kind_of_file_module(file: str) -> str:
    kinds = sorted({k.split("*")[0] for k in SUFFIX_TO_KIND.values()} | {"modeling"}, key=len, reverse=True)
    return next((kind for kind in kinds if file.startswith(kind + "_")), "modeling")


class _DocsRename(cst.CSTTransformer):
    def __init__(self, rename: CaseRename):
        self.rename = rename

    def leave_SimpleString(self, original_node, updated_node):
        return updated_node.with_changes(value=self.rename(updated_node.value))

    def leave_Comment(self, original_node, updated_node):
        return updated_node.with_changes(value=self.rename(updated_node.value))


def _with_sibling_imports_renamed(text: str, prefix: str, model: str) -> str:
    """A parent renamed to a class prefix (`emu3_text`) still imports the new model's files (`emu3`)."""
    kinds = "|".join(sorted({k.split("*")[0] for k in SUFFIX_TO_KIND.values()} | {"modeling"}))
    pattern = re.compile(rf"^(from \.)({kinds})_{re.escape(prefix)}\b", re.MULTILINE)
    return pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}_{model}", text)
