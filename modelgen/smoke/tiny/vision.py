"""Tiny-config fits for vision trackers and resamplers: head products, feature grids and windowed latents.

Called from `tiny_config.tiny_arguments` with the config's constructor signature, its full-size instance, the
shrunk arguments (edited in place) and the feature grids ({full side: shrunk side}) the backbones shrank to.
Standard library only: runs inside the smoke worker.
"""

from __future__ import annotations

import math
import re
from typing import Any

from modelgen.smoke.tiny.values import is_int as _is_int
from modelgen.smoke.tiny.values import read as _read

_HEADS = re.compile(r"^(?P<prefix>.*?)(num_)?(attention_)?heads$")
_HEAD_DIMS = ("head_dim", "attention_head_dim", "d_head")
_WIDTHS = ("hidden_size", "d_model")
_GRID_SIZES = re.compile(r"^(.*_)?(feat|feature)_sizes$")
_SQUARE_COUNT = re.compile(r"^(.*_)?(num_)?latents(_.*)?$")


def fit_head_products(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """Heads times head dim that made up the width at full size (EdgeTAM's perceiver resampler: 1 head of 64 over
    a width of 64, its positional encoding added per head) still make it up: the head dim follows the shrunk width
    over the heads where a head count too small to shrink (below 4) broke the product; shrunk heads are left to
    the other fits (a partial rotary factor widens their head dim on purpose)."""
    for heads_name in signature:
        match = _HEADS.match(heads_name)
        if match is None:
            continue
        prefix = match.group("prefix")
        dim_name = next((prefix + name for name in _HEAD_DIMS if prefix + name in signature), None)
        width_name = next((prefix + name for name in _WIDTHS if prefix + name in signature), None)
        if dim_name is None or width_name is None:
            continue
        full = [_read(instance, name, signature.get(name)) for name in (heads_name, dim_name, width_name)]
        tiny = [arguments.get(name, value) for name, value in zip((heads_name, dim_name, width_name), full)]
        if not all(_is_int(value) and value > 0 for value in (*full, *tiny)):
            continue
        heads, dim, width = tiny
        if full[0] * full[1] == full[2] and heads == full[0] and heads * dim != width and width % heads == 0:
            arguments[dim_name] = width // heads


def follow_grid_sizes(instance, arguments: dict[str, Any], grids: dict[int, int]) -> None:
    """Feature-map sides a config states beside a backbone sub-config (EdgeTAM video's memory-attention
    `memory_attention_rope_feat_sizes`: [64, 64], the backbone's last level) follow the levels' shrunk sides; a
    count of latents that tiled that grid in square windows (its 2-D perceiver's 256: 16 x 16 windows of 4 x 4)
    keeps tiling the shrunk grid, and `[16, 16]` sides of those windows follow."""
    for name, value in vars(instance).items():
        if (name in arguments or not _GRID_SIZES.match(name) or not isinstance(value, (list, tuple)) or not value
                or not all(_is_int(side) and side in grids for side in value)):
            continue
        arguments[name] = [grids[side] for side in value]
        for full_side, tiny_side in zip(value, arguments[name]):
            _fit_square_counts(instance, arguments, full_side, tiny_side)


def _fit_square_counts(instance, arguments: dict[str, Any], full_side: int, tiny_side: int) -> None:
    roots: dict[int, int] = {}
    for name, value in vars(instance).items():
        root = math.isqrt(value) if _is_int(value) and value > 0 else 0
        if (name in arguments or not _SQUARE_COUNT.match(name) or root * root != value or full_side % root
                or root <= tiny_side):
            continue
        wanted = max(1, root * tiny_side // full_side)
        roots[root] = max(side for side in range(1, wanted + 1) if tiny_side % side == 0)
        arguments[name] = roots[root] ** 2
    for name, value in vars(instance).items():
        if (name not in arguments and name.endswith("_sizes") and isinstance(value, (list, tuple)) and value
                and all(_is_int(side) and side in roots for side in value)):
            arguments[name] = [roots[side] for side in value]


def fit_image_margins(signature: dict[str, Any], instance, arguments: dict[str, Any], rule_for) -> None:
    """A pixel size that no rule shrinks but that no longer fits twice into the shrunk image keeps its share of
    the image (TVP's frame-pad prompt: a 96-pixel border of a 448-pixel frame, `max_img_size - 2 * size` wide
    inside). Kernel sizes and the like stay: they still fit."""
    images = [(name, value) for name, value in arguments.items() if rule_for(name) == "image" and _is_int(value)]
    if len(images) != 1:
        return
    name, tiny = images[0]
    full = _read(instance, name, signature.get(name))
    if not _is_int(full) or full <= tiny:
        return
    for other, default in signature.items():
        value = _read(instance, other, default)
        if (other not in arguments and other.endswith("_size") and rule_for(other) is None and _is_int(value)
                and 2 * value >= tiny and 2 * value < full):
            arguments[other] = max(1, value * tiny // full)


def fit(signature: dict[str, Any], instance, arguments: dict[str, Any], grids: dict[int, int], rule_for) -> None:
    """Every fit of this module, in order."""
    fit_head_products(signature, instance, arguments)
    fit_image_margins(signature, instance, arguments, rule_for)
    follow_grid_sizes(instance, arguments, grids)
