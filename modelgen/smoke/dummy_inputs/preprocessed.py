"""The generic `inputs` of models that run them through an input preprocessor module (Perceiver), read off it.

Each preprocessor tells what it takes by its attributes, not its name: `modalities` (a dict of preprocessors: a
dict of inputs), `samples_per_patch` (raw audio, (batch, samples, 1), as many samples as its position encoding's
`max_resolution`), `prep_type == "patches"` (frames cut into patches: (batch, frames, channels, height, width), the
size its position encoding's `max_resolution` spans; a linear layer after patching fixes the channels, a pair of
frames for optical flow), no parameters and a `num_channels` (one-hot labels). A model whose preprocessor is
`None` takes embeddings of the model width. Image preprocessors that convolve (`conv`, `conv1x1`, `pixels`) read
`pixel_values`, which the forward takes as well: no builder for them, nor for preprocessors of other kinds.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

_NONE = object()
OUTPUT_POINTS = 64  # the first points of each decoded modality, as the model's own tests decode one chunk


def preprocessed_builders(model: torch.nn.Module, width: int, batch: int, sequence: int) -> dict[str, Callable]:
    """Builders for `inputs` and, for a decoder of several modalities, `subsampled_output_points`."""
    builders = {}
    inputs = _inputs_builder(model, width, batch, sequence)
    if inputs is not None:
        builders["inputs"] = inputs
        points = _output_points(model)
        if points is not None:
            builders["subsampled_output_points"] = lambda: {
                name: None if count is None else torch.arange(min(count, OUTPUT_POINTS)) for name, count in points.items()}
    return builders


def _output_points(model: torch.nn.Module) -> dict[str, int | None] | None:
    """How many output points each modality of a multimodal decoder has (its queries are built from the indices of
    the points asked for; without them they take their positions from the shape of the latent inputs instead), None
    for a modality that decodes a fixed set of queries (trainable positions)."""
    for module in model.modules():
        modalities = getattr(getattr(module, "decoder", None), "modalities", None)
        if isinstance(modalities, (dict, torch.nn.ModuleDict)):
            points = {}
            for name, decoder in modalities.items():
                dims = _find_attribute(decoder, "output_index_dims")
                trainable = _find_attribute(decoder, "position_encoding_type") == "trainable"
                points[name] = None if trainable or dims is None else math.prod(int(size) for size in dims)
            return points
    return None


def _find_attribute(module: torch.nn.Module, name: str, depth: int = 2) -> Any:
    """An attribute of a module or of the decoder it wraps (a video decoder wraps a basic one)."""
    value = getattr(module, name, None)
    if value is None and depth and isinstance(getattr(module, "decoder", None), torch.nn.Module):
        return _find_attribute(module.decoder, name, depth - 1)
    return value


def _inputs_builder(model: torch.nn.Module, width: int, batch: int, sequence: int) -> Callable[[], Any] | None:
    """A builder for `inputs`, or None where the model has no input preprocessor attribute or one not understood."""
    generator = torch.Generator().manual_seed(0)
    preprocessor = next((found for module in model.modules()
                         if (found := getattr(module, "input_preprocessor", _NONE)) is not _NONE), _NONE)
    if preprocessor is _NONE:
        return None
    if preprocessor is None:  # the bare model: inputs already embedded
        return lambda: torch.randn(batch, sequence, width, generator=generator)
    shape = _describe(preprocessor, batch)
    if shape is None:
        return None
    return lambda: _materialise(shape, generator)


def _describe(preprocessor, batch: int) -> Any:
    """What to build for one preprocessor: a (shape, kind) pair, a dict of them, or None."""
    modalities = getattr(preprocessor, "modalities", None)
    if isinstance(modalities, (dict, torch.nn.ModuleDict)):
        parts = {name: _describe(module, batch) for name, module in modalities.items()}
        return parts if all(part is not None for part in parts.values()) else None
    resolution = getattr(getattr(preprocessor, "position_embeddings", None), "max_resolution", None)
    resolution = [int(size) for size in resolution] if isinstance(resolution, (list, tuple)) else None
    samples_per_patch = getattr(preprocessor, "samples_per_patch", None)
    if isinstance(samples_per_patch, int) and resolution and len(resolution) == 1:
        samples = math.ceil(resolution[0] / samples_per_patch) * samples_per_patch
        return (batch, samples, 1), "float"
    if getattr(preprocessor, "prep_type", None) == "patches" and resolution and len(resolution) in (2, 3):
        spatial = int(getattr(preprocessor, "spatial_downsample", 1) or 1)
        temporal = int(getattr(preprocessor, "temporal_downsample", 1) or 1)
        after = getattr(preprocessor, "conv_after_patches", None)
        if isinstance(after, torch.nn.Linear):  # patch features of `in_features` = frames x channels x block area
            frames, channels = temporal, after.in_features // (temporal * spatial * spatial)
            height, width = resolution[-2:]
        elif len(resolution) == 3:  # a video: frames, then the patched height and width
            frames, channels = resolution[0], int(getattr(preprocessor, "in_channels", 3))
            height, width = resolution[1:]
        else:
            return None
        return (batch, frames, channels, height, width), "float"
    if (getattr(preprocessor, "position_embeddings", None) is None and not any(True for _ in preprocessor.parameters())
            and isinstance(getattr(preprocessor, "num_channels", None), int)):
        return (batch, preprocessor.num_channels), "zeros"  # one-hot labels (all zero: none given)
    return None


def _materialise(shape: Any, generator: torch.Generator) -> Any:
    if isinstance(shape, dict):
        return {name: _materialise(part, generator) for name, part in shape.items()}
    size, kind = shape
    return torch.zeros(size) if kind == "zeros" else torch.randn(size, generator=generator)
