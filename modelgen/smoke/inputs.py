"""Dummy forward inputs, built from the forward signature and the config.

Two attempts per class: the minimal one (the model's main input, every required argument, an attention mask
and decoder input ids where accepted), then a fuller one that also feeds every other input kind the forward
accepts and that can be built (a CLIP-like model needs both token ids and pixel values). A required argument
no builder knows raises `UnbuildableInput`, which the worker reports as a `skip` with its name.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch

BATCH = 2
SEQUENCE = 7
AUDIO_SAMPLES = 16000  # one second at 16 kHz: enough frames after the feature encoder for TDNN/x-vector heads
AUDIO_FRAMES = 32


class UnbuildableInput(Exception):
    """A required forward argument modelgen cannot build yet."""


def forward_parameters(model: torch.nn.Module) -> dict[str, inspect.Parameter]:
    try:
        parameters = inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        return {}
    return {
        name: parameter
        for name, parameter in parameters.items()
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    }


def input_attempts(model: torch.nn.Module, config, choices: bool = False) -> list[dict[str, Any]]:
    """The input sets to try, in order (a second, fuller set only when it differs from the first).
    `choices`: multiple-choice heads take token inputs shaped (batch, choices, sequence)."""
    parameters = forward_parameters(model)
    builders = _builders(config)
    main = getattr(model, "main_input_name", "input_ids")
    required = [name for name, parameter in parameters.items() if parameter.default is inspect.Parameter.empty]
    wanted = [*(main if isinstance(main, (list, tuple)) else [main]), *required]
    if "input_ids" in wanted or "input_ids" in required:
        wanted.append("attention_mask")
    wanted.append("decoder_input_ids")
    minimal = _build([name for name in dict.fromkeys(wanted) if name in parameters], builders, required)
    fuller_names = [*minimal, *(name for name in _FULL_KINDS if name in parameters)]
    if "input_ids" in fuller_names:
        fuller_names.append("attention_mask")
    fuller = _build([name for name in dict.fromkeys(fuller_names) if name in parameters], builders, required)
    if not fuller:
        accepted = ", ".join(parameters) or "nothing"
        raise UnbuildableInput(f"none of the inputs the forward accepts can be built yet ({accepted})"[:300])
    attempts = [minimal] if fuller.keys() == minimal.keys() else [minimal, fuller]
    with_images = _with_image_tokens(fuller, config, parameters)
    if with_images is not None:
        attempts.append(with_images)
    frames = _find(config, "num_frames")
    if isinstance(frames, int) and frames > 0:  # video models: (batch, frames, channels, height, width)
        attempts += [dict(inputs, pixel_values=_as_video(inputs["pixel_values"], frames))
                     for inputs in list(attempts) if getattr(inputs.get("pixel_values"), "dim", lambda: 0)() == 4]
    if choices:
        attempts = [{name: _as_choices(name, value) for name, value in inputs.items()} for inputs in attempts]
    return attempts


def _as_choices(name: str, value: Any) -> Any:
    if name in _TOKEN_SHAPED and isinstance(value, torch.Tensor):
        return value.unsqueeze(1).expand(value.shape[0], CHOICES, *value.shape[1:]).contiguous()
    return value


_TOKEN_SHAPED = ("input_ids", "attention_mask", "token_type_ids", "bbox")
CHOICES = 2
FALLBACK_VOCAB = 32


_FULL_KINDS = ("input_ids", "pixel_values", "input_features", "input_values", "bbox", "token_type_ids",
               "image_grid_thw")


def _as_video(pixel_values: torch.Tensor, frames: int) -> torch.Tensor:
    return pixel_values[:, None].expand(-1, frames, -1, -1, -1).contiguous()


def _with_image_tokens(inputs: dict[str, Any], config, parameters=()) -> dict[str, Any] | None:
    """Vision-language models (LLaVA-like) need one image token per image feature in the text: prefix each
    sequence with (image size / patch size)^2 image tokens, the count the vision tower produces."""
    token = _find(config, "image_token_id")
    if token is None:
        token = _find(config, "image_token_index")
    vision = getattr(config, "vision_config", None)
    if not isinstance(token, int) or "pixel_values" not in inputs or "input_ids" not in inputs or vision is None:
        return None
    if "image_grid_thw" in inputs:  # flattened patches, merged spatial_merge_size x spatial_merge_size per token
        count = PATCH_GRID * PATCH_GRID // (_find(config, "spatial_merge_size") or 1) ** 2
    else:
        count = getattr(config, "image_seq_length", None) or (_image_size(vision)[0] // _patch(vision)) ** 2
    batch = inputs["input_ids"].shape[0]
    prefix = torch.full((batch, count), token, dtype=inputs["input_ids"].dtype)
    extended = dict(inputs, input_ids=torch.cat([prefix, inputs["input_ids"]], dim=1))
    if "attention_mask" in inputs:
        extended["attention_mask"] = torch.ones_like(extended["input_ids"])
    if "mm_token_type_ids" in parameters:  # which tokens are image tokens (multimodal RoPE)
        extended["mm_token_type_ids"] = (extended["input_ids"] == token).long()
    return extended


def _patch(vision_config) -> int:
    patch = getattr(vision_config, "patch_size", None) or 1
    return int(patch[0] if isinstance(patch, (list, tuple)) else patch)


def _build(names: list[str], builders: dict[str, Callable[[], Any]], required: list[str]) -> dict[str, Any]:
    inputs = {}
    for name in names:
        builder = builders.get(name)
        if builder is None:
            if name in required:
                raise UnbuildableInput(f"cannot build the required input {name!r} yet")
            continue
        inputs[name] = builder()
    return inputs


def _builders(config) -> dict[str, Callable[[], Any]]:
    generator = torch.Generator().manual_seed(0)
    image = _image_size(config)
    channels = _find(config, "num_channels") or 3
    builders = {
        "input_ids": lambda: _token_ids(config, _text_vocab(config), generator),
        "decoder_input_ids": lambda: _token_ids(config, _find(config, "decoder_vocab_size") or _text_vocab(config),
                                                generator),
        "attention_mask": lambda: torch.ones(BATCH, SEQUENCE, dtype=torch.long),
        "qformer_input_ids": lambda: _token_ids(config, getattr(getattr(config, "qformer_config", None), "vocab_size",
                                                                None) or _text_vocab(config), generator),
        "qformer_attention_mask": lambda: torch.ones(BATCH, SEQUENCE, dtype=torch.long),
        "token_type_ids": lambda: torch.zeros(BATCH, SEQUENCE, dtype=torch.long),
        "pixel_values": lambda: torch.rand(BATCH, channels, *image, generator=generator),
        "pixel_mask": lambda: torch.ones(BATCH, *image, dtype=torch.long),
        "input_values": lambda: torch.randn(BATCH, AUDIO_SAMPLES, generator=generator),
        "input_features": lambda: _audio_features(config, generator),
        "bbox": lambda: _boxes(),
    }
    if isinstance(_find(config, "temporal_patch_size"), int):  # Qwen-VL-like: flattened patches plus their grid
        builders.update({
            "pixel_values": lambda: _flat_patches(config, generator),
            "hidden_states": lambda: _flat_patches(config, generator),
            "grid_thw": lambda: _patch_grid(),
            "image_grid_thw": lambda: _patch_grid(),
        })
    return builders


PATCH_GRID = 4  # patches per side of each image in the flattened (Qwen-VL-like) format; a multiple of the merge size


def _patch_grid() -> torch.Tensor:
    return torch.tensor([[1, PATCH_GRID, PATCH_GRID]] * BATCH)


def _flat_patches(config, generator: torch.Generator) -> torch.Tensor:
    channels = _find(config, "in_channels") or _find(config, "num_channels") or 3
    patch = _find(config, "patch_size")
    patch = patch[0] if isinstance(patch, (list, tuple)) else patch
    features = channels * _find(config, "temporal_patch_size") * patch * patch
    return torch.randn(BATCH * PATCH_GRID * PATCH_GRID, features, generator=generator)


def _find(config, name: str):
    """An attribute of the config or, failing that, of its text/vision/audio/encoder sub-configs."""
    value = getattr(config, name, None)
    if value is not None:
        return value
    for sub in ("text_config", "vision_config", "audio_config", "encoder", "backbone_config"):
        nested = getattr(config, sub, None)
        if nested is not None and getattr(nested, name, None) is not None:
            return getattr(nested, name)
    return None


def _text_vocab(config) -> int:
    """`vocab_size`, else the smallest `*_vocab_size` (source/target vocabularies), else a small id range for
    models that hash or embed code points without a vocabulary."""
    vocab = _find(config, "vocab_size")
    if isinstance(vocab, int):
        return vocab
    others = [value for name, value in vars(config).items()
              if name.endswith("vocab_size") and isinstance(value, int) and not isinstance(value, bool)]
    return min(others) if others else FALLBACK_VOCAB


def special_token_ids(config) -> set[int]:
    ids: set[int] = set()
    holders = (config, getattr(config, "text_config", None), getattr(config, "decoder", None))
    for holder in (holder for holder in holders if hasattr(holder, "__dict__")):
        for name, value in vars(holder).items():
            if name.endswith(("token_id", "token_ids", "token_index", "token_idx")):
                for item in value if isinstance(value, (list, tuple)) else [value]:
                    if isinstance(item, int) and not isinstance(item, bool):
                        ids.add(item)
    return ids


def _token_ids(config, vocab: int, generator: torch.Generator) -> torch.Tensor:
    """Ids that avoid every special token, each sequence ending with the end-of-sequence token where there is one
    (sequence classification heads of encoder-decoder models pool at the last `eos`)."""
    specials = special_token_ids(config)
    allowed = torch.tensor([token for token in range(vocab) if token not in specials] or list(range(vocab)))
    ids = allowed[torch.randint(len(allowed), (BATCH, SEQUENCE), generator=generator)]
    eos = getattr(config, "eos_token_id", None)
    if isinstance(eos, list):
        eos = eos[0] if eos else None
    if isinstance(eos, int) and 0 <= eos < vocab:
        ids[:, -1] = eos
    return ids


def _image_size(config) -> tuple[int, int]:
    size = _find(config, "image_size") or _find(config, "img_size") or 32
    if isinstance(size, (list, tuple)):
        return int(size[-2]), int(size[-1])
    if isinstance(size, dict):
        return int(size.get("height", 32)), int(size.get("width", 32))
    return int(size), int(size)


def _audio_features(config, generator: torch.Generator) -> torch.Tensor:
    mel_bins = _find(config, "num_mel_bins")
    if isinstance(mel_bins, int):  # whisper-like: (batch, mel bins, 2 * encoder positions)
        positions = _find(config, "max_source_positions") or AUDIO_FRAMES
        return torch.randn(BATCH, mel_bins, 2 * positions, generator=generator)
    per_channel = _find(config, "input_feat_per_channel")
    if isinstance(per_channel, int):  # speech-to-text-like: (batch, frames, features * channels)
        channels = _find(config, "input_channels") or 1
        return torch.randn(BATCH, AUDIO_FRAMES, per_channel * channels, generator=generator)
    features = _find(config, "feature_size") or _find(config, "num_mel_bins")
    if isinstance(features, int):
        return torch.randn(BATCH, AUDIO_FRAMES, features, generator=generator)
    raise UnbuildableInput("cannot tell the shape of input_features from the config")


def _boxes() -> torch.Tensor:
    corner = torch.tensor([1, 2, 5, 8], dtype=torch.long)
    return corner.repeat(BATCH, SEQUENCE, 1)
