"""The repository's own library, imported from its source tree (`src/` first, as smoke imports it)."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout


def import_library(layout: RepoLayout) -> ModuleType:
    """The tree's package; a copy imported from elsewhere (an installed wheel) is forgotten first."""
    src = str(layout.package_dir.parent)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    loaded = sys.modules.get(layout.package)
    if loaded is not None and not str(getattr(loaded, "__file__", "")).startswith(src + os.sep):
        for name in [name for name in sys.modules if name == layout.package or name.startswith(layout.package + ".")]:
            del sys.modules[name]
    if src not in sys.path:
        sys.path.insert(0, src)
    return importlib.import_module(layout.package)


def config_class(layout: RepoLayout, model_type: str) -> type:
    library = import_library(layout)
    mapping = importlib.import_module(f"{layout.package}.models.auto.configuration_auto").CONFIG_MAPPING
    if model_type not in mapping:
        raise ModelgenError(f"unknown model type {model_type!r} (not in CONFIG_MAPPING)",
                            layout.relative(layout.auto_dir / "configuration_auto.py"))
    del library
    return mapping[model_type]


def build_config(layout: RepoLayout, model_type: str, config_path: Path | None, overrides: dict[str, Any]):
    """The config from `config_path` (or the class defaults), then each `--set KEY=VALUE` (dotted for sub-configs)."""
    cls = config_class(layout, model_type)
    data = {}
    if config_path is not None:
        try:
            data = json.loads(config_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ModelgenError(f"invalid JSON: {error.msg}", config_path, error.lineno) from error
    config = cls.from_dict({key: value for key, value in data.items() if key != "model_type"})
    for key, value in overrides.items():
        *parents, name = key.split(".")
        target = config
        for parent in parents:
            target = getattr(target, parent)
        if not hasattr(target, name):
            raise ModelgenError(f"--set {key}: {type(target).__name__} has no attribute {name!r}")
        setattr(target, name, value)
    return config


def model_class(layout: RepoLayout, model_type: str, class_name: str | None) -> type:
    library = import_library(layout)
    if class_name is None:
        names = importlib.import_module(f"{layout.package}.models.auto.modeling_auto").MODEL_MAPPING_NAMES
        if model_type not in names:
            raise ModelgenError(f"no base model class for {model_type!r}: give --model-class")
        class_name = names[model_type]
    try:
        return getattr(library, class_name)
    except AttributeError as error:
        raise ModelgenError(f"{layout.package} exports no class {class_name!r}") from error


def build_on_meta(cls: type, config: Any, dtype):
    """The model with no memory behind its tensors, weights tied as `from_pretrained` ties them."""
    import torch

    with torch.device("meta"):
        model = cls(config)
    model.to(dtype)
    if hasattr(model, "tie_weights"):
        model.tie_weights()
    return model.eval()
