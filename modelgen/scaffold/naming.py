"""The casings of a model's name: the old model's (read from its files) and the new model's (from `--name`).

A model is named in several casings that the renamer treats separately: the class prefix (`Bert`, `GPT2`,
`XLMRoberta`), the folder / module name (`bert`, `xlm_roberta`), the config `model_type` (`bert`,
`xlm-roberta`), the hyphenated form used in checkpoint ids (`xlm-roberta`), the constant prefix (`BERT`,
`XLM_ROBERTA`) and the display name of the docs (`BERT`, `XLM-RoBERTa`).
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from modelgen.errors import ModelgenError, UsageError
from modelgen.files import read_text
from modelgen.repo import RepoLayout
from modelgen.scaffold.parsing import parse_python

_CAMEL_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+")


@dataclass(frozen=True)
class ModelNames:
    prefix: str  # class prefix: `BrandNewBert`
    folder: str  # package folder and module suffix: `brand_new_bert`
    model_type: str  # config `model_type`: `brand_new_bert` (`xlm-roberta` for some old models)
    constant: str  # `BRAND_NEW_BERT`
    display: str  # the docs' display name
    sub_model_types: tuple[str, ...] = ()  # other `model_type`s declared by the config file (`clip_text_model`)
    config_class: str = ""  # the main config class, where it is not `<prefix>Config` (`PixtralVisionConfig`)

    @property
    def hyphenated(self) -> str:
        return self.folder.replace("_", "-")

    @property
    def model_types(self) -> tuple[str, ...]:
        return (self.model_type, *self.sub_model_types)


def snake_case(camel: str) -> str:
    """`BrandNewBert` -> `brand_new_bert`, `GPT2Like` -> `gpt2_like`, `XLMRobertaNew` -> `xlm_roberta_new`."""
    words = _CAMEL_WORD.findall(camel)
    merged: list[str] = []
    for word in words:
        if word.isdigit() and merged:
            merged[-1] += word  # `GPT2` stays one word
        else:
            merged.append(word)
    return "_".join(word.lower() for word in merged)


def new_model_names(name: str, layout: RepoLayout) -> ModelNames:
    """Validate `--name` and derive its casings; refuse names that clash with the tree."""
    if not name.isascii() or not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(f"--name {name!r} is not a valid Python identifier of ASCII letters and digits")
    if not name[0].isupper() or "_" in name:
        raise UsageError(f"--name {name!r} must be a CamelCase class prefix such as BrandNewBert")
    folder = snake_case(name)
    if folder in layout.model_types or (layout.models_dir / "deprecated" / folder).is_dir():
        raise ModelgenError(f"--name {name!r}: the model type {folder!r} already exists", layout.models_dir / folder)
    existing = _registered_config(layout, name)
    if existing is not None:
        raise ModelgenError(f"--name {name!r}: the class {name}Config already exists ({existing})")
    return ModelNames(prefix=name, folder=folder, model_type=folder, constant=folder.upper(), display=name)


def _registered_config(layout: RepoLayout, prefix: str) -> str | None:
    """Where a `<prefix>Config` class is already registered in the auto mappings, if anywhere."""
    pattern = re.compile(rf"\(\s*\"([^\"]+)\"\s*,\s*\"{re.escape(prefix)}Config\"\s*\)")
    for path in sorted(layout.auto_dir.glob("*.py")) if layout.auto_dir.is_dir() else []:
        match = pattern.search(read_text(path))
        if match:
            return f"model type {match.group(1)!r} in {layout.relative(path)}"
    return None


def old_model_names(like: str, layout: RepoLayout) -> ModelNames:
    """Read the casings of the model `--like` names (a folder name or a `model_type`) from its files."""
    folder = like.replace("-", "_")
    model_dir = layout.model_dir(folder)
    if folder not in layout.model_types:
        close = [name for name in layout.model_types if folder in name][:5]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ModelgenError(f"--like {like!r}: no such model in {layout.relative(layout.models_dir)}{hint}")
    config_files = sorted(model_dir.glob("configuration_*.py"))
    if not config_files:
        raise ModelgenError(f"--like {like!r}: the model has no configuration file", model_dir)
    declared: dict[str, str] = {}
    for config_file in config_files:
        for model_type, class_name in _declared_model_types(config_file).items():
            _keep_shortest(declared, model_type, class_name)
    if not declared:
        raise ModelgenError("no config class with a `model_type` attribute", config_files[0])
    main_type, main_class = _main_config(declared, folder)
    prefix = _folder_stem(_class_prefix(declared, main_type, folder), folder)
    display = (_display_name(layout, main_type) if main_type.replace("-", "_") == folder else None) or prefix
    return ModelNames(
        prefix=prefix,
        folder=folder,
        model_type=main_type,
        constant=folder.upper(),
        display=display,
        sub_model_types=tuple(model_type for model_type in declared if model_type != main_type),
        config_class=main_class,
    )


def _declared_model_types(config_file: Path) -> dict[str, str]:
    """`model_type` value -> config class name, for every class of the file that sets one."""
    tree = parse_python(config_file)
    declared: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not node.name.endswith("Config"):
            continue
        for statement in node.body:
            model_type = _model_type_value(statement)
            if model_type is not None:
                _keep_shortest(declared, model_type, node.name)
    return declared


def _model_type_value(statement: ast.stmt) -> str | None:
    """The string of `model_type = "x"` or `model_type: ClassVar[str] = "x"` (5.x), else None."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    else:
        return None
    if not any(isinstance(target, ast.Name) and target.id == "model_type" for target in targets):
        return None
    value = statement.value
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _keep_shortest(declared: dict[str, str], model_type: str, class_name: str) -> None:
    """Several classes may share a `model_type` (`IdeficsVisionConfig`, `IdeficsConfig`): the shortest name is
    the model's own config, the others are its parts."""
    current = declared.get(model_type)
    if current is None or len(class_name) < len(current):
        declared[model_type] = class_name


