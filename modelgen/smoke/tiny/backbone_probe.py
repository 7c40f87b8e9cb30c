"""Probe a tiny model's convolutional backbone on a meta image and grow the config's image size until the
backbone's last feature map is at least `SMALLEST_FEATURE_SIDE` wide: a ResNet strides 32, so a 32-pixel image
leaves a single position, which the model's own pooling after the backbone (TVP's grid max-pool) cannot halve.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import torch

from modelgen.smoke.tiny.values import is_int, read

SMALLEST_FEATURE_SIDE = 2
_TOO_SMALL = ("Output size is too small", "Kernel size can't be greater than actual input size")


def fit_image_to_backbone(model_class: type, config, rule_for: Callable[[str], str | None]) -> dict[str, Any]:
    """{image size name: grown size} set on `config` where the model holds a backbone (a module with
    `stage_names` and `out_features`) whose feature maps collapse below `SMALLEST_FEATURE_SIDE` on an image of
    the config's one square image size; the size doubles, never past the full-size default config's value."""
    sizes = [name for name, value in vars(config).items() if rule_for(name) == "image" and is_int(value)]
    if len(sizes) != 1:
        return {}
    name = sizes[0]
    try:
        full = read(type(config)(), name)
    except Exception:  # noqa: BLE001 - a composite that needs its sub-configs: no full size to stay under
        return {}
    backbones = _backbones(model_class, config) if is_int(full) else []
    if not backbones:
        return {}
    size = getattr(config, name)
    while (side := _smallest_side(backbones, config, size)) is not None and side < SMALLEST_FEATURE_SIDE:
        if size * 2 > full:
            return {}
        size *= 2
    if size == getattr(config, name):
        return {}
    setattr(config, name, size)
    return {name: size}


def _backbones(model_class: type, config) -> list[torch.nn.Module]:
    try:
        with torch.device("meta"):
            model = model_class(copy.deepcopy(config))  # a model's build writes into its config (attention kind)
    except Exception:  # noqa: BLE001 - a probe: what cannot be built on meta is left as it is
        return []
    return [module for module in model.modules()
            if isinstance(getattr(module, "stage_names", None), (list, tuple))
            and isinstance(getattr(module, "out_features", None), (list, tuple))]


def _smallest_side(backbones: list[torch.nn.Module], config, size: int) -> int | None:
    """The smallest spatial side among the backbones' feature maps for a `size` square image; None when no
    backbone runs on meta."""
    sides = []
    for backbone in backbones:
        channels = read(getattr(backbone, "config", None), "num_channels", None) or read(config, "num_channels", 3)
        try:
            with torch.no_grad():
                output = backbone.eval()(torch.empty(1, channels, size, size, device="meta"))
        except RuntimeError as error:  # a convolution or pooling with nothing left to slide over
            if any(phrase in str(error) for phrase in _TOO_SMALL):
                sides.append(0)
            continue
        except Exception:  # noqa: BLE001, S112 - a probe: what does not run on meta is left as it is
            continue
        maps = getattr(output, "feature_maps", None) or (output[0] if isinstance(output, tuple) else ())
        sides += [min(feature.shape[-2:]) for feature in maps
                  if isinstance(feature, torch.Tensor) and feature.dim() == 4]
    return min(sides) if sides else None
