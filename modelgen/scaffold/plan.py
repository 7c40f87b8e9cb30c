"""Build every file and edit of `new --like` in memory, check that each Python output parses, then write.

Nothing touches the disk until the whole `ChangeSet` is computed and validated.
"""

from __future__ import annotations

import ast
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from modelgen.changeset import ChangeSet
from modelgen.errors import ModelgenError
from modelgen.files import FileProblem, read_text
from modelgen.formatting import format_snippets
from modelgen.repo import RepoLayout
from modelgen.scaffold.copier import copy_module
from modelgen.scaffold.exports import module_exports, taken_exports, without_exports
from modelgen.scaffold.markers import MarkerMaker, SourceIndex
from modelgen.scaffold.model_files import find_model_files
from modelgen.scaffold.naming import ModelNames, new_model_names, old_model_names
from modelgen.scaffold.ownership import analyse
from modelgen.scaffold.package_init import license_header, new_exports, new_init
from modelgen.scaffold.parsing import parse_python
from modelgen.scaffold.registration import Registrar
from modelgen.scaffold.renamer import RenameTransformer, Renaming, build_rules, embedded_prefix_names
from modelgen.scaffold.templates import render

_CHECKPOINT = re.compile(r"^_CHECKPOINT_FOR_DOC\s*=\s*\"([^\"]+)\"", re.MULTILINE)


@dataclass(frozen=True)
class NewModelRequest:
    like: str
    name: str
    checkpoint: str | None = None
    copy_tokenizer: bool = False
    with_tests: bool = True
    modular: bool = False  # write modular_<name>.py and its expansion instead of full copies


@dataclass
class NewModelPlan:
    changes: ChangeSet
    old: ModelNames
    new: ModelNames
    unmarked: list[str] = field(default_factory=list)  # copied definitions left without a verified marker
    dropped_exports: list[str] = field(default_factory=list)  # not exported: the tree exports them already
    skipped: list[str] = field(default_factory=list)  # special files of the old model's folder, not read


def plan_new_model(layout: RepoLayout, request: NewModelRequest) -> NewModelPlan:
    old = old_model_names(request.like, layout)
    new = new_model_names(request.name, layout)
    files = find_model_files(layout, old.folder, request.copy_tokenizer)
    sources = {module: read_text(files.path(module)) for module in files.modules}
    test_sources = {path: read_text(path) for path in files.tests} if request.with_tests else {}

    trees = [parse_python(files.path(module), text) for module, text in sources.items()]
    trees += [parse_python(path, text) for path, text in test_sources.items()]
    package_path = f"{layout.package}.models.{old.folder}"
    all_modules = {path.stem for path in files.package_dir.glob("*.py")}
    copied_names = {
        node.name
        for tree in trees[: len(sources)]
        for node in tree.body
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
    }

    old_checkpoint = _old_checkpoint(sources)
    checkpoint = request.checkpoint or (
        _default_checkpoint(old_checkpoint, old, new) if old_checkpoint else None)
    checkpoints = (old_checkpoint, checkpoint) if old_checkpoint and checkpoint else None
    rules = build_rules(old, new, checkpoints, embedded_prefix_names(copied_names, old.prefix))
    renaming = Renaming(rules)
    ownership = analyse(trees, set(files.modules), {package_path, layout.package}, copied_names)
    renaming.protect(sorted(ownership.protected_names()), sorted(ownership.protected_attributes()))
    renaming.protect(sorted(_foreign_model_types(layout, old)))

    transformer = RenameTransformer(renaming, set(files.modules), all_modules, old.folder, {package_path, layout.package})
    markers = MarkerMaker(renaming, SourceIndex(layout))
    new_dir = layout.models_dir / new.folder
    generated: dict[Path, str] = {}
    for module, text in sources.items():
        new_text = copy_module(text, files.path(module), f"{package_path}.{module}", transformer, markers)
        generated[new_dir / f"{renaming.apply(module)}.py"] = new_text
    dropped = _shadowing_exports(layout, generated, files, renaming, new)
    generated = {path: without_exports(text, dropped) for path, text in generated.items()}
    header = license_header(read_text(files.init))
    init_text, _ = new_init(files.init, list(files.modules), renaming, header, frozenset(dropped))
    generated[new_dir / "__init__.py"] = init_text

    model_classes = _model_classes(ownership.defined, sources, renaming, old)
    config_class = renaming.apply(old.config_class) if old.config_class else f"{new.prefix}Config"
    tests_dir = layout.tests_dir / "models" / new.folder
    if test_sources:
        generated[tests_dir / "__init__.py"] = ""
        for path, text in test_sources.items():
            module_name = layout.module_name(path)
            generated[tests_dir / f"{renaming.apply(path.stem)}.py"] = copy_module(
                text, path, module_name, transformer, markers
            )
    elif request.with_tests and layout.tests_dir.is_dir() and model_classes:
        generated[tests_dir / "__init__.py"] = ""
        generated[tests_dir / f"test_modeling_{new.folder}.py"] = render(
            "new_test_modeling.py.j2", header=header, display=new.display, old_type=old.folder, package=layout.package,
            config_class=config_class, model_classes=model_classes, folder=new.folder, prefix=new.prefix,
            model_type=new.model_type,
        )
    if model_classes:
        script = f"convert_{new.folder}_original_checkpoint_to_pytorch.py"
        generated[new_dir / script] = render(
            "new_conversion_script.py.j2", header=header, display=new.display, model_class=model_classes[0],
            package=layout.package, folder=new.folder, script_name=script, model_type=new.model_type,
            rules_name=f"{new.folder}_conversion_rules.toml",
        )

    changes = ChangeSet(layout.root)
    python_paths = [path for path in generated if path.suffix == ".py"]
    for path in python_paths:
        _check_parses(generated[path], path, layout)
    formatted = format_snippets([generated[path] for path in python_paths], layout.settings)
    for path, text in zip(python_paths, formatted):
        changes.set(path, text)
    if request.modular:
        from modelgen.scaffold.modular_model import replace_with_modular

        replace_with_modular(layout, changes, old, new, header)

    docs_page = layout.docs_dir / "model_doc" / f"{old.folder}.md"
    if docs_page.is_file():
        changes.set(
            layout.docs_dir / "model_doc" / f"{new.folder}.md",
            render("new_model_doc.md.j2", year=datetime.date.today().year, display=new.display,
                   old_display=old.display, old_folder=old.folder, checkpoint=checkpoint or new.hyphenated,
                   documented=[config_class, *model_classes], with_forward=set(model_classes)),
        )

    old_definitions = set(copied_names)
    skipped: list[str] = []
    for path in files.package_dir.glob("*.py"):
        if path.stem not in files.modules and not path.stem.startswith(("modeling_tf_", "modeling_flax_", "convert_")):
            old_definitions |= _top_level_names(path, skipped)
    exported_names = {name for name in copied_names if renaming.apply(name) not in dropped}
    Registrar(
        layout, old, new, renaming, copied_names=copied_names, exported_names=exported_names,
        old_definitions=old_definitions, dropped=frozenset(dropped),
    ).register(changes)
    _validate(changes, layout)
    return NewModelPlan(changes=changes, old=old, new=new, unmarked=markers.unverified,
                        dropped_exports=sorted(dropped), skipped=skipped)


