"""The width of `input_features` where no config field names it, found by running the model on the meta device.

Gemma 4's audio tower subsamples the features as a one-channel image and projects the flattened result, so the
width it accepts is implied by its channel counts. Each size the config holds (smallest first), then powers of two,
is tried as `(batch, frames, width)` features on a meta copy of the model, which checks every shape and computes
nothing.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import torch

LARGEST_WIDTH = 4096
POWERS_OF_TWO = tuple(2 ** exponent for exponent in range(3, 11))


def probed_feature_width(model: torch.nn.Module, config, batch: int, frames: int) -> int | None:
    """The first candidate width whose features the model's forward takes on meta; None when none does (or the
    model cannot be moved to meta)."""
    try:
        meta = copy.deepcopy(model).to("meta").eval()
    except Exception:  # noqa: BLE001 - a probe: a model that cannot be copied is left to the caller's error
        return None
    sizes = sorted({size for size in _sizes(config) if 0 < size <= LARGEST_WIDTH})
    for width in dict.fromkeys([*sizes, *POWERS_OF_TWO]):
        try:
            with torch.no_grad():
                meta(input_features=torch.empty(batch, frames, width, device="meta"))
        except Exception:  # noqa: BLE001, S112 - this width does not fit
            continue
        return width
    return None


def _sizes(config) -> Iterator[int]:
    """Every int the config holds, directly or in a list or tuple."""
    for value in vars(config).values():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, int) and not isinstance(item, bool):
                yield item
