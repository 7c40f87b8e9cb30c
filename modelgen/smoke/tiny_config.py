"""Derive a tiny configuration from a config class's own defaults, with no hand-written tester.

Every size-like constructor argument (hidden sizes, layers, heads, key/value heads, head dims, feed-forward
sizes, vocabulary, positions, image and patch sizes, experts, ...) is shrunk to a small value chosen so the
usual constraints hold: the hidden size is `heads * 8`, key/value heads divide the heads, per-stage width
lists are multiples of their per-stage head counts, token ids stay inside the shrunk vocabulary and sub-configs
(multimodal, encoder-decoder) are shrunk the same way. The config class then rebuilds itself from those
arguments, so attributes it derives (`head_dim`, `layer_types`, ...) follow. `overrides` (`--set`) win.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import inspect
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

HEADS = 4
HEAD_DIM = 8
WIDTH = HEADS * HEAD_DIM
FEED_FORWARD = 64
LAYERS = 2
VOCAB = 128
POSITIONS = 64
IMAGE = 32
PATCH = 4
EXPERTS = 4
EXPERTS_PER_TOKEN = 2
LORA_RANK = 16

_RULES: list[tuple[str, str]] = [  # (pattern on the argument name, rule); the first match wins
    (r"^(.*_)?(key_value_heads|kv_heads)$", "kv_heads"),
    (r"^(num_)?(.*_)?(attention_heads|heads|n_head|n_heads)$", "heads"),
    (r"^(num_experts_per_tok|num_experts_per_token|moe_topk|moe_top_k|topk_group|n_group|num_selected_experts)$",
     "experts_per_token"),
    (r"^(num_experts|num_local_experts|n_routed_experts|moe_num_experts|num_shared_experts|n_shared_experts)$",
     "experts"),
    (r"^(.*_)?(rotary_dim|rotary_emb_dim|rope_dim)$", "rotary"),
    (r"^(.*_)?(head_dim|d_kv|kv_channels|attention_head_size|head_size)$", "head_dim"),
    (r"^(.*_)?lora_rank$", "lora_rank"),
    (r"^(num_)?(norm_)?groups$", "groups"),
    (r"^(num_|n_)?(.*_)?(hidden_layers|layers|layer|blocks)$", "layers"),
    (r"^(depths|.*_depths|block_sizes|num_layers_per_block)$", "layers"),
    (r"^(.*_)?(intermediate_size|ffn_dim|d_ff|n_inner|ff_dim|intermediate_dim|feed_forward_size|hidden_ff)(_.*)?$",
     "feed_forward"),
    (r"^(.*_)?vocab_size$", "vocab"),
    ((r"^(max_position_embeddings|n_positions|n_ctx|max_source_positions|max_target_positions"
      r"|.*_max_position_embeddings|max_sequence_length|max_seq_len)$"), "positions"),
    (r"^(.*_)?(image_size|img_size)$", "image"),
    (r"^patch_size$", "patch"),
    (r"^window_size$", "window"),  # shifted-window attention: a window that tiles the shrunk patch grid
    (r"^num_queries$", "queries"),  # detection queries: two-stage decoders pick them among the few image tokens
    ((r"^(hidden_size|d_model|n_embd|embed_dim|embedding_size|dim|hidden_dim|d_embed|model_dim|word_embed_proj_dim"
      r"|projection_dim|.*_hidden_size|.*_embed_dim|.*_embedding_size|hidden_sizes|embed_dims|dims|conv_dim"
      r"|.*_hidden_sizes|.*_channels_list)$"), "width"),
]
_DEPENDENT = re.compile(r"^.*_(dim|size|channels|features|hidden)$")
_KEPT_WHEN_SET = ("out_indices", "out_features")  # which backbone stages a parent (DPT, ZoeDepth) reads
_NEEDED_WHEN_NONE = {"vocab_size": VOCAB, "head_dim": HEAD_DIM, "num_key_value_heads": HEADS}
_TOKEN_ID = re.compile(r"^(.*_)?(token_id|token_ids|token_index|token_idx)$")


def rule_for(name: str) -> str | None:
    for pattern, rule in _RULES:
        if re.match(pattern, name):
            return rule
    return None


@dataclass
class _Shrinking:
    """What one derivation shares across nested configs."""

    remapped: dict[int, int] = field(default_factory=dict)  # special token id -> id inside the shrunk vocabulary
    widths: dict[int, int] = field(default_factory=dict)  # original width -> shrunk width
    dependents: list[tuple[dict[str, Any], str, int]] = field(default_factory=list)  # `*_dim` values no rule named

    def follow_widths(self) -> None:
        """A `condition_dim`/`text_hidden_dim` equal to a shrunk width (of any config) must follow it."""
        for arguments, name, value in self.dependents:
            if name not in arguments and value in self.widths:
                arguments[name] = self.widths[value]


def tiny_config(config_class: type, overrides: dict[str, Any] | None = None):
    """(tiny config instance, {argument: tiny value} of what was changed, nested for sub-configs)."""
    state = _Shrinking()
    arguments = tiny_arguments(config_class, config_class(), state)
    state.follow_widths()
    changes = _changes(arguments)
    for key, value in (overrides or {}).items():
        _set_dotted(arguments, key, value)
        _set_dotted(changes, key, value)
    return config_class(**arguments), changes


def tiny_arguments(config_class: type, instance, state: _Shrinking | None = None, nested: bool = False
                   ) -> dict[str, Any]:
    """Constructor arguments for a tiny version of `instance` (sub-configs as dicts with their `model_type`).

    Arguments whose default is None are left out unless shrunk: the class derives them (`head_dim`,
    `num_key_value_heads`, `layer_types`) from the others. Values `instance` holds that differ from the
    class defaults (a parent's choice for its sub-config) are kept.
    """
    state = _Shrinking() if state is None else state
    signature = _init_defaults(config_class)
    arguments: dict[str, Any] = {}
    heads_list = _heads_list(signature)
    stage_counts = {len(value) for value in signature.values() if isinstance(value, (list, tuple))}
    indexed = {name: getattr(instance, name, default) if nested else default for name, default in signature.items()}
    needed_layers = _layers_indexed(indexed)
    for name, default in signature.items():
        current = getattr(instance, name, default)
        if _is_config(current):
            arguments[name] = tiny_arguments(type(current), current, state, nested=True)  # the dict the state holds
            arguments[name]["model_type"] = type(current).model_type
            continue
        if isinstance(current, bool) and re.match(r"^use_.*kernels?$", name):
            if current:
                arguments[name] = False  # fused CUDA kernels (mamba) are not what a smoke test runs on CPU
            continue
        if (rule_for(name) is None and isinstance(current, int) and not isinstance(current, bool)
                and _DEPENDENT.match(name)):
            state.dependents.append((arguments, name, current))
        if current is None and name in _NEEDED_WHEN_NONE:
            # left to the user (esm's vocabulary) or derived by some models only (hunyuan reads head_dim as is)
            arguments[name] = _NEEDED_WHEN_NONE[name]
            continue
        if isinstance(current, dict) and isinstance(current.get("mrope_section"), list):
            arguments[name] = dict(current, mrope_section=_scaled_sections(current["mrope_section"], HEAD_DIM // 2))
            continue
        if nested and default is None and name in _KEPT_WHEN_SET and current is not None and _is_plain(current):
            arguments[name] = list(current) if isinstance(current, tuple) else current  # a parent's backbone choice
            continue
        if default is None or not _is_plain(current):
            continue
        rule = rule_for(name)
        if rule == "layers" and isinstance(current, int) and current in stage_counts:
            rule = None  # the number of stages that per-stage lists describe: keep it
        tiny = current if rule is None or isinstance(current, bool) else _shrink(rule, current, signature, heads_list)
        if rule == "layers" and isinstance(tiny, int) and needed_layers:
            tiny = max(tiny, min(needed_layers, current))  # layer indices elsewhere (out_indices) must stay valid
        if rule == "width" and isinstance(current, int) and isinstance(tiny, int) and current > tiny:
            state.widths.setdefault(current, tiny)
        if tiny != default:
            arguments[name] = tiny
    _truncate_per_layer_lists(signature, instance, arguments)
    _follow_vision_tokens(signature, arguments)
    _fit_windows(signature, arguments)
    _fit_multimodal_rope(instance, arguments)
    _fix_token_ids(instance, signature, arguments, state.remapped)
    return arguments


def _init_defaults(config_class: type) -> dict[str, Any]:
    """Constructor arguments with their default values (dataclass-style 5.x configs and 4.x `__init__`s)."""
    defaults = {}
    for klass in reversed(config_class.__mro__):
        if klass is object or "__init__" not in klass.__dict__:
            continue
        try:
            parameters = inspect.signature(klass.__init__).parameters
        except (TypeError, ValueError):
            continue
        for name, parameter in parameters.items():
            if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if parameter.default is not inspect.Parameter.empty:
                defaults[name] = parameter.default
    return {name: value for name, value in defaults.items() if _is_plain(value)}


def _is_plain(value: Any) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return _is_config(value)


def _is_config(value: Any) -> bool:
    return hasattr(value, "to_dict") and hasattr(type(value), "model_type") and hasattr(value, "to_json_string")


def _fit_multimodal_rope(instance, arguments: dict[str, Any]) -> None:
    """Qwen-VL-like text models split rotary dims into (time, height, width) sections, defaulting to [16, 24, 24]
    in the modeling code when the config names none: give the shrunk head an explicit split."""
    vision = getattr(instance, "vision_config", None)
    if getattr(vision, "temporal_patch_size", None) is None:
        return
    nested = isinstance(arguments.get("text_config"), dict)  # 5.x: a text sub-config; 4.x: text fields at the top
    text, target = (instance.text_config, arguments["text_config"]) if nested else (instance, arguments)
    key = "rope_parameters" if hasattr(text, "rope_parameters") else "rope_scaling"
    rope = dict(target.get(key) or getattr(text, key, None) or {})
    rope["mrope_section"] = _scaled_sections(rope.get("mrope_section") or [16, 24, 24], HEAD_DIM // 2)
    rope.setdefault("rope_type", "default")
    if key == "rope_scaling":  # 4.x reads the older `type` key
        rope.setdefault("type", rope["rope_type"])
    target[key] = rope


def _scaled_sections(sections: list[int], total: int) -> list[int]:
    """Multimodal RoPE splits half a head's dims into (time, height, width) sections: keep their proportions."""
    scaled = [max(1, section * total // sum(sections)) for section in sections]
    scaled[-1] += total - sum(scaled)
    return scaled


def _fit_windows(signature: dict[str, Any], arguments: dict[str, Any]) -> None:
    """Hierarchical windowed models (Swin) halve the patch grid per stage: the last stage must still hold a window."""
    depths, window = arguments.get("depths", signature.get("depths")), arguments.get("window_size")
    patch, image = arguments.get("patch_size", signature.get("patch_size")), arguments.get("image_size")
    if not (isinstance(depths, list) and isinstance(window, int) and isinstance(patch, int) and isinstance(image, int)):
        return
    largest = max(1, image // (window * 2 ** (len(depths) - 1)))
    if patch > largest:
        arguments["patch_size"] = largest


def _follow_vision_tokens(signature: dict[str, Any], arguments: dict[str, Any]) -> None:
    """`image_seq_length` (image tokens per image in the text) follows the shrunk vision tower's patch grid."""
    vision = arguments.get("vision_config")
    if "image_seq_length" not in signature or not isinstance(vision, dict):
        return
    image, patch = vision.get("image_size"), vision.get("patch_size")
    if isinstance(image, int) and isinstance(patch, int) and patch:
        arguments["image_seq_length"] = (image // patch) ** 2


def _truncate_per_layer_lists(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """Lists with one entry per layer (`layer_types`, `mlp_layer_types`, per-layer `intermediate_size`) follow the
    new layer count, which grows to keep one layer of every kind they name (hybrid models: linear and full
    attention); every such list is then cut to that one count."""
    for count_name, original in _layer_counts(signature, instance, arguments).items():
        per_layer = {}
        for name, default in signature.items():
            current = arguments.get(name, getattr(instance, name, default))
            if (isinstance(current, (list, tuple)) and len(current) == original and original > arguments[count_name]
                    and rule_for(name) != "layers"):
                per_layer[name] = list(current)
        for values in per_layer.values():
            kinds = [item for item in values if isinstance(item, (str, int, float)) and not isinstance(item, bool)]
            if len(kinds) == len(values) and any(isinstance(item, str) for item in kinds):
                needed = max(kinds.index(kind) + 1 for kind in set(kinds))
                arguments[count_name] = max(arguments[count_name], min(needed, original))
        for name, values in per_layer.items():
            arguments[name] = values[: arguments[count_name]]


def _layer_counts(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> dict[str, int]:
    """{argument: original value} for the layer counts that were shrunk."""
    return {name: getattr(instance, name, value) for name, value in signature.items()
            if rule_for(name) == "layers" and isinstance(arguments.get(name), int)
            and isinstance(getattr(instance, name, value), int)}


def _layers_indexed(signature: dict[str, Any]) -> int | None:
    """One more than the highest layer index that lists such as `out_indices` refer to."""
    highest = [max(value) for name, value in signature.items()
               if re.search(r"(indices|indexes|_idxs|layer_ids|out_features_layers)$", name)
               and isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value)]
    return max(highest) + 1 if highest else None


def _heads_list(signature: dict[str, Any]) -> list[int] | None:
    for name, value in signature.items():
        if rule_for(name) == "heads" and isinstance(value, (list, tuple)) and value:
            return [int(v) for v in value]
    return None


def _shrink(rule: str, value: Any, signature: dict[str, Any], heads_list: list[int] | None) -> Any:
    if isinstance(value, (list, tuple)):
        if not value or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return value
        return _shrink_list(rule, list(value), heads_list)
    if not isinstance(value, int) or value <= 0:
        return value
    if rule == "kv_heads":
        heads = next((v for n, v in signature.items() if rule_for(n) == "heads" and isinstance(v, int)), None)
        if value == 1:
            return 1
        return HEADS if heads is not None and value >= heads else HEADS // 2
    if rule == "width" and heads_list:
        return min(value, HEAD_DIM * heads_list[0])
    return min(value, _TARGETS[rule])


_TARGETS = {"heads": HEADS, "experts_per_token": EXPERTS_PER_TOKEN, "experts": EXPERTS, "rotary": HEAD_DIM // 2,
            "head_dim": HEAD_DIM, "lora_rank": LORA_RANK, "layers": LAYERS, "feed_forward": FEED_FORWARD,
            "vocab": VOCAB, "positions": POSITIONS, "image": IMAGE, "patch": PATCH, "width": WIDTH, "groups": 2,
            "window": 2, "queries": 8}


def _shrink_list(rule: str, values: list[int], heads_list: list[int] | None) -> list[int]:
    if rule == "layers":
        return [min(v, 1) for v in values]
    if rule == "heads":
        return values  # per-stage head counts: the widths follow them
    if rule == "width":
        if heads_list and len(heads_list) == len(values):
            return [min(v, HEAD_DIM * h) for v, h in zip(values, heads_list)]
        factor = max(1.0, max(values) / 64)
        return [max(8, int(math.ceil(v / factor / 8) * 8)) if v > 8 else v for v in values]
    return [min(v, _TARGETS[rule]) if v > 0 else v for v in values]


def _fix_token_ids(instance, signature: dict[str, Any], arguments: dict[str, Any], remapped: dict[int, int]) -> None:
    """Keep every special token id inside the shrunk vocabulary: ids past its end get distinct ids counted down
    from its end, the same original id the same new id in every nested config."""
    vocab = arguments.get("vocab_size")
    nested = [value.get("vocab_size") for value in arguments.values() if isinstance(value, dict)]
    if not isinstance(vocab, int):
        vocab = next((value for value in nested if isinstance(value, int)), None)
    if not isinstance(vocab, int):
        return
    names = sorted({name for name in (*signature, *vars(instance)) if _TOKEN_ID.match(name)})
    for name in names:
        value = arguments.get(name, getattr(instance, name, signature.get(name)))
        ids = value if isinstance(value, list) else [value]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in ids) or not ids:
            continue
        fixed = []
        for token in ids:
            if token >= vocab:
                remapped.setdefault(token, vocab - 2 - len(remapped))
                token = remapped[token]
            fixed.append(token)
        if fixed != ids:
            arguments[name] = fixed if isinstance(value, list) else fixed[0]
    if "pad_token_id" in signature or hasattr(instance, "pad_token_id"):
        if arguments.get("pad_token_id", getattr(instance, "pad_token_id", None)) is None:
            # batched sequence-classification heads need a padding id to find each sequence's last token
            used = {v for name in names for v in _as_list(arguments.get(name, getattr(instance, name, None)))}
            # the lowest free id: roberta-like models also use it as the padding index of position embeddings
            arguments["pad_token_id"] = min(token for token in range(vocab) if token not in used)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _set_dotted(arguments: dict[str, Any], key: str, value: Any) -> None:
    head, _, rest = key.partition(".")
    if rest:
        nested = arguments.setdefault(head, {})
        if not isinstance(nested, dict):
            raise ValueError(f"--set {key}: {head} is not a sub-config")
        _set_dotted(nested, rest, value)
    else:
        arguments[head] = value


def _changes(arguments: dict[str, Any]) -> dict[str, Any]:
    """What the report shows: shrunk sizes and moved token ids, nested for sub-configs."""
    changes = {}
    for name, value in arguments.items():
        if isinstance(value, dict) and "model_type" in value:
            changes[name] = _changes(value)
        elif rule_for(name) is not None or _TOKEN_ID.match(name):
            changes[name] = value
    return changes


def parse_override(text: str) -> tuple[str, Any]:
    """`KEY=VALUE` with VALUE read as JSON when it parses (numbers, true/false/null, lists), else a string."""
    key, separator, raw = text.partition("=")
    if not separator or not key.strip():
        raise ValueError(f"--set expects KEY=VALUE, got {text!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value
