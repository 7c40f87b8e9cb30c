"""Inputs of an adapter that pools a vision tower's features into language-model tokens, where the processor
decides which features each token pools (Molmo 2's `image_features` with `pooled_patches_idx`).

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch

from modelgen.smoke.dummy_inputs.feature_maps import first_layer

CROPS, PATCHES = 2, 8  # image crops and the patches of each, as the vision tower returns them
POOL = 4  # features pooled into one token: a 2x2 window


def pooled_builders(model: torch.nn.Module, parameters: dict[str, inspect.Parameter],
                    generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """`image_features`, (crops, patches, width) with the width the adapter's first linear layer reads, and for each
    `*patches_idx` argument, (tokens, POOL) indices into the crops' flattened patches, each patch pooled once;
    {} for a forward without both."""
    index_names = [name for name in parameters if name.endswith("patches_idx")]
    layer = first_layer(model)
    if not index_names or "image_features" not in parameters or not isinstance(layer, torch.nn.Linear):
        return {}
    return {
        "image_features": lambda: torch.randn(CROPS, PATCHES, layer.in_features, generator=generator),
        **{name: lambda: torch.arange(CROPS * PATCHES).reshape(-1, POOL) for name in index_names},
    }
