"""A second draw of a working input set: other values of the same shapes, in the ranges real inputs reach.

The first draw keeps the builders' ranges (pixels in [0, 1), unit-normal features), which every input kind is
known to run with. Real inputs reach further: normalised images span about [-2.1, 2.6] (ImageNet's mean and
standard deviation), log-mel spectrograms are negative and large, embeddings scaled by the width are large in both
signs. A model that computes NaN only there (a square root of a negative pixel) passes the first draw and fails
this one. Token ids are redrawn except for every id the config names (padding, image placeholders), so the
structure the builders set up (one placeholder per image feature) stays valid.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

from typing import Any

import torch

SEED = 1234
# ImageNet's normalisation, the most common processor default: (value - mean) / std per channel
PIXEL_MEAN = (0.485, 0.456, 0.406)
PIXEL_STD = (0.229, 0.224, 0.225)
EMBEDDING_SCALE = 8.0  # width-scaled embeddings (Gemma multiplies by sqrt(hidden_size)) are large in both signs
_PIXEL_NAMES = ("pixel_values", "pixel_values_videos", "prompt_pixel_values")
_SPECTROGRAM_NAMES = ("input_features", "audio_mel", "spectrogram", "input_values_mel")
_EMBEDDING_SUFFIXES = ("inputs_embeds", "hidden_states", "query_embeds", "encoder_hidden_states", "_embeds")
_TOKEN_NAMES = ("input_ids", "decoder_input_ids")


def second_draw(inputs: dict[str, Any], config, seed: int = SEED) -> dict[str, Any]:
    """`inputs` with every pixel, spectrogram, embedding and token-id tensor redrawn (other inputs unchanged)."""
    generator = torch.Generator().manual_seed(seed)
    reserved = _named_token_ids(config)
    return {name: _redrawn(name, value, generator, reserved) for name, value in inputs.items()}


def _redrawn(name: str, value: Any, generator: torch.Generator, reserved: set[int]) -> Any:
    if not isinstance(value, torch.Tensor) or value.numel() == 0:
        return value
    if value.is_floating_point():
        if name in _PIXEL_NAMES:
            return normalised_pixels(value.shape, generator).to(value.dtype)
        if name in _SPECTROGRAM_NAMES:
            return log_mel(value.shape, generator).to(value.dtype)
        if name.endswith(_EMBEDDING_SUFFIXES):
            return (torch.randn(value.shape, generator=generator) * EMBEDDING_SCALE).to(value.dtype)
        return value
    if name in _TOKEN_NAMES and value.dtype in (torch.int64, torch.int32):
        return _redrawn_ids(value, generator, reserved)
    return value


def normalised_pixels(shape: torch.Size, generator: torch.Generator) -> torch.Tensor:
    """Pixels in [0, 1] normalised per channel (the channel axis is the one of size 3, else every one uses the
    first channel's statistics): about [-2.1, 2.6], the extremes included."""
    raw = torch.rand(shape, generator=generator)
    flat = raw.flatten()
    flat[0], flat[-1] = 0.0, 1.0  # a black and a white pixel, so both ends of the range are reached
    axis = next((index for index in range(len(shape) - 3, 0, -1) if shape[index] == 3), None) if len(shape) >= 3 else None
    mean, std = torch.tensor(PIXEL_MEAN), torch.tensor(PIXEL_STD)
    if axis is None:
        return (raw - mean[0]) / std[0]
    view = [1] * len(shape)
    view[axis] = 3
    return (raw - mean.view(view)) / std.view(view)


def log_mel(shape: torch.Size, generator: torch.Generator) -> torch.Tensor:
    """Natural-log mel energies of a quiet-to-loud signal: from log(1e-5) (silence floor) up to about 2."""
    energies = torch.rand(shape, generator=generator) ** 4 * 7.0 + 1e-5
    return torch.log(energies)


def _redrawn_ids(ids: torch.Tensor, generator: torch.Generator, reserved: set[int]) -> torch.Tensor:
    """Ordinary ids redrawn within the range the first draw used; ids the config names stay where they are."""
    keep = torch.zeros_like(ids, dtype=torch.bool)
    for token in reserved:
        keep |= ids == token
    ordinary = ids[~keep]
    if ordinary.numel() == 0:
        return ids
    low, high = int(ordinary.min()), int(ordinary.max())
    if high <= low:
        return ids
    fresh = torch.randint(low, high + 1, ids.shape, generator=generator, dtype=ids.dtype)
    for token in reserved:  # a fresh id may not collide with a named one
        fresh = torch.where(fresh == token, torch.full_like(fresh, low if token != low else high), fresh)
    return torch.where(keep, ids, fresh)


def _named_token_ids(config, depth: int = 3) -> set[int]:
    """Every id a config (or its sub-configs) names: `*_token_id`, `*_token_index`, `*_token_ids` lists."""
    found: set[int] = set()
    if config is None or depth < 0:
        return found
    for name, value in vars(config).items() if hasattr(config, "__dict__") else ():
        if hasattr(value, "to_dict") and not isinstance(value, type):
            found |= _named_token_ids(value, depth - 1)
        elif "token" in name and name.endswith(("_id", "_index", "_ids")):
            values = value if isinstance(value, (list, tuple)) else [value]
            found |= {item for item in values if isinstance(item, int) and not isinstance(item, bool)}
    return found
