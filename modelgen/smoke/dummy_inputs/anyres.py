"""Any-resolution images (LLaVA-NeXT-like): each image cut into the tiles of one of the config's pinpoints.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch


def anyres_builders(config, parameters, find: Callable[[Any, str], Any], batch: int, image: tuple[int, int],
                    generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """Where the forward reads `image_sizes` and the config names `image_grid_pinpoints`: every image exactly
    the size of the first pinpoint, so `(batch, 1 + its tiles, channels, height, width)` pixels
    (the base image first)."""
    pinpoints = find(config, "image_grid_pinpoints")
    if "image_sizes" not in parameters or not isinstance(pinpoints, list) or not pinpoints:
        return {}
    first = pinpoints[0]
    if not (isinstance(first, (list, tuple)) and len(first) == 2
            and all(isinstance(size, int) for size in first)):
        return {}
    tiles = 1 + math.prod(size // side for size, side in zip(first, image))
    channels = find(config, "num_channels") or 3
    return {
        "pixel_values": lambda: torch.rand(batch, tiles, channels, *image, generator=generator),
        "image_sizes": lambda: torch.tensor([list(first)] * batch),
    }