def _shadowing_exports(layout: RepoLayout, generated: dict[Path, str], files, renaming: Renaming,
                       new: ModelNames) -> set[str]:
    """The new package's exports that the tree already exports elsewhere: exporting them again would shadow
    the originals at the top level (`EntropyBoundSampler`, an alias the renaming does not reach)."""
    names = {name for text in generated.values() for name in module_exports(text)}
    groups = new_exports(files.init, list(files.modules), renaming)
    names |= {name for group in groups for name in group.names}
    return taken_exports(layout, names, new.folder)


def _foreign_model_types(layout: RepoLayout, old: ModelNames) -> set[str]:
    """The model types and model folders the tree has for other packages: a string naming one stays as it is
    (vibevoice's config builds its audio tokenizer from `vibevoice_acoustic_tokenizer`, another package)."""
    folders = set(layout.model_types) - {old.folder}
    path = layout.auto_dir / "configuration_auto.py"
    if not path.is_file():
        return folders
    entry = r'^\s*\(?\s*"([\w.-]+)"\s*[,:]'  # `("bert", "BertConfig"),` and 5.x's `"bert": "BertConfig",`
    registered = set(re.findall(entry, read_text(path), re.MULTILINE))
    return (registered | folders) - {*old.model_types, old.folder, old.hyphenated}


def _old_checkpoint(sources: dict[str, str]) -> str | None:
    for module, text in sources.items():
        match = _CHECKPOINT.search(text)
        if match and "/" in match.group(1):
            return match.group(1)
    return None


def _default_checkpoint(old_checkpoint: str, old: ModelNames, new: ModelNames) -> str:
    """`google-bert/bert-base-uncased` -> `google-bert/brand-new-bert-base-uncased`: same organisation and suffix."""
    organisation, _, name = old_checkpoint.rpartition("/")
    for old_name in dict.fromkeys((old.hyphenated, old.folder, old.model_type)):
        renamed = re.sub(rf"(?<![A-Za-z0-9]){re.escape(old_name)}(?![A-Za-z0-9])", new.hyphenated, name, flags=re.I)
        if renamed != name:
            return f"{organisation}/{renamed}"
    return f"{organisation}/{new.hyphenated}"


def _model_classes(defined: set[str], sources: dict[str, str], renaming: Renaming, old: ModelNames) -> list[str]:
    """The new model's public PyTorch model classes, the base model first."""
    names = []
    for module, text in sources.items():
        if not module.startswith("modeling_"):
            continue
        for node in ast.parse(text).body:
            if isinstance(node, ast.ClassDef) and node.name.startswith(old.prefix) and any(
                isinstance(base, ast.Name) and base.id.endswith("PreTrainedModel") for base in node.bases
            ):
                names.append(renaming.apply(node.name))
    base = f"{renaming.apply(old.prefix)}Model"
    return sorted(names, key=lambda name: (name != base, name))


def _top_level_names(path: Path, skipped: list[str]) -> set[str]:
    """The classes and functions a module of the old model defines; a special file (a FIFO) is skipped."""
    try:
        tree = ast.parse(read_text(path))
    except FileProblem as problem:
        if not problem.skipped:
            raise
        skipped.append(str(problem))
        return set()
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}


def _validate(changes: ChangeSet, layout: RepoLayout) -> None:
    for path in changes.changed_paths():
        if path.suffix == ".py":
            _check_parses(changes.new_texts[path], path, layout)


def _check_parses(text: str, path: Path, layout: RepoLayout) -> None:
    try:
        ast.parse(text)
    except SyntaxError as error:
        raise ModelgenError(f"generated code does not parse: {error.msg}", layout.relative(path), error.lineno) from None
