"""Smoke-test one model in this process and write one JSON result: what the runner starts per model.

Usage: `python -m modelgen.smoke.worker REQUEST_JSON RESULT_PATH` with PYTHONPATH holding modelgen's folder.
The tree's `src/` goes first on `sys.path`, so the tree's package is imported, not an installed one.
Standard library + torch only, so it runs under another interpreter (`--python`) without modelgen's CLI
dependencies.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    request = json.loads(argv[0])
    result_path = Path(argv[1])
    started = time.perf_counter()
    try:
        result = smoke_model(request)
    except ImportError as error:  # `requires_backends`: a library the tree wants is not installed
        result = {"model_type": request["model_type"], "status": "skip", "config": {}, "classes": [],
                  "error": f"missing dependency: {error}"}
    except Exception as error:  # noqa: BLE001 - reported, never a crash of the tool
        result = {"model_type": request["model_type"], "status": "fail", "config": {}, "classes": [],
                  "error": f"worker: {type(error).__name__}: {error}", "traceback": traceback.format_exc()[-2000:]}
    result["seconds"] = round(time.perf_counter() - started, 2)
    result_path.write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


def prepare_imports(src: str) -> None:
    """The tree's `src/` ahead of any installed copy of its package; the package quiet and offline."""
    sys.path.insert(0, src)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


def import_check_modules() -> None:
    """What `smoke_model` imports on its way, so a fork server can import it once for all its workers."""
    import pkgutil

    import modelgen.smoke.checks
    import modelgen.smoke.full_size
    import modelgen.smoke.tiny

    for module in pkgutil.iter_modules(modelgen.smoke.tiny.__path__, "modelgen.smoke.tiny."):
        importlib.import_module(module.name)


def smoke_model(request: dict[str, Any]) -> dict[str, Any]:
    src, package, model_type = request["src"], request["package"], request["model_type"]
    prepare_imports(src)
    import torch

    from modelgen.smoke.full_size import RUNS
    from modelgen.smoke.tiny.config import sub_models
    from modelgen.smoke.verdicts import worst

    threads = os.environ.get("MODELGEN_SMOKE_THREADS")
    if threads:
        torch.set_num_threads(int(threads))
    # Plain float32 on the GPU too: TF32 matmuls and convolutions (cuDNN's default) differ from the CPU by
    # more than the guide's 1e-3 on their own, which --compare-devices would report as a porting bug.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    result: dict[str, Any] = {"model_type": model_type, "status": "pass", "config": {}, "classes": [], "error": None}
    try:
        classes = public_model_classes(Path(src), package, model_type)
    except ImportError as error:
        return {**result, "status": "skip", "error": f"import: missing dependency: {error}"}
    except Exception as error:  # noqa: BLE001
        return {**result, "status": "fail", "error": f"import: {type(error).__name__}: {error}"}
    wanted = request.get("classes")
    if wanted:
        classes = [cls for cls in classes if cls.__name__ in wanted]
    if not classes:
        return {**result, "status": "skip", "error": "no public PyTorch model class found"}
    pretrained_base = importlib.import_module(f"{package}.modeling_utils").PreTrainedModel
    main_config_class = _main_config_class(classes, model_type)
    main_input = getattr(classes[0], "main_input_name", "input_ids")
    try:
        if not sub_models(main_config_class, main_input):  # composites with known roles are built from tiny parts
            main_config_class()
    except Exception as error:  # noqa: BLE001 - composite configs (encoder-decoder, RAG) need sub-configs
        return {**result, "status": "skip", "error": f"config: {main_config_class.__name__}() cannot be built "
                f"from its defaults, so there is nothing to shrink: {type(error).__name__}: {error}"[:400]}
    overrides = request.get("overrides") or {}
    problem = _override_problem(main_config_class, overrides, main_input)
    if problem is not None:  # a typo in --set is the user's error: reported as such, nothing is built
        return {**result, "status": "skip", "error": problem, "usage_error": problem}
    try:
        main_config, changes = _derive_config(main_config_class, classes, overrides, main_input)
    except ImportError as error:  # a sub-config of a library that is not installed (EdgeTAM's timm backbone)
        return {**result, "status": "skip", "error": f"config: missing dependency: {' '.join(str(error).split())}"}
    except Exception as error:  # noqa: BLE001 - the shrunk values broke one of the config's own constraints
        return {**result, "status": "fail", "error": f"config: {main_config_class.__name__}: "
                f"{type(error).__name__}: {error}"}
    request = {**request, "package": package, "main_config_class": main_config_class}
    entries = _check_classes(classes, main_config, overrides, pretrained_base, request)
    if any(entry["failed_checks"][:1] == ["build"] and entry.get("full_size") == RUNS for entry in entries):
        try:  # builds at full size but not tiny: a second layer of every kind (layers that share weights)
            repeated, repeated_changes = _derive_config(main_config_class, classes, overrides, main_input, 2)
        except Exception:  # noqa: BLE001 - no such config: the first results stand
            repeated_changes = changes
        if repeated_changes != changes:
            main_config, changes = repeated, repeated_changes
            entries = _check_classes(classes, main_config, overrides, pretrained_base, request)
    result["config"] = {"class": main_config_class.__name__, **changes}
    result["classes"] = entries
    result["status"] = worst(entry["status"] for entry in result["classes"])
    if result["status"] != "pass":
        result["error"] = next(f"{entry['name']}: {entry['error']}" for entry in result["classes"]
                               if entry["status"] == result["status"])
    return result


