"""Probe a tiny model's patch embedding on a meta image and grow `patch_size` until the grid it makes fits its
declared patch count (a projection padded by a hard-coded 2 adds a row and a column of 4-pixel patches).

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import copy
from typing import Any

import torch

LARGEST_PATCH = 16  # the patch sizes tried: doubled from the shrunk one up to this


def _pair(value: Any) -> tuple[int, int] | None:
    values = list(value) if isinstance(value, (list, tuple)) else [value, value]
    if len(values) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values):
        return values[0], values[1]
    return None


def _grid_mismatch(module_class: type, config) -> bool | None:
    """Whether the patch embedding built from `config` makes another number of tokens than its `num_patches` on an
    image of the config's size; None when that cannot be told (no such module, or it does not run on meta)."""
    image, channels = _pair(getattr(config, "image_size", None)), getattr(config, "num_channels", 3)
    try:
        with torch.device("meta"):
            module = module_class(copy.deepcopy(config))
            output = module(torch.empty(1, channels, *image))
    except Exception:  # noqa: BLE001 - a probe: what cannot be built or run on meta is left as it is
        return None
    output = output[0] if isinstance(output, (tuple, list)) else output
    if not isinstance(output, torch.Tensor) or output.dim() not in (3, 4):
        return None
    tokens = output.shape[1] if output.dim() == 3 else output.shape[2] * output.shape[3]
    return tokens != module.num_patches


def fit_patch_grid(model_class: type, config) -> dict[str, Any]:
    """{"patch_size": grown} set on `config` where the model's patch embedding (a submodule class taking the config
    alone, holding an integer `num_patches` and a strided convolution) disagrees with its own patch count."""
    image, patch = _pair(getattr(config, "image_size", None)), _pair(getattr(config, "patch_size", None))
    if image is None or patch is None:
        return {}
    try:
        with torch.device("meta"):
            model = model_class(copy.deepcopy(config))  # a model's build writes into its config (attention kind)
    except Exception:  # noqa: BLE001 - a probe
        return {}
    embeddings = [module for module in model.modules() if isinstance(getattr(module, "num_patches", None), int)
                  and any(isinstance(child, torch.nn.Conv2d) for child in module.children())]
    if not embeddings or not _grid_mismatch(type(embeddings[0]), config):
        return {}
    original = config.patch_size
    size = max(patch) * 2
    while size <= LARGEST_PATCH and all(side % size == 0 for side in image):
        trial = copy.deepcopy(config)
        trial.patch_size = [size, size] if isinstance(original, (list, tuple)) else size
        if _grid_mismatch(type(embeddings[0]), trial) is False:
            config.patch_size = trial.patch_size
            return {"patch_size": trial.patch_size}
        size *= 2
    return {}
