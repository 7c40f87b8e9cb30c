"""Inputs shaped by the model's structure: feature maps for heads fed by a backbone, larger images for deep convnets.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

# Images tried after the default one failed, for configs that name no image size (a convnet takes any): a square
# twice as large, then a wide text line three times as high (a recogniser's 32x stride, then a (3, 2) pooling).
LARGER_IMAGES = ((64, 64), (96, 256))
ONE_ROW = (1, 64)  # a recogniser's neck reads a feature map whose height the backbone collapsed to one row


def first_layer(model: torch.nn.Module) -> torch.nn.Module | None:
    """The module's first convolution or linear layer, in registration order."""
    return next((module for module in model.modules() if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear))),
                None)


def fixed_input_size(model: torch.nn.Module | None) -> tuple[int, int] | None:
    """The image size a tower built for one size only insists on (a timm patch embedding with `strict_img_size`:
    Perception Encoder's EVA tower at 336 pixels, whatever the tiny config says); None where it takes any."""
    for module in model.modules() if isinstance(model, torch.nn.Module) else ():
        size = getattr(module, "img_size", None)
        if getattr(module, "strict_img_size", False) is True and isinstance(size, (tuple, list)) and len(size) == 2:
            return int(size[0]), int(size[1])
    return None


def feature_builder(model: torch.nn.Module, channels: int, image: tuple[int, int], batch: int, sequence: int,
                    generator: torch.Generator) -> Callable[[], Any] | None:
    """What a module whose main input is images but whose forward reads `hidden_states` takes, from the first
    layer it holds: a convolution over other than the image's channels reads a backbone's feature map (an OCR
    recogniser's neck), a linear layer a sequence of features (a table-structure head's attention cell); None
    where the first layer reads images (Florence-2's vision backbone, a detector's backbone wrapper)."""
    layer = first_layer(model)
    if isinstance(layer, torch.nn.Conv2d) and layer.in_channels != channels:
        return lambda: torch.rand(batch, layer.in_channels, *image, generator=generator)
    if isinstance(layer, torch.nn.Linear):
        return lambda: torch.randn(batch, sequence, layer.in_features, generator=generator)
    return None


def with_larger_images(attempts: list[dict[str, Any]], names_image_size: bool, feature_map: bool,
                       generator: torch.Generator) -> list[dict[str, Any]]:
    """The attempts again with larger images (`LARGER_IMAGES`) and, for a feature map, a single row (`ONE_ROW`),
    tried after the default size and before the last attempt (repeated when it is the only one), so a model that
    fails every way still reports its fullest default input. Only where the config names no image size: a fixed
    size (position embeddings) allows no other."""
    if names_image_size:
        return attempts
    sizes = [*LARGER_IMAGES, ONE_ROW] if feature_map else list(LARGER_IMAGES)
    larger = []
    for size in sizes:
        for inputs in attempts:
            name = "hidden_states" if feature_map else "pixel_values"
            value = inputs.get(name)
            if not (isinstance(value, torch.Tensor) and value.dim() == 4 and value.is_floating_point()):
                continue
            resized = dict(inputs, **{name: torch.rand(*value.shape[:2], *size, generator=generator)})
            if isinstance(inputs.get("pixel_mask"), torch.Tensor):
                resized["pixel_mask"] = torch.ones(value.shape[0], *size, dtype=inputs["pixel_mask"].dtype)
            larger.append(resized)
    return [*(attempts[:-1] or attempts[:1]), *larger, attempts[-1]] if larger else attempts


def patch_rows(model: torch.nn.Module, attempts: list[dict[str, Any]], channels: int, patch: int, patches: int,
               generator: torch.Generator) -> list[dict[str, Any]]:
    """The image attempts again with each image as rows of flattened patches, `(batch, patches, channels * patch *
    patch)`, for a tower whose first layer is a linear projection of exactly that many features (Molmo2's vision
    tower takes patches its processor cut); [] for any other first layer."""
    layer = first_layer(model)
    if not isinstance(layer, torch.nn.Linear) or layer.in_features != channels * patch * patch or patches < 1:
        return []
    rows = []
    for inputs in attempts:
        value = inputs.get("pixel_values")
        if isinstance(value, torch.Tensor) and value.dim() == 4 and value.is_floating_point():
            rows.append(dict(inputs, pixel_values=torch.rand(value.shape[0], patches, layer.in_features,
                                                             generator=generator)))
    return rows


def ids_within_lookups(model: torch.nn.Module, attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The token attempts again with ids below the smallest 1-D integer lookup table the model holds as a buffer,
    where ids of the vocabulary overrun it (ESMFold's `af2_to_esm`: its `input_ids` are 21 residue types, mapped to
    the language model's vocabulary through that 22-entry table, shifted by one past its padding entry 0): ids
    stay below the table's size less one, which fits a table read as it is or past such a padding entry."""
    tables = [buffer.numel() for buffer in model.buffers()
              if buffer.dim() == 1 and not buffer.is_floating_point() and buffer.dtype != torch.bool
              and buffer.numel() > 1]
    if not tables:
        return []
    size = min(tables) - 1
    return [dict(inputs, input_ids=inputs["input_ids"] % size) for inputs in attempts
            if isinstance(inputs.get("input_ids"), torch.Tensor) and not inputs["input_ids"].is_floating_point()
            and inputs["input_ids"].numel() and int(inputs["input_ids"].max()) >= size]