def _override_problem(main_config_class: type, overrides: dict[str, Any], main_input: str) -> str | None:
    """The first `--set` key or value the config does not take (`tiny/overrides.py`), checked against the
    full-size default, or the tiny composite where the config has no defaults to build from."""
    if not overrides:
        return None
    from modelgen.smoke.tiny.config import default_instance, sub_models, tiny_config
    from modelgen.smoke.tiny.overrides import override_problem

    try:
        reference = default_instance(main_config_class)
    except Exception:  # noqa: BLE001 - a composite assembled from sub-models
        try:
            reference = tiny_config(main_config_class, {}, main_input)[0] if sub_models(main_config_class,
                                                                                         main_input) else None
        except Exception:  # noqa: BLE001 - nothing to check against: the derivation reports its own failure
            reference = None
    return None if reference is None else override_problem(reference, overrides, main_config_class.__name__)


def _derive_config(main_config_class: type, classes: list[type], overrides: dict[str, Any], main_input: str,
                   kind_repeats: int = 1):
    """The tiny config and what it changed, fitted by the probes that build the model on meta."""
    from modelgen.smoke.tiny import backbone_probe, patch_probe, rotary_probe
    from modelgen.smoke.tiny.config import rule_for, tiny_config

    main_config, changes = tiny_config(main_config_class, overrides, main_input, kind_repeats=kind_repeats)
    if "patch_size" not in overrides:
        changes.update(patch_probe.fit_patch_grid(classes[0], main_config))  # a padded projection's extra patches
    if not any(rule_for(key) == "image" for key in overrides):  # a backbone that strides the image to one pixel
        changes.update(backbone_probe.fit_image_to_backbone(classes[0], main_config, rule_for))
    if not any(key.endswith("num_attention_heads") for key in overrides):  # a rotary size
        rotary_probe.fit_rotary_heads([cls for cls in classes if _declared_config_class(cls) is main_config_class],
                                      main_config, changes)  # the modeling floors above the shrunk head size
    return main_config, changes


