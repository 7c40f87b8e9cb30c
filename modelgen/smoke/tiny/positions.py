"""The sub-config a class gets where its inherited `config_class` is a composite it cannot be built from.

A model family's base class often declares the composite (`ClvpPreTrainedModel.config_class = ClvpConfig`), and
every class inherits it, including the parts the composite model builds from its sub-configs
(`ClvpForCausalLM(config.decoder_config)`, `ClvpEncoder(config.text_config)`). Built from the composite, such a part
fails on a field only its sub-config has. Its position in the composite says which sub-config it takes: the
composite classes are built once on the meta device (shapes only, nothing allocated), noting the config each
`PreTrainedModel` subclass receives. Where a part appears nowhere, its own `__init__` decides: building it from the
composite fails reading a field, and the one sub-config of the composite holding that field is its config.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import torch

_MISSING_FIELD = re.compile(r"object has no attribute '(\w+)'")


def sub_configs(config) -> dict[str, Any]:
    """The sub-configs a composite config holds, by attribute (`text_config`, `decoder_config`)."""
    return {name: value for name, value in vars(config).items()
            if hasattr(value, "to_dict") and hasattr(value, "model_type") and not isinstance(value, type)}


def configs_by_position(classes: list[type], composite, pretrained_base: type) -> dict[type, Any]:
    """{class: the sub-config of `composite` it takes} for the `classes` declared with the composite's class that
    the composite places on a sub-config, or whose own `__init__` needs one."""
    subs = sub_configs(composite)
    if not subs:
        return {}
    candidates = [cls for cls in classes if _declares(cls, type(composite))]
    placed: dict[type, list[Any]] = {}
    builds: set[type] = set()
    for container in candidates:
        with _noting_builds(pretrained_base) as built, contextlib.suppress(Exception):
            with torch.device("meta"):  # the parts built before a failure still show their positions
                container(composite)
            builds.add(container)
        for cls, config in built[1:]:  # the first is the container itself
            if config is not composite or container in builds:  # a failed build handing the composite down
                placed.setdefault(cls, []).append(config)  # (ClvpForCausalLM(ClvpConfig)) is no evidence
    chosen = {}
    for cls in candidates:
        configs = placed.get(cls, [])
        if any(config is composite for config in configs) or (cls in builds and not configs):
            continue  # the composite builds it from the composite itself, or nothing places it and it builds
        if configs:
            chosen[cls] = configs[0]
            continue
        needed = None if cls in builds else _sub_config_its_init_needs(cls, composite, subs)
        if needed is not None:
            chosen[cls] = needed
    return chosen


def _declares(cls: type, config_class: type) -> bool:
    return getattr(cls, "config_class", None) is config_class


@contextlib.contextmanager
def _noting_builds(pretrained_base: type):
    """Yields a list that collects (class, config) for every `pretrained_base.__init__` call, in order."""
    built: list[tuple[type, Any]] = []
    original = pretrained_base.__dict__["__init__"]

    def noting(self, config, *args, **kwargs):
        built.append((type(self), config))
        return original(self, config, *args, **kwargs)

    pretrained_base.__init__ = noting
    try:
        yield built
    finally:
        pretrained_base.__init__ = original


def _sub_config_its_init_needs(cls: type, composite, subs: dict[str, Any]):
    """The one sub-config holding the field that building `cls` from the composite fails to read, else None."""
    try:
        with torch.device("meta"):
            cls(composite)
    except AttributeError as error:
        missing = _MISSING_FIELD.search(str(error))
        holders = [sub for sub in subs.values() if missing and hasattr(sub, missing.group(1))]
        kinds = {type(sub) for sub in holders}
        return holders[0] if len(kinds) == 1 else None
    except Exception:  # noqa: BLE001 - another failure is the class's own, reported by its checks
        return None
    return None
