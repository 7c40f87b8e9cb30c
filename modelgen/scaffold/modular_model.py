"""`new --like X --name Y --modular`: the new model as a minimal `modular_y.py` plus its expansion.

The modular file holds one subclass per public class of X's configuration and modeling files (renamed, with
nothing else), so that the library's own inheritance carries the code; the expansion replaces the full copies
`new` would write for those files. Everything else (package `__init__`, registration, tests, docs) is the plan
`new` builds anyway.
"""

from __future__ import annotations

import ast
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.formatting import fix_and_format_modules
from modelgen.modular import expander_for

_MODULAR_KINDS = ("configuration_", "modeling_")


def public_classes(path: Path, old_prefix: str) -> list[str]:
    """The classes a module exports (`__all__`) that carry the old model's prefix, in file order."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exported: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                exported = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    defined = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    return [name for name in defined if name in exported and name.startswith(old_prefix)]


def library_names(path: Path, old_prefix: str) -> dict[str, list[str]]:
    """Names carrying the old prefix that a model file imports from the library outside `models/`
    (`from ...modeling_outputs import Wav2Vec2BaseModelOutput`): the expansion renames their uses, so the
    modular file aliases them (`NewBaseModelOutput = Wav2Vec2BaseModelOutput`), as the library's own modular
    files do."""
    found: dict[str, list[str]] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.level >= 3
            and not (node.module or "").startswith("models")
        ):
            names = [a.name for a in node.names if a.asname is None and a.name.startswith(old_prefix)]
            if names:
                found.setdefault("." * node.level + (node.module or ""), []).extend(names)
    return found


def modular_text(
    header: str,
    old_folder: str,
    modules: dict[str, list[str]],
    old_prefix: str,
    new_prefix: str,
    aliases: dict[str, list[str]] | None = None,
) -> str:
    lines = [header.rstrip("\n") + "\n\n" if header.strip() else ""]
    for module, names in (aliases or {}).items():
        lines.append(f"from {module} import {', '.join(sorted(set(names)))}\n")
    for module, classes in modules.items():
        lines.append(f"from ..{old_folder}.{module} import {', '.join(classes)}\n")
    for names in (aliases or {}).values():
        for name in sorted(set(names)):
            lines.append(f"\n\n{new_prefix + name[len(old_prefix) :]} = {name}\n")
    exported = []
    for classes in modules.values():
        for name in classes:
            new_name = new_prefix + name[len(old_prefix) :]
            exported.append(new_name)
            lines.append(f"\n\nclass {new_name}({name}):\n    pass\n")
    lines.append(f"\n\n__all__ = [{', '.join(repr(name).replace(chr(39), chr(34)) for name in exported)}]\n")
    return "".join(lines)


def replace_with_modular(layout, changes, old, new, header: str) -> Path:
    """Swap the plan's copied configuration/modeling files for `modular_<new>.py` and its expansion."""
    old_dir, new_dir = layout.model_dir(old.folder), layout.models_dir / new.folder
    modules, aliases = {}, {}
    for path in sorted(old_dir.glob("*.py")):
        if path.stem.startswith(_MODULAR_KINDS) and not path.stem.startswith(
            ("modeling_tf_", "modeling_flax_")
        ):
            classes = public_classes(path, old.prefix)
            if classes:
                modules[path.stem] = classes
                for module, names in library_names(path, old.prefix).items():
                    aliases.setdefault(module, []).extend(names)
    if not modules:
        raise ModelgenError(
            f"{old.folder} exports no configuration or modeling class to inherit from", old_dir
        )
    modular_path = new_dir / f"modular_{new.folder}.py"
    text = modular_text(header, old.folder, modules, old.prefix, new.prefix, aliases)
    expander = expander_for(layout, {new.folder: f"{new.prefix}Config"})
    expansion = expander.expand(modular_path, text)
    names = list(expansion.outputs)
    formatted = fix_and_format_modules([expansion.outputs[n] for n in names], layout.settings, names)
    changes.set(modular_path, fix_and_format_modules([text], layout.settings, [modular_path.name])[0])
    for name, output in zip(names, formatted):
        changes.set(new_dir / name, output)
    return modular_path