def _class_prefix(declared: dict[str, str], main_type: str, folder: str) -> str:
    """The class prefix: the main config's, or the words every config class shares (`Data2Vec`)."""
    if main_type.replace("-", "_") == folder or len(declared) == 1:
        return declared[main_type].removesuffix("Config")
    return _shared_stem([name.removesuffix("Config") for name in declared.values()]) or declared[
        main_type
    ].removesuffix("Config")


def _word_ends(name: str) -> list[int]:
    return [match.end() for match in _CAMEL_WORD.finditer(name)]


def _shared_stem(names: list[str]) -> str:
    """The longest run of whole words every name starts with, as written (`Kosmos2_5`, not `Kosmos25`)."""
    stem = ""
    for end in _word_ends(names[0]):
        candidate = names[0][:end]
        if not all(name.startswith(candidate) and end in _word_ends(name) for name in names):
            break
        stem = candidate
    return stem


def _folder_stem(prefix: str, folder: str) -> str:
    """The prefix cut to its leading words that spell the folder (`PixtralVision` -> `Pixtral` for `pixtral`):
    the other classes of the model (`PixtralPreTrainedModel`) only share those. Cut only before a capital,
    since the prefix rule does not match before `_`."""
    target = _normalised(folder)
    for end in _word_ends(prefix):
        if end < len(prefix) and prefix[end].isupper() and _normalised(prefix[:end]) == target:
            return prefix[:end]
    return prefix


def _normalised(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _main_config(declared: dict[str, str], folder: str) -> tuple[str, str]:
    for model_type, class_name in declared.items():
        if model_type.replace("-", "_") == folder:
            return model_type, class_name
    # e.g. a folder whose config uses another spelling: the shortest class name is the composite one
    model_type = min(declared, key=lambda key: (len(declared[key]), key))
    return model_type, declared[model_type]


def _display_name(layout: RepoLayout, model_type: str) -> str | None:
    """The display name from `MODEL_NAMES_MAPPING` (4.x trees), if the tree has one."""
    path = layout.auto_dir / "configuration_auto.py"
    if not path.is_file():
        return None
    text = read_text(path)
    start = text.find("MODEL_NAMES_MAPPING = ")
    if start < 0:
        return None
    match = re.compile(rf"\(\s*\"{re.escape(model_type)}\"\s*,\s*\"([^\"]+)\"\s*\)").search(text, start)
    return match.group(1) if match else None
