"""Required inputs of sub-models fed by another model: embeddings, layer states, robot states, marks, a cache.

Each builder is keyed on the forward parameter's name and sized from config fields whose names relate to it:
- `<x>_embeds` (required; `noise_embeds`, `action_embeds`): (batch, sequence, width), width the config's
  `hidden_size` or, for a composite config, its sub-configs' one;
- `<x>_hidden_states` (required; `context_hidden_states`): the concatenated states of the layers a config list
  `*_layer_ids` names, (batch, sequence, width * layers);
- `<x>` with a config `max_<x>_dim` / `<x>_dim` (`state`): (batch, dim); `noise` of a config sizing action chunks
  (`chunk_size`, `max_action_dim`) and a `timestep` in (0, 1), which such a forward samples itself unless given;
- `marks` (positions of the tokens read, after the first token), `num_options` and `question_type_ids` (type 0);
- `boxes` of detected layout elements, as LayoutLM's `bbox`, with a `mask` marking every one valid;
- `past_key_values` where the forward raises when it is None: the cache a sibling class of the same module and
  config class returns for the token ids, built per call on the forward's device (the same seed each time).

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from typing import Any

import torch

from modelgen.smoke.dummy_inputs.sessions import PerCall

QUESTIONS = 2  # questions per prompt (each read at one marked position)
OPTIONS = 2  # options per question
_RAISES_WITHOUT_CACHE = re.compile(r"^\s*if past_key_values is None:\s*\n\s*raise ", re.MULTILINE)


def required_builders(model: torch.nn.Module, parameters: dict[str, inspect.Parameter], config, batch: int,
                      sequence: int, token_ids: Callable[[], torch.Tensor]) -> dict[str, Callable[[], Any]]:
    """Builders for the inputs above that the forward takes (all wanted in the minimal input set)."""
    generator = torch.Generator().manual_seed(4)
    required = {name for name, parameter in parameters.items() if parameter.default is inspect.Parameter.empty}
    width = _width(config)
    builders: dict[str, Callable[[], Any]] = {}
    for name in parameters:
        if name in required and name.endswith("_embeds") and name not in ("inputs_embeds", "query_embeds"):
            if width is not None:
                builders[name] = lambda: torch.randn(batch, sequence, width, generator=generator)
        elif name in required and name.endswith("_hidden_states") and name != "encoder_hidden_states":
            layers = _layer_count(config)
            if width is not None and layers:
                builders[name] = lambda layers=layers: torch.randn(batch, sequence, width * layers,
                                                                   generator=generator)
        elif name in required and isinstance(dim := _dim(config, name), int):
            builders[name] = lambda dim=dim: torch.randn(batch, dim, generator=generator)
    chunk, action = getattr(config, "chunk_size", None), _dim(config, "action")
    if "noise" in parameters and isinstance(chunk, int) and isinstance(action, int):
        builders["noise"] = lambda: torch.randn(batch, chunk, action, generator=generator)
        if "timestep" in parameters:
            builders["timestep"] = lambda: torch.full((batch,), 0.5)
    if "marks" in parameters:  # one token read per question, after the first token
        builders["marks"] = lambda: torch.arange(sequence - QUESTIONS, sequence).expand(batch, -1).contiguous()
        if "num_options" in parameters:
            options = min(OPTIONS, getattr(config, "num_verbalizers", None) or OPTIONS)
            builders["num_options"] = lambda: torch.full((batch, QUESTIONS), options, dtype=torch.long)
        if "question_type_ids" in parameters:
            builders["question_type_ids"] = lambda: torch.zeros(batch, QUESTIONS, dtype=torch.long)
    if "boxes" in required:  # detected layout elements (PP-DocLayoutV2's reading-order head), all of them valid
        builders["boxes"] = lambda: layout_boxes(batch, sequence).float()
        if "mask" in parameters:
            builders["mask"] = lambda: torch.ones(batch, sequence, dtype=torch.bool)
    cache = _cache_builder(model, parameters, config, token_ids)
    if cache is not None:
        builders["past_key_values"] = cache
    return builders


def layout_boxes(batch: int, sequence: int) -> torch.Tensor:
    """One small box per token, (batch, sequence, 4) as (x0, y0, x1, y1): inside LayoutLM's [0, 1000] scale and
    inside a shrunk 2-D position table."""
    return torch.tensor([1, 2, 5, 8], dtype=torch.long).repeat(batch, sequence, 1)


def _width(config) -> int | None:
    """`hidden_size`, of the config or else of its first sub-config that names one (two levels deep)."""
    for holder in [config, *_sub_configs(config), *(sub for top in _sub_configs(config) for sub in _sub_configs(top))]:
        value = getattr(holder, "hidden_size", None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _sub_configs(config) -> list[Any]:
    return [value for value in (vars(config).values() if hasattr(config, "__dict__") else ())
            if hasattr(value, "to_dict") and hasattr(type(value), "model_type")]


def _layer_count(config) -> int | None:
    """How many layers' states are concatenated: the length of a config list of layer ids."""
    for name, value in (vars(config).items() if hasattr(config, "__dict__") else ()):
        if name.endswith(("layer_ids", "layer_indices")) and isinstance(value, (list, tuple)) and value:
            return len(value)
    return None


