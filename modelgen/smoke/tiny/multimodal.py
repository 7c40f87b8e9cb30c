"""Tiny-config fits for detection heads and multimodal composites (placeholder tokens, fixed head sizes, towers).

Called from `tiny_config.tiny_arguments` with the config's constructor signature, its full-size instance and the
shrunk arguments, which each fit edits in place. Standard library only: runs inside the smoke worker.
"""

from __future__ import annotations

import re
from typing import Any

from modelgen.smoke.tiny.values import is_int as _is_int
from modelgen.smoke.tiny.values import read as _read

_PLACEHOLDER = re.compile(r"^(image|video)_token_(id|index)$")
_TOKEN_ID = re.compile(r"^(.*_)?(token_id|token_ids|token_index|token_idx)$")
MASK_GROUPS = 8  # DETR's mask head: GroupNorm(8) over `d_model + heads` channels
FIXED_HEAD_SIZE = 64  # OpenAI CLIP's towers: `width // 64` heads, a head count no config names


def fill_placeholder_tokens(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """The id of the image (video) placeholder that a processor adds to the tokenizer, which BLIP-2-like configs
    leave to the checkpoint (None), like a vocabulary size: a composite with a vision sub-config gets the highest
    ids of its shrunk text vocabulary that no other special token uses."""
    if not any(name.startswith("vision") and isinstance(value, dict) for name, value in arguments.items()):
        return
    text = arguments.get("text_config")
    vocab = text.get("vocab_size") if isinstance(text, dict) else None
    if not _is_int(vocab):
        vocab = _read(_read(instance, "text_config", None), "vocab_size", None)
    vocab = vocab if _is_int(vocab) else arguments.get("vocab_size")
    if not _is_int(vocab):
        return
    used: set[int] = set()
    for holder in (arguments, text if isinstance(text, dict) else {}):
        used.update(value for name, value in holder.items() if _TOKEN_ID.match(name) and _is_int(value))
    for holder in (instance, _read(instance, "text_config", None)):
        used.update(value for name, value in (vars(holder) if hasattr(holder, "__dict__") else {}).items()
                    if _TOKEN_ID.match(name) and _is_int(value) and name not in arguments)
    for name in sorted(signature):
        if _PLACEHOLDER.match(name) and signature[name] is None and _read(instance, name, None) is None:
            free = max((token for token in range(vocab) if token not in used), default=None)
            if free is not None:
                arguments[name] = free
                used.add(free)


def fit_mask_head_heads(signature: dict[str, Any], instance, arguments: dict[str, Any], rule_for) -> None:
    """DETR-like segmentation heads (a per-query mask loss, `mask_loss_coefficient`) concatenate each query's
    per-head attention maps to the `d_model` channels and normalise them in 8 groups: where the full-size width plus
    heads was a multiple of 8, the shrunk one stays so (8 heads of 4 over a width of 32)."""
    width_name = next((name for name in ("d_model", "hidden_size") if _is_int(arguments.get(name))), None)
    if "mask_loss_coefficient" not in signature or width_name is None:
        return
    width, full_width = arguments[width_name], _read(instance, width_name, signature.get(width_name))
    for name, heads in list(arguments.items()):
        full = _read(instance, name, signature.get(name))
        if (rule_for(name) != "heads" or not _is_int(heads) or not _is_int(full) or not _is_int(full_width)
                or (full_width + full) % MASK_GROUPS or not (width + heads) % MASK_GROUPS):
            continue
        if full >= MASK_GROUPS and width % MASK_GROUPS == 0:
            arguments[name] = MASK_GROUPS


def fit_fixed_head_size(signature: dict[str, Any], instance, arguments: dict[str, Any], rule_for) -> None:
    """A vision transformer (patches and a stack of layers) whose config names no head count or head size
    (BridgeTower's CLIP tower: the modeling builds `hidden_size // 64` heads) keeps one 64-wide head at least.
    A layerless patch config (SAM's prompt encoder) is no transformer and keeps the shared width."""
    rules = {rule_for(name) for name in signature}
    stacked = any(rule_for(name) == "layers" and _is_int(value) for name, value in signature.items())
    if "patch_size" not in signature or not stacked or rules & {"heads", "head_dim"}:
        return  # per-stage `depths` lists: a hierarchical tower (FocalNet) sizes its own heads
    for name, value in list(arguments.items()):
        full = _read(instance, name, signature.get(name))
        if rule_for(name) == "width" and _is_int(value) and _is_int(full) and value < FIXED_HEAD_SIZE <= full:
            arguments[name] = FIXED_HEAD_SIZE


def compound_output_widths(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> dict[int, int]:
    """{full-size: shrunk} output width of an EfficientNet-style tower's last stage (`out_channels[-1]` times the
    `width_coefficient`, rounded to a multiple of `depth_divisor` as the modeling rounds it), which a parent's
    projection of the same full-size width (ALIGN's `projection_dim`) must follow."""
    channels = _read(instance, "out_channels", signature.get("out_channels"))
    kept = arguments.get("out_channels", channels)  # its first stages only (`fit_compound_stages`)
    full, tiny = _read(instance, "width_coefficient", None), arguments.get("width_coefficient")
    divisor = _read(instance, "depth_divisor", signature.get("depth_divisor"))
    if not (isinstance(channels, (list, tuple)) and channels and _is_int(channels[-1]) and _is_int(divisor)
            and isinstance(kept, (list, tuple)) and kept and _is_int(kept[-1])
            and isinstance(full, float) and isinstance(tiny, float)):
        return {}
    return {_rounded_filters(channels[-1] * full, divisor): _rounded_filters(kept[-1] * tiny, divisor)}


COMPOUND_STAGES = 3


def fit_compound_stages(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """An EfficientNet-style tower (`width_coefficient`) keeps its first 3 stages: every per-stage list (those as
    long as `out_channels`) is cut. At tiny widths each stage's convolutions, drawn with std `initializer_range`,
    scale activations down some 1e-4 fold: seven stages leave ~1e-31, which ALIGN's L2 normalisation of its image
    embeddings squares to 0 (0 / 0), where the full-size model's wide stages keep them representable."""
    channels = _read(instance, "out_channels", signature.get("out_channels"))
    if (not isinstance(_read(instance, "width_coefficient", None), float) or not isinstance(channels, (list, tuple))
            or len(channels) <= COMPOUND_STAGES):
        return
    for name, default in signature.items():
        value = arguments.get(name, _read(instance, name, default))
        if (isinstance(value, (list, tuple)) and len(value) == len(channels)
                and all(_is_int(item) for item in value)):
            arguments[name] = list(value)[:COMPOUND_STAGES]


def _rounded_filters(channels: float, divisor: int) -> int:
    rounded = max(divisor, int(channels + divisor / 2) // divisor * divisor)
    return int(rounded + divisor if rounded < 0.9 * channels else rounded)


def follow_tower_outputs(signature: dict[str, Any], instance, arguments: dict[str, Any], outputs: dict[int, int],
                         rule_for) -> None:
    """A parent's width that equalled a sub-model tower's full-size output width takes its shrunk one."""
    for name, value in list(arguments.items()):
        full = _read(instance, name, signature.get(name))
        if rule_for(name) == "width" and _is_int(value) and _is_int(full) and full in outputs:
            arguments[name] = outputs[full]


def fit(signature: dict[str, Any], instance, arguments: dict[str, Any], tower_outputs: dict[int, int],
        rule_for) -> None:
    """Every fit of this module, in order; `tower_outputs` collects the towers' output widths for their parents."""
    fill_placeholder_tokens(signature, instance, arguments)
    fit_mask_head_heads(signature, instance, arguments, rule_for)
    fit_fixed_head_size(signature, instance, arguments, rule_for)
    follow_tower_outputs(signature, instance, arguments, tower_outputs, rule_for)
    fit_compound_stages(signature, instance, arguments)
    tower_outputs.update(compound_output_widths(signature, instance, arguments))


def keep_timm_stages(config_class: type, instance, library: dict[str, Any]):
    """The config with the library's own backbone (`library`: the arguments that pick it) in place of a timm one,
    returning as many feature maps as the timm one did (DETR's four, which its segmentation head reads three of; the
    library's default ResNet returns the last one only): its last stages. timm numbers stages its own way per model
    (a stem or none), so only the count carries over."""
    plain = config_class(**library)
    timm = _read(instance, "backbone_config", None)
    indices = _read(timm, "out_indices", None) if timm is not None else None
    if indices is None:  # 4.x: the timm stages sit in `backbone_kwargs`
        indices = (_read(instance, "backbone_kwargs", None) or {}).get("out_indices")
    backbone = _read(plain, "backbone_config", None)
    names = _read(backbone, "stage_names", None)
    chosen = _read(backbone, "out_indices", None)
    if not (isinstance(indices, (list, tuple)) and isinstance(names, (list, tuple)) and isinstance(chosen, (list, tuple))
            and len(chosen) < len(indices) < len(names)):
        return plain
    stages = type(backbone)(out_indices=list(range(len(names) - len(indices), len(names))))  # it sets only these
    try:
        return config_class(**library, backbone_config=stages)
    except Exception:  # noqa: BLE001 - 5.x configs take the backbone config alone
        return config_class(backbone_config=stages)
