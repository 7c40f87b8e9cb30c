"""Packed patch inputs of variable-resolution vision towers: every patch of every image a row, plus a grid.

Qwen-VL-like towers read `(patches, channels * temporal_patch * patch * patch)` rows with a `(t, h, w)` grid
per image (`grid_thw`/`image_grid_thw`); towers reading a grid without temporal patches (SigLIP-2-like packed
towers) take the same rows with one frame per patch. Other layouts of the same patches are tried too, as the
forward signature does not tell them apart: one small image per patch, `(patches, channels, patch, patch)` (a
Conv2d patch embedding), alone or as one packed sequence, and one channels-last block of `merge x merge`
patches per language-model token, with the grid counted in those tokens. A tower that reads no grid (Inkling's)
takes each patch as a channels-last cube, `(patches, temporal_patch, patch, patch, channels)`.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

PATCH_GRID = 4  # patches per side of each image; a multiple of every merge size
GRID_NAMES = ("grid_thw", "image_grid_thw")
MERGE_NAMES = ("merge_sizes", "image_merge_sizes")  # per-image spatial merge (VideoLLaMA 3)


def packed_builders(config, parameters, find: Callable[[Any, str], Any], batch: int,
                    generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """Builders for packed patches and their grid where the forward reads a grid; {} otherwise."""
    if not any(name in parameters for name in GRID_NAMES):
        return {}
    features = _channels(config, find) * (_temporal_patch(config, find) or 1) * _patch(config, find) ** 2
    merge = merge_size(config, find)
    builders: dict[str, Callable[[], Any]] = {
        "pixel_values": lambda: torch.randn(batch * PATCH_GRID * PATCH_GRID, features, generator=generator),
        "hidden_states": lambda: torch.randn(batch * PATCH_GRID * PATCH_GRID, features, generator=generator),
        **{name: lambda: patch_grid(batch) for name in GRID_NAMES},
    }
    builders.update({name: lambda: torch.full((batch,), merge, dtype=torch.long) for name in MERGE_NAMES})
    return builders


def spatial_builders(config, parameters, find: Callable[[Any, str], Any], batch: int,
                     generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """SigLIP-2-like towers read each image as a padded row of patches, `(batch, patches, channels * patch *
    patch)`, with its `(h, w)` patch grid (`spatial_shapes`) and which rows are real
    (`pixel_attention_mask`)."""
    if "spatial_shapes" not in parameters:
        return {}
    features, patches = _channels(config, find) * _patch(config, find) ** 2, PATCH_GRID * PATCH_GRID
    return {
        "pixel_values": lambda: torch.randn(batch, patches, features, generator=generator),
        "spatial_shapes": lambda: torch.tensor([[PATCH_GRID, PATCH_GRID]] * batch),
        "pixel_attention_mask": lambda: torch.ones(batch, patches, dtype=torch.long),
    }


POSITION_NAMES = ("pixel_position_ids",)


def positioned_builders(config, parameters, find: Callable[[Any, str], Any], batch: int,
                        generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """Towers that read each image as a row of patches, `(batch, patches, channels * patch * patch)`, beside each
    patch's `(x, y)` place in the image (Gemma 4's `pixel_position_ids`, (batch, patches, 2)): a square grid whose
    side is twice the `pooling_kernel_size`, so the patches pool into whole kernels."""
    names = [name for name in POSITION_NAMES if name in parameters]
    if not names:
        return {}
    kernel = find(config, "pooling_kernel_size")
    side = 2 * kernel if isinstance(kernel, int) and kernel > 1 else PATCH_GRID
    features = _channels(config, find) * _patch(config, find) ** 2
    rows, columns = torch.meshgrid(torch.arange(side), torch.arange(side), indexing="ij")
    places = torch.stack([columns.flatten(), rows.flatten()], dim=-1)  # (x, y), row by row
    return {
        "pixel_values": lambda: torch.rand(batch, side * side, features, generator=generator),
        **{name: lambda: places.expand(batch, -1, -1).clone() for name in names},
    }


def strip_builders(config, parameters, find: Callable[[Any, str], Any], batch: int,
                   generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """NaViT-style packers (MiniCPM-V) read every image's patches side by side in one strip of pixels, `(1,
    channels, patch, patches * patch)`, with each image's `(h, w)` patch grid in `target_sizes`."""
    if "target_sizes" not in parameters:
        return {}
    channels, patch, patches = _channels(config, find), _patch(config, find), batch * PATCH_GRID * PATCH_GRID
    return {
        "pixel_values": lambda: torch.rand(1, channels, patch, patches * patch, generator=generator),
        "target_sizes": lambda: torch.tensor([[PATCH_GRID, PATCH_GRID]] * batch, dtype=torch.int32),
    }


def patch_grid(batch: int, side: int = PATCH_GRID) -> torch.Tensor:
    return torch.tensor([[1, side, side]] * batch)


def merge_size(config, find: Callable[[Any, str], Any]) -> int:
    """Patches merged per side into one language-model token (`spatial_merge_size`, `merge_kernel_size`)."""
    merge = find(config, "spatial_merge_size") or find(config, "merge_kernel_size") or 1
    merge = merge[0] if isinstance(merge, (list, tuple)) and merge else merge
    return merge if isinstance(merge, int) and merge > 0 and PATCH_GRID % merge == 0 else 1


def layout_variants(attempts: list[dict[str, Any]], config, find: Callable[[Any, str], Any]
                    ) -> list[dict[str, Any]]:
    """The attempts holding packed rows, in the other two layouts (see the module docstring)."""
    channels, patch, merge = _channels(config, find), _patch(config, find), merge_size(config, find)
    temporal = _temporal_patch(config, find)
    variants = []
    for inputs in attempts:
        name = next((key for key in ("pixel_values", "hidden_states") if _rank(inputs.get(key)) == 2), None)
        grids = [key for key in GRID_NAMES if _rank(inputs.get(key)) == 2]
        if name is None:
            continue
        rows = inputs[name]
        if not grids:  # patches a tower reads one by one, as cubes: (patches, frames, patch, patch, channels)
            if temporal and rows.shape[-1] == temporal * channels * patch * patch:  # (Inkling's vision tower)
                variants.append(dict(inputs, **{name: rows.reshape(-1, temporal, patch, patch, channels)}))
            continue
        if rows.shape[-1] == channels * patch * patch:  # one frame per patch: a Conv2d over each patch image,
            images = rows.reshape(-1, channels, patch, patch)  # alone, or one packed sequence (a batch of 1)
            variants += [dict(inputs, **{name: images}), dict(inputs, **{name: images[None]})]
        if merge > 1:
            tokens = rows.shape[0] // merge ** 2
            side = PATCH_GRID // merge
            block = rows.flatten()[: tokens * (merge * patch) ** 2 * channels]
            merged = dict(inputs, **{name: block.reshape(tokens, merge * patch, merge * patch, channels)})
            merged.update({key: patch_grid(inputs[key].shape[0], side) for key in grids})
            variants.append(merged)
    return variants


def _rank(value: Any) -> int:
    return value.dim() if isinstance(value, torch.Tensor) else 0


def _channels(config, find) -> int:
    return find(config, "in_channels") or find(config, "num_channels") or 3


def _patch(config, find) -> int:
    patch = find(config, "patch_size") or 1
    return int(patch[0] if isinstance(patch, (list, tuple)) else patch)


def _temporal_patch(config, find) -> int | None:
    """Frames per flattened patch (`temporal_patch_size` in Qwen-VL, `patch_temporal` in Muse Glimmer)."""
    value = find(config, "temporal_patch_size") or find(config, "patch_temporal")
    return value if isinstance(value, int) else None
