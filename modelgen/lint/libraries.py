"""What `modelgen lint` does differently in each known library whose layout or conventions are not transformers'.

Globs are relative to the library's package folder (`src/<package>/`). transformers and libraries not
listed here use the models' `modeling_*.py` and `configuration_*.py` (modelgen.lint.targets).
`[tool.modelgen.lint] include` / `exclude` (globs relative to the repository root), `select`, and
`abbreviations` replace these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryTargets:
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class LibraryDefaults:
    targets: LibraryTargets
    ignore: frozenset[str] = frozenset()  # rules whose convention the library does not follow
    not_abbreviations: frozenset[str] = frozenset()  # words that mean something else there
    framework_names: frozenset[str] = frozenset()  # class attributes its base classes read: never renamed


LIBRARIES = {
    "diffusers": LibraryDefaults(
        # One model or one pipeline per file, in folders by kind (models/unets/..., pipelines/flux/...);
        # Flax and ONNX files are another framework, pipelines/deprecated/ is frozen code.
        targets=LibraryTargets(
            include=("models/**/*.py", "pipelines/**/*.py"),
            exclude=("*/__init__.py", "*flax*", "*onnx*", "pipelines/deprecated/*", "*/dummy_*.py"),
        ),
        # Models initialise their weights in `__init__`; there is no `_init_weights` to move them into.
        ignore=frozenset({"MG108"}),
        # `cfg` is classifier-free guidance (`noise_cfg`, `true_cfg_scale`), not a config.
        not_abbreviations=frozenset({"cfg"}),
        # Read by `DiffusionPipeline.enable_model_cpu_offload`: a pipeline must spell it so.
        framework_names=frozenset({"model_cpu_offload_seq"}),
    ),
}
