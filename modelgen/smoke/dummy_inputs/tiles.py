"""Tiled images (Mllama-like towers): images cut into `max_num_tiles` tiles, aspect ratio ids and a tile mask.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

IMAGES = 1  # images per sample (`num_concurrent_media`)


def tile_builders(config, parameters, find: Callable[[Any, str], Any], batch: int, image: tuple[int, int],
                  generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """`(batch, images, tiles, channels, height, width)` pixels where the forward reads `aspect_ratio_ids`:
    every image a single tile, the first supported aspect ratio (id 1; 0 is padding), the other tiles masked
    out."""
    tiles = find(config, "max_num_tiles")
    if "aspect_ratio_ids" not in parameters or not isinstance(tiles, int) or tiles < 1:
        return {}
    channels = find(config, "num_channels") or 3
    mask = torch.zeros(batch, IMAGES, tiles, dtype=torch.long)
    mask[..., 0] = 1
    return {
        "pixel_values": lambda: torch.rand(batch, IMAGES, tiles, channels, *image, generator=generator),
        "aspect_ratio_ids": lambda: torch.ones(batch, IMAGES, dtype=torch.long),
        "aspect_ratio_mask": lambda: mask.clone(),
    }