def _dim(config, name: str) -> int | None:
    for field in (f"max_{name}_dim", f"{name}_dim"):
        value = getattr(config, field, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _cache_builder(model: torch.nn.Module, parameters, config, token_ids) -> Callable[[], Any] | None:
    """A per-call `past_key_values` for a forward that raises without one: what a sibling class returns."""
    if "past_key_values" not in parameters:
        return None
    try:
        source = inspect.getsource(type(model).forward)
    except (OSError, TypeError):
        return None
    if not _RAISES_WITHOUT_CACHE.search(source):
        return None
    sibling = _cache_sibling(model, config)
    if sibling is None:
        return None
    dtype = next((tensor.dtype for tensor in model.parameters() if tensor.is_floating_point()), torch.float32)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            encoder = sibling(config).eval()
    except Exception:  # noqa: BLE001 - no sibling to build: the forward reports its own error
        return None
    ids = token_ids()  # the same prompt for every call

    def build(device: str) -> Any:
        with torch.no_grad():
            return encoder.to(device=device, dtype=dtype)(input_ids=ids.to(device), use_cache=True).past_key_values

    return lambda: PerCall(build, f"past_key_values of {sibling.__name__}")


def _cache_sibling(model: torch.nn.Module, config) -> type | None:
    """The first class of the model's module, in definition order, for the same config class, whose forward takes
    token ids and a cache without requiring one."""
    module = sys.modules.get(type(model).__module__)
    for candidate in (vars(module).values() if module is not None else ()):
        if (not isinstance(candidate, type) or candidate is type(model) or not issubclass(candidate, torch.nn.Module)
                or candidate.__module__ != module.__name__ or getattr(candidate, "config_class", None) is not type(config)):
            continue
        try:
            accepted = inspect.signature(candidate.forward).parameters
            source = inspect.getsource(candidate.forward)
        except (OSError, TypeError, ValueError):
            continue
        if "input_ids" in accepted and "past_key_values" in accepted and not _RAISES_WITHOUT_CACHE.search(source):
            return candidate
    return None


CAMERAS = 1
_IMAGE_TOKENS = ("image_token_id", "image_token_index")


def camera_variants(attempts: list[dict[str, Any]], config, parameters) -> list[dict[str, Any]]:
    """Images per sample from several cameras (PI0's prefix): (batch, cameras, channels, height, width) with a
    (batch, cameras) mask of the cameras present, and one image token per patch of each camera in the text, for a
    forward that takes `pixel_attention_mask` and a config (or sub-config) holding an image token and a vision
    config. Tried before the last attempt, whose failure stays the one reported."""
    holder = next((holder for holder in [config, *_sub_configs(config)] if _image_token(holder) is not None
                   and getattr(holder, "vision_config", None) is not None), None)
    if "pixel_attention_mask" not in parameters or holder is None:
        return attempts
    token, (size, per_image) = _image_token(holder), _patches_per_image(holder.vision_config)
    if per_image is None:
        return attempts
    variants = []
    for inputs in attempts:
        pixels, ids = inputs.get("pixel_values"), inputs.get("input_ids")
        if not (isinstance(pixels, torch.Tensor) and pixels.dim() == 4 and isinstance(ids, torch.Tensor)
                and ids.dim() == 2):
            continue
        text = ids.masked_fill(ids == token, 0)
        prefix = torch.full((ids.shape[0], per_image * CAMERAS), token, dtype=ids.dtype)
        variant = dict(inputs, input_ids=torch.cat([prefix, text], dim=1),
                       pixel_values=torch.rand(pixels.shape[0], CAMERAS, pixels.shape[1], size, size,
                                               generator=torch.Generator().manual_seed(5)),
                       pixel_attention_mask=torch.ones(ids.shape[0], CAMERAS, dtype=torch.bool))
        if "attention_mask" in parameters:
            variant["attention_mask"] = torch.ones_like(variant["input_ids"])
        variants.append(variant)
    return attempts[:-1] + variants + attempts[-1:] if variants else attempts


def _image_token(holder) -> int | None:
    return next((value for name in _IMAGE_TOKENS if isinstance(value := getattr(holder, name, None), int)
                 and not isinstance(value, bool)), None)


def _patches_per_image(vision) -> tuple[int | None, int | None]:
    size, patch = getattr(vision, "image_size", None), getattr(vision, "patch_size", None)
    size = size[-1] if isinstance(size, (list, tuple)) else size
    patch = patch[-1] if isinstance(patch, (list, tuple)) else patch
    if isinstance(size, int) and isinstance(patch, int) and patch > 0:
        return size, (size // patch) ** 2
    return None, None
