"""Which files of the old model are copied: its PyTorch modeling modules, its configuration, what they import.

TensorFlow and Flax modules, conversion scripts and modular sources are not copied. Tokenizers, processors,
image processors and feature extractors are reused from the old model unless `--copy-tokenizer` is given.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from modelgen.repo import RepoLayout
from modelgen.scaffold.parsing import parse_python

_PREPROCESSING_PREFIXES = (
    "tokenization_",
    "processing_",
    "image_processing_",
    "feature_extraction_",
    "video_processing_",
)
_NEVER_COPIED_PREFIXES = ("modeling_tf_", "modeling_flax_", "convert_", "modular_")


@dataclass(frozen=True)
class ModelFiles:
    package_dir: Path
    modules: tuple[str, ...]  # module names (file stems) of the old package that are copied
    init: Path
    tests: tuple[Path, ...]  # the old model's PyTorch test modules, when the repo has them

    def path(self, module: str) -> Path:
        return self.package_dir / f"{module}.py"


def _is_preprocessing(module: str) -> bool:
    return module.startswith(_PREPROCESSING_PREFIXES)


def _is_copyable(module: str, copy_tokenizer: bool) -> bool:
    if module.startswith(_NEVER_COPIED_PREFIXES) or module.endswith("_tf") or module == "__init__":
        return False
    return copy_tokenizer or not _is_preprocessing(module)


def find_model_files(layout: RepoLayout, folder: str, copy_tokenizer: bool) -> ModelFiles:
    package_dir = layout.model_dir(folder)
    available = {path.stem for path in package_dir.glob("*.py")}
    seeds = [
        module
        for module in sorted(available)
        if module.startswith(("configuration_", "modeling_")) and _is_copyable(module, copy_tokenizer)
    ]
    if copy_tokenizer:
        seeds += [module for module in sorted(available) if _is_preprocessing(module) and _is_copyable(module, True)]
    modules: list[str] = []
    pending = list(seeds)
    while pending:
        module = pending.pop(0)
        if module in modules:
            continue
        modules.append(module)
        for imported in _sibling_imports(package_dir / f"{module}.py"):
            if imported in available and imported not in modules and _is_copyable(imported, copy_tokenizer):
                pending.append(imported)
    tests_dir = layout.tests_dir / "models" / folder
    tests = tuple(
        sorted(
            path
            for path in tests_dir.glob("test_*.py")
            if not path.stem.startswith(("test_modeling_tf_", "test_modeling_flax_"))
            and (copy_tokenizer or not _is_preprocessing(path.stem.removeprefix("test_")))
        )
    ) if tests_dir.is_dir() else ()
    return ModelFiles(package_dir=package_dir, modules=tuple(modules), init=package_dir / "__init__.py", tests=tests)


def _sibling_imports(path: Path) -> set[str]:
    """Modules of the same package imported with `from .module import ...` anywhere in the file."""
    tree = parse_python(path)
    return {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
    }