def _check_classes(classes: list[type], main_config, overrides: dict[str, Any], pretrained_base: type,
                   request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every class checked on its tiny config (the main one or the matching sub-config)."""
    from modelgen.smoke.checks import DEFAULT_ATOL, check_class
    from modelgen.smoke.tiny import enabled_parts
    from modelgen.smoke.tiny import text as tiny_text
    from modelgen.smoke.tiny.config import tiny_config
    from modelgen.smoke.tiny.positions import configs_by_position

    entries = []
    configs: dict[type, Any] = {request["main_config_class"]: main_config}
    declared = {cls: _declared_config_class(cls) for cls in classes}
    placed = configs_by_position([cls for cls in classes if declared[cls] is type(main_config)], main_config,
                                 pretrained_base)  # ClvpForCausalLM inherits ClvpConfig, takes its decoder_config
    for cls in classes:
        config = placed[cls] if cls in placed else _config_for(declared[cls], configs, main_config)
        if isinstance(config, str):
            entries.append({"name": cls.__name__, "status": "fail", "error": config, "failed_checks": ["config"],
                            "params": None, "forward_ms": None})
            continue
        config = tiny_text.with_required_flags(cls, _as_decoder_for_causal_lm(cls, config, request["package"]))
        config = enabled_parts.with_enabled_sub_configs(cls, config, overrides, tiny_config)[0]  # ESMFold's trunk
        checked = check_class(cls, config, pretrained_base, request.get("device", "cpu"),
                              bool(request.get("compare_devices")), request.get("atol", DEFAULT_ATOL))
        entries.append(checked.as_dict())
    return entries


def public_model_classes(src: Path, package: str, model_type: str) -> list[type]:
    """The model's public PyTorch model classes: `__all__` of its modeling modules, else the lazy exports of
    its `__init__.py`, else every PreTrainedModel subclass the module defines; `...PreTrainedModel` bases left out."""
    model_dir = src / package / "models" / model_type
    pretrained_base = importlib.import_module(f"{package}.modeling_utils").PreTrainedModel
    exports = _init_exports(model_dir / "__init__.py")
    classes: list[type] = []
    for path in sorted(model_dir.glob("modeling_*.py")):
        if path.stem.startswith(("modeling_tf_", "modeling_flax_")):
            continue
        module = importlib.import_module(f"{package}.models.{model_type}.{path.stem}")
        names = getattr(module, "__all__", None) or exports.get(path.stem)
        if names is None:
            names = [name for name, value in vars(module).items()
                     if isinstance(value, type) and value.__module__ == module.__name__]
        for name in names:
            value = getattr(module, name, None)
            if (isinstance(value, type) and issubclass(value, pretrained_base) and value is not pretrained_base
                    and not name.endswith(("PreTrainedModel", "PretrainedModel")) and not name.startswith("_")
                    and _has_forward(value) and value not in classes):
                classes.append(value)
    return classes


def _has_forward(cls: type) -> bool:
    """False for abstract bases and deprecated aliases such as `PretrainedBartModel` (nn.Module's stub forward)."""
    forward = getattr(cls, "forward", None)
    return forward is not None and getattr(forward, "__name__", "") != "_forward_unimplemented"


def _init_exports(init_file: Path) -> dict[str, list[str]]:
    """`_import_structure = {"modeling_x": [...]}` (and later assignments to its keys) of a 4.x `__init__.py`."""
    if not init_file.is_file():
        return {}
    exports: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(init_file.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "_import_structure" and isinstance(node.value, ast.Dict):
            for key, value in zip(node.value.keys, node.value.values):
                if isinstance(key, ast.Constant) and isinstance(value, ast.List):
                    exports[key.value] = [item.value for item in value.elts if isinstance(item, ast.Constant)]
        elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
              and target.value.id == "_import_structure" and isinstance(target.slice, ast.Constant)
              and isinstance(node.value, ast.List)):
            exports[target.slice.value] = [item.value for item in node.value.elts if isinstance(item, ast.Constant)]
    return exports


def _main_config_class(classes: list[type], model_type: str) -> type:
    config_classes = [cls.config_class for cls in classes if getattr(cls, "config_class", None) is not None]
    for config_class in config_classes:
        if getattr(config_class, "model_type", None) == model_type:
            return config_class
    return max(config_classes, key=config_classes.count)


def _declared_config_class(cls: type):
    """The config class a model's `__init__` declares (`config: InstructBlipQFormerConfig`) when it differs from the
    inherited `config_class`, else `config_class`. A `config_class` the class sets itself wins over its annotation
    (`Pix2StructVisionModel` sets `Pix2StructVisionConfig` but annotates the composite `Pix2StructConfig`)."""
    import inspect

    config_class = getattr(cls, "config_class", None)
    if "config_class" in vars(cls):
        return config_class
    try:
        annotation = inspect.signature(cls.__init__).parameters["config"].annotation
    except (KeyError, TypeError, ValueError):
        return config_class
    if isinstance(annotation, str):
        annotation = getattr(sys.modules.get(cls.__module__), annotation, None)
    specific = isinstance(annotation, type) and bool(getattr(annotation, "model_type", ""))  # not the base class
    if specific and config_class is not None and annotation is not config_class:
        return annotation
    return config_class


def _as_decoder_for_causal_lm(cls: type, config, package: str):
    """A causal-LM head on an encoder-style model (`BertLMHeadModel`, `ReformerModelWithLMHead`) runs with
    `is_decoder=True`, as the library's own causal-LM tests configure it (Reformer refuses to build otherwise)."""
    import copy

    if getattr(config, "is_decoder", True) is not False:
        return config
    try:
        auto = importlib.import_module(f"{package}.models.auto.modeling_auto")
    except ImportError:
        return config
    names = getattr(auto, "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES", {}).values()
    if cls.__name__ not in {name for value in names for name in (value if isinstance(value, tuple) else (value,))}:
        return config
    decoder = copy.deepcopy(config)
    decoder.is_decoder = True
    return decoder


def _config_for(config_class, configs: dict[type, Any], main_config) -> Any:
    """The tiny config of a class: the main one, the matching sub-config of the main one (so `--set` and the
    shrinking agree), or one derived on its own. A string is the error when none can be built."""
    from modelgen.smoke.tiny.config import tiny_config

    if config_class is None:
        return "config: the class names no config_class"
    if config_class in configs:
        return configs[config_class]
    for value in vars(main_config).values():
        if type(value) is config_class:
            configs[config_class] = value
            return value
    try:
        configs[config_class] = tiny_config(config_class)[0]
    except Exception as error:  # noqa: BLE001
        return f"config: {config_class.__name__}: {type(error).__name__}: {error}"
    return configs[config_class]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
