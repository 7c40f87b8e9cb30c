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
from dataclasses import dataclass, field, is_dataclass
from typing import Any

from modelgen.smoke.tiny import multimodal as tiny_multimodal
from modelgen.smoke.tiny import relations as tiny_relations
from modelgen.smoke.tiny import text as tiny_text
from modelgen.smoke.tiny import vision as tiny_vision
from modelgen.smoke.tiny.values import read as _read

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
    (r"^(num_experts_per_tok|num_experts_per_token|moe_topk|moe_top_k|topk_group|n_group|num_selected_experts|moe_k)$",
     "experts_per_token"),
    (r"^(num_experts|num_local_experts|n_routed_experts|moe_num_experts|num_shared_experts|n_shared_experts)$",
     "experts"),
    (r"^(.*_)?(rotary_dim|rotary_emb_dim|rope_dim)$", "rotary"),
    (r"^(.*_)?(head_dim|d_kv|kv_channels|attention_head_size|head_size)$", "head_dim"),
    (r"^(.*_)?lora_rank$", "lora_rank"),
    (r"^(num_|n_)?(norm_)?groups$", "groups"),  # `n_groups`: Mamba-2 state groups must divide the shrunk heads
    (r"^(num_|n_)?(.*_)?(hidden_layers|layers|layer|blocks)$", "layers"),
    (r"^(depths|.*_depths|block_sizes|num_layers_per_block)$", "layers"),
    (r"^(.*_)?(intermediate_size|ffn_dim|d_ff|n_inner|ff_dim|intermediate_dim|feed_forward_size|hidden_ff)(_.*)?$",
     "feed_forward"),
    (r"^(.*_)?vocab_size(_per_layer_input)?$", "vocab"),  # Gemma 3n's per-layer input embeddings too
    ((r"^(max_position_embeddings|n_positions|n_ctx|max_source_positions|max_target_positions"
      r"|.*_max_position_embeddings|max_sequence_length|max_seq_len"
      r"|max_text_length)$"), "positions"),  # the decoding steps of a table-structure head (SLANet)
    (r"^(.*_)?(image_size|img_size|crop_size)$", "image"),
    (r"^frames_per_clip$", "frames"),  # video clips (V-JEPA 2): a few frames, still a multiple of the tubelet size
    (r"^patch_size$", "patch"),
    (r"^window_size$", "window"),  # shifted-window attention: a window that tiles the shrunk patch grid
    (r"^num_windows$", "windows"),  # windowed ViT backbones (LW-DETR): a square number of windows tiling the grid
    (r"^num_queries$", "queries"),  # detection queries: two-stage decoders pick them among the few image tokens
    (r"^latent_query_num$", "queries"),  # Kosmos-2's image embeddings: as many text positions hold them
    (r"^num_latents$", "queries"),  # Perceiver's latent array
    (r"^num_self_attends_per_block$", "layers"),
    (r"^(train_size|output_shape)$", "image"),  # Perceiver's optical-flow and (frames, height, width) video outputs
    (r"^d_latents$", "width"),
    (r"^base_channels$", "width"),  # VQ-GAN encoders (Chameleon, Janus): every stage a multiple of it, GroupNorm(32)
    ((r"^(hidden_size|d_model|n_embd|embed_dim|embedding_size|dim|hidden_dim|d_embed|model_dim|word_embed_proj_dim"
      r"|projection_dim|.*_hidden_size|.*_embed_dim|.*_embedding_size|hidden_sizes|embed_dims|dims|conv_dim"
      r"|.*_hidden_sizes|.*_channels_list|hidden_size_per_layer_input)$"), "width"),
]
_DEPENDENT = re.compile(r"^.*_(dim|size|channels|channel|features|feats|hidden|groups)$")  # `upsample_groups`: depthwise
_STAGE_WIDTHS = re.compile(r"^.*_(dim|channel|channels)_(per_stage|list)$")  # Hiera's `embed_dim_per_stage`
# which backbone stages a parent (DPT, ZoeDepth) reads; 5.x dataclass configs name the fields `_out_features`, but
# only the public names, passed together, survive their `__post_init__`
_KEPT_WHEN_SET = ("out_indices", "out_features", "_out_indices", "_out_features")
# Time-series forecasters leave the horizon to the user; the context must cover the decoder's `label_length` (10).
_NEEDED_WHEN_NONE = {"vocab_size": VOCAB, "head_dim": HEAD_DIM, "num_key_value_heads": HEADS,
                     "prediction_length": 4, "context_length": 12,
                     # masked-image pre-training decoders (Hiera) that the user must size
                     "decoder_hidden_size": WIDTH, "decoder_depth": 1, "decoder_num_heads": HEADS,
                     # MoE sizes some configs leave to the checkpoint (Dots1, DeepSeek-V2's router top-k)
                     "n_routed_experts": EXPERTS, "n_shared_experts": 1, "num_experts": EXPERTS,
                     "num_experts_per_tok": EXPERTS_PER_TOKEN, "top_k_experts": EXPERTS_PER_TOKEN,
                     "moe_intermediate_size": FEED_FORWARD}
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
    stage_widths: dict[int, int] = field(default_factory=dict)  # original -> shrunk entry of per-stage width lists
    stage_dependents: list[tuple[dict[str, Any], str, list[int]]] = field(default_factory=list)
    kind_repeats: int = 1  # layers of each kind a per-layer kind list keeps (2: a kind that shares weights repeats)
    tower_outputs: dict[int, int] = field(default_factory=dict)  # a sub-model tower's output width: full -> shrunk
    feature_grids: dict[int, int] = field(default_factory=dict)  # a feature level's side: full -> shrunk

    def _concatenated_widths(self) -> dict[int, int]:
        """{sum of two original widths: sum of their shrunk widths}: X-Codec 2's `quantization_dim` is its acoustic
        plus its semantic encoder's hidden size."""
        return {first + second: self.widths[first] + self.widths[second]
                for first in self.widths for second in self.widths}

    def follow_widths(self) -> None:
        """A `condition_dim`/`text_hidden_dim` equal to a shrunk width (of any config) must follow it."""
        for arguments, name, value in self.dependents:
            if arguments.get(name, value) != value:  # set by a fit; a parent's choice kept as it was still follows
                continue  # (ESMFold2's diffusion module gives its atom encoder `output_dim` = its own width, 768)
            if value in self.widths:
                arguments[name] = self.widths[value]
            elif name.endswith("pos_feats") and 2 * value in self.widths:  # sine and cosine: two per channel (SAM)
                arguments[name] = self.widths[2 * value] // 2
            elif value in self.stage_widths:  # one backbone stage's channels (PP-DocLayoutV3's `x4_feat_dim`)
                arguments[name] = self.stage_widths[value]
            elif name.endswith("_dim") and value in self._concatenated_widths():
                arguments[name] = self._concatenated_widths()[value]  # two encoders' features side by side
        for arguments, name, values in self.stage_dependents:  # a detector's `encoder_in_channels`: backbone stages
            for widths in (self.widths, self.stage_widths):  # `decoder_in_channels`: the one model width, repeated
                if list(arguments.get(name, values)) == values and all(value in widths for value in values):
                    arguments[name] = [widths[value] for value in values]
            shrunk = [value for value in values if self.widths.get(value, value) < value]
            if name not in arguments and shrunk:  # per-stage channels ending at the model width (EfficientLoFTR's
                factor = max(shrunk) / self.widths[max(shrunk)]  # `out_features`): scaled by the width's factor
                arguments[name] = [_scaled_width(value, factor) for value in values]
                self._keep_slices(arguments, values, arguments[name], factor)
            last = values[-1]
            if (list(arguments.get(name, values)) == values and name.endswith("channels") and last in self.widths
                    and self.widths[last] < last):  # a neck whose last stage feeds a shrunk encoder (SAM -> CLIP
                factor = last / self.widths[last]  # in DeepSeek-OCR): every stage shrinks by that encoder's factor
                arguments[name] = [*(_scaled_width(value, factor) for value in values[:-1]), self.widths[last]]

    def _keep_slices(self, arguments: dict[str, Any], full: list[int], tiny: list[int], factor: float) -> None:
        """A `*_dim` of the same config that was a slice of the narrowest stage (EfficientLoFTR's
        `fine_matching_slice_dim`: 8 of the first stage's 64 channels, split off its fine features) and no longer
        fits in the scaled stage keeps its fraction: divided by the same factor."""
        for holder, name, value in self.dependents:
            if (holder is arguments and name not in arguments and name.endswith("_dim")
                    and min(tiny) <= value < min(full)):
                arguments[name] = max(1, min(min(tiny) - 1, round(value / factor)))


def tiny_config(config_class: type, overrides: dict[str, Any] | None = None, main_input: str = "input_ids",
                enabled: dict[str, Any] | None = None, kind_repeats: int = 1):
    """(tiny config instance, {argument: tiny value} of what was changed, nested for sub-configs). `main_input`:
    what the model reads, which picks a composite's encoder. `enabled`: flags the full-size config is built with
    first, so the sub-configs they bring (ESMFold's `is_folding_model`) are shrunk too. `kind_repeats`: layers of
    every kind a hybrid model's layer kinds keep, where it has that many at full size (Zamba's hybrid layers
    share one transformer block, which its build ties from the first to the others: 2 keeps a second one)."""
    if sub_models(config_class) is not None and not _builds_from_defaults(config_class):
        return _tiny_composite(config_class, overrides or {}, main_input)
    state = _Shrinking(kind_repeats=kind_repeats)
    default = config_class(**enabled) if enabled else default_instance(config_class)
    arguments = tiny_arguments(config_class, default, state)
    state.follow_widths()
    changes = _changes(arguments, default)
    for key, value in (overrides or {}).items():
        _set_dotted(arguments, key, value)
        _set_dotted(changes, key, value)
    config, related = tiny_relations.construct(config_class, default, arguments)  # sizes a validator ties together
    for key, value in related.items():
        _set_dotted(changes, key, value)
    widened = tiny_text.width_for_dim_factors(config_class, config, arguments, getattr(default, "hidden_size", None))
    if widened and "hidden_size" not in (overrides or {}):
        arguments.update(widened)
        changes.update(widened)
        config = config_class(**arguments)
    grown = _layers_derived_lists_need(default, config, arguments, kind_repeats)
    if grown:
        arguments.update(grown)
        changes.update({name: count for name, count in grown.items() if name not in (overrides or {})})
        config = config_class(**arguments)
    return config, changes


def _layers_derived_lists_need(default, config, arguments: dict[str, Any], kind_repeats: int = 1) -> dict[str, int]:
    """A per-layer list the config derives itself (Zamba's `layers_block_type`: two mamba layers, then a hybrid
    one, whatever the count) can come out longer than the shrunk layer count: the count grows to its length."""
    grown = {}
    for name, count in arguments.items():
        original = getattr(default, name, None)
        if rule_for(name) != "layers" or not isinstance(count, int) or not isinstance(original, int):
            continue
        for attribute, value in vars(default).items():
            derived = _read(config, attribute, None)
            if (attribute not in arguments and isinstance(value, list) and len(value) == original
                    and all(isinstance(item, str) for item in value) and isinstance(derived, list)
                    and len(derived) > count):
                grown[name] = max(grown.get(name, count), len(derived))
        needed = _layers_for_every_kind(default, config, original, kind_repeats)
        if needed > count:
            grown[name] = max(grown.get(name, count), needed)
    return grown


_DERIVED_LAYER_KINDS = ("layer_types", "layers_block_type")


def _layers_for_every_kind(default, config, original: int, kind_repeats: int = 1) -> int:
    """Hybrid models derive each layer's kind from a pattern (Jamba: attention every 8th layer from the 4th;
    RecurrentGemma: recurrent, recurrent, attention): the shrunk count must still reach one layer (`kind_repeats`
    layers) of every kind the full model has, or the attention path (and its cache) is never built."""
    needed = 0
    for attribute in _DERIVED_LAYER_KINDS:
        full, tiny = _read(default, attribute, None), _read(config, attribute, None)
        if not (isinstance(full, list) and isinstance(tiny, list) and all(isinstance(kind, str) for kind in full)):
            continue
        if any(tiny.count(kind) < min(kind_repeats, full.count(kind)) for kind in set(full)):
            needed = max(needed, min(original, layers_holding(full, kind_repeats)))
    return needed


def layers_holding(kinds: list, repeats: int) -> int:
    """The fewest leading layers of a per-layer kind list that hold `repeats` layers of every kind it names (all
    of a kind's layers where it has fewer)."""
    needed = 0
    for kind in set(kinds):
        positions = [index for index, item in enumerate(kinds) if item == kind]
        needed = max(needed, positions[min(repeats, len(positions)) - 1] + 1)
    return needed


def default_instance(config_class: type):
    """The config built from its defaults, except that a timm backbone (DETR-like detectors) becomes the library's
    own: `use_timm_backbone=False` makes the config pick its default `backbone_config` (a ResNet), which is then
    shrunk like any sub-config. Whether timm is installed or not, so the smoke config is tiny, the same everywhere,
    and never downloads pretrained backbone weights (timm's `resnet50` would)."""
    instance = config_class()
    if getattr(instance, "use_timm_backbone", False) is True:  # 4.x: `backbone="resnet50"` names a timm model
        library = {"use_timm_backbone": False, "backbone": None, "use_pretrained_backbone": False}
        return tiny_multimodal.keep_timm_stages(config_class, instance, library)
    if getattr(getattr(instance, "backbone_config", None), "model_type", "") == "timm_backbone":  # 5.x
        return tiny_multimodal.keep_timm_stages(config_class, instance, {"use_timm_backbone": False})
    return instance


# Composite configs that name no default sub-models (`EncoderDecoderConfig()` raises): the library model each
# sub-config role gets (the factory classmethod's `<role>_config` argument), the pairs the library's own tests
# combine. Keyed on the role, not the model type, so a copy (`new --like encoder_decoder`) is assembled the same
# way. An `encoder` follows what the composite model reads (its `main_input_name`). A sub-config whose factory
# argument annotates a concrete class (Musicgen's `decoder_config: MusicgenDecoderConfig`) needs no entry.
SUB_MODEL_BY_ROLE: dict[str, str] = {"decoder": "bert", "vision": "vit", "text": "bert", "question_encoder": "dpr",
                                     "generator": "bart", "text_encoder": "t5", "audio_encoder": "encodec"}
ENCODER_BY_MAIN_INPUT: dict[str, str] = {"input_ids": "bert", "pixel_values": "vit", "inputs": "wav2vec2",
                                         "input_values": "wav2vec2", "input_features": "wav2vec2"}


def sub_models(config_class: type, main_input: str = "input_ids") -> dict[str, str] | None:
    """{role: model type} for a config assembled from sub-configs by a factory classmethod; None otherwise."""
    _, parameters = _sub_config_factory(config_class)
    roles = [name.removesuffix("_config") for name in parameters if name.endswith("_config")]
    if not roles:
        return None
    choices = {role: ENCODER_BY_MAIN_INPUT.get(main_input, "bert") if role == "encoder" else SUB_MODEL_BY_ROLE.get(role)
               for role in roles}
    return {role: model for role, model in choices.items() if model is not None}


def _builds_from_defaults(config_class: type) -> bool:
    try:
        config_class()
    except Exception:  # noqa: BLE001 - composite configs insist on their sub-configs
        return False
    return True


def _sub_config_factory(config_class: type):
    """The classmethod that assembles the composite from sub-config instances (`from_encoder_decoder_configs`,
    `from_sub_models_config`): it also sets what the pairing needs (the decoder's `add_cross_attention`)."""
    for name in dir(config_class):
        if name.startswith("from_") and name.endswith(("_configs", "_config")):
            method = getattr(config_class, name)
            parameters = inspect.signature(method).parameters
            if any(parameter.endswith("_config") for parameter in parameters):
                return method, parameters
    return None, {}


def _tiny_composite(config_class: type, overrides: dict[str, Any], main_input: str):
    """A composite config assembled from tiny sub-configs of the models `sub_models` picks; `--set encoder.X=...`
    reaches the sub-config, a top-level key the composite."""
    import importlib

    mapping = importlib.import_module(f"{config_class.__module__.split('.')[0]}.models.auto.configuration_auto")
    factory, parameters = _sub_config_factory(config_class)
    choices = sub_models(config_class, main_input) or {}
    sub_overrides: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for key, value in overrides.items():
        head, _, rest = key.partition(".")
        head = head.removesuffix("_config") if head in parameters else head  # `vision_config.X` names `vision`
        if rest and (head in choices or f"{head}_config" in parameters):
            sub_overrides.setdefault(head, {})[rest] = value
        else:
            top[key] = value
    subs, changes = {}, {}
    for name in [p[: -len("_config")] for p in parameters if p.endswith("_config")] or list(choices):
        annotation = parameters[f"{name}_config"].annotation if f"{name}_config" in parameters else None
        if isinstance(annotation, type) and getattr(annotation, "model_type", ""):
            sub_class = annotation
        else:
            sub_class = mapping.CONFIG_MAPPING[choices[name]]
        subs[name], changes[name] = tiny_config(sub_class, sub_overrides.get(name))
    if factory is not None:
        config = factory(**{f"{name}_config": sub for name, sub in subs.items()}, **top)
    else:
        config = config_class(**{name: sub.to_dict() for name, sub in subs.items()}, **top)
    changes = {name if hasattr(config, name) else f"{name}_config": value for name, value in changes.items()}
    changes.update(top)  # reported under the attribute that holds each sub-config (`vision_config`)
    return config, changes


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
    indexed = {name: _read(instance, name, default) if nested else default for name, default in signature.items()}
    needed_layers = _layers_indexed(indexed)
    layout_width = _layout_width(signature)
    for name, default in signature.items():
        current = _read(instance, name, default)
        if isinstance(default, str) and current is not None and not isinstance(current, str):
            continue  # a sentinel (`mamba_d_head="auto"`) the config resolved from the big sizes: let it re-derive
        if _is_config(current):
            arguments[name] = tiny_arguments(type(current), current, state, nested=True)  # the dict the state holds
            arguments[name]["model_type"] = type(current).model_type
            for chosen, value in tiny_text.parent_choices(current, _init_defaults(type(current)), rule_for).items():
                arguments[name].setdefault(chosen, value)
            if name == "backbone_config" and "patch_size" not in signature and _tiles_image(current):
                # the parent's decoder assumes the backbone's stride (VitMatte's three stride-2 conv stages fused
                # with the features upsampled twice: 16) without naming it: keep it where it tiles the tiny image
                arguments[name]["patch_size"] = current.patch_size
            continue
        if is_dataclass(current) and not isinstance(current, type):  # 4.x ESMFold's trunk: plain dataclasses, rebuilt
            arguments[name] = tiny_arguments(type(current), current, state, nested=True)  # from dicts by the parent
            continue
        if isinstance(current, bool) and re.match(r"^use_.*kernels?$", name):
            if current:
                arguments[name] = False  # fused CUDA kernels (mamba) are not what a smoke test runs on CPU
            continue
        if (rule_for(name) is None and isinstance(current, int) and not isinstance(current, bool)
                and _DEPENDENT.match(name) and default is not None):  # None: derived again from the tiny sizes
            state.dependents.append((arguments, name, current))  # (X-Codec's `codebook_dim`: the two widths' sum)
        if (rule_for(name) is None and (_DEPENDENT.match(name) or _STAGE_WIDTHS.match(name))
                and isinstance(current, (list, tuple)) and current
                and all(isinstance(value, int) and not isinstance(value, bool) for value in current)):
            state.stage_dependents.append((arguments, name, list(current)))
        if current is None and name in _NEEDED_WHEN_NONE:
            # left to the user (esm's vocabulary) or derived by some models only (hunyuan reads head_dim as is)
            arguments[name] = _NEEDED_WHEN_NONE[name]
            continue
        if isinstance(current, dict) and isinstance(current.get("mrope_section"), list):
            arguments[name] = dict(current, mrope_section=_scaled_sections(current["mrope_section"], HEAD_DIM // 2))
            continue
        if nested and default is None and name in _KEPT_WHEN_SET and current is not None and _is_plain(current):
            arguments[name.lstrip("_")] = list(current) if isinstance(current, tuple) else current  # the parent's
            continue
        if (nested and default is None and rule_for(name) in ("head_dim", "kv_heads") and isinstance(current, int)
                and not isinstance(current, bool) and current > 0):
            # a parent that merges its own defaults into the sub-config dict (Voxtral's `head_dim=128` and 8 key/value
            # heads for its Llama) would bring the big values back: name tiny ones, as the shrunk sizes derive them
            arguments[name] = _shrink(rule_for(name), current, signature, heads_list)
            continue
        if default is None and rule_for(name) == "image" and _is_sizes(current):
            arguments[name] = _shrink("image", current, signature, heads_list)  # Hiera's [1024, 1024], set when None
            continue
        if default is None or not _is_plain(current):
            continue
        rule = rule_for(name)
        if rule == "layers" and isinstance(current, int) and current in stage_counts:
            rule = None  # the number of stages that per-stage lists describe: keep it
        if rule == "patch" and _strided_patches(signature):
            rule = None  # a kernel whose stride is set apart (Hiera) or a stack of strided convs (LeViT): keep it
        tiny = current if rule is None or isinstance(current, bool) else _shrink(rule, current, signature, heads_list)
        if rule == "width" and isinstance(tiny, int) and layout_width:
            tiny = min(current, layout_width)
        if rule == "layers" and isinstance(tiny, int) and needed_layers:
            tiny = max(tiny, min(needed_layers, current))  # layer indices elsewhere (out_indices) must stay valid
        if rule == "width" and isinstance(current, int) and isinstance(tiny, int) and current > tiny:
            state.widths.setdefault(current, tiny)
        if rule == "width" and isinstance(current, (list, tuple)) and isinstance(tiny, list) and len(tiny) > 1:
            for original, shrunk in zip(current, tiny):
                state.stage_widths.setdefault(original, shrunk)
        if tiny != default:
            arguments[name] = tiny
    _truncate_per_layer_lists(signature, instance, arguments, state.kind_repeats)
    tiny_text.fit_shared_tail(signature, instance, arguments, rule_for)
    if nested:
        _keep_backbone_stages(config_class, instance, arguments)
        _keep_extra_attributes(config_class, instance, arguments)
    _fit_layer_patterns(signature, instance, arguments)
    _fit_factorised_lists(signature, instance, arguments)
    _fit_decode_head_features(signature, arguments)
    _scale_compound_coefficients(signature, instance, arguments)
    _follow_vision_tokens(signature, arguments)
    _fit_windows(signature, arguments)
    _fit_pixel_windows(signature, instance, arguments)
    _fit_grid_pinpoints(signature, instance, arguments)
    _fit_mask_units(signature, arguments)
    _fit_output_stride(signature, arguments)
    _fit_context_to_positions(signature, instance, arguments)
    if "d_latents" in signature and "num_cross_attention_heads" in arguments:
        # Perceiver's latents cross-attend to preprocessed inputs of any channel count (Fourier position features
        # add 258): only one head divides them all
        arguments["num_cross_attention_heads"] = 1
    _fit_stage_doubling(signature, instance, arguments)
    _fit_feature_layers(signature, instance, arguments)
    _fit_layout(signature, arguments)
    _scale_stage_channels(signature, instance, arguments, state)
    _fit_multimodal_rope(instance, arguments)
    _pick_defaults(signature, instance, arguments)
    _fix_token_ids(instance, signature, arguments, state.remapped)
    _fill_vocabulary_map(signature, instance, arguments)
    _fit_partial_rotary(instance, arguments)
    _fit_wide_rotary(instance, arguments)
    _fit_feature_sizes(instance, arguments, state.feature_grids)
    _follow_feature_grids(instance, arguments, state.feature_grids)
    tiny_vision.fit(signature, instance, arguments, state.feature_grids, rule_for)
    tiny_text.fit_expanded_heads(signature, instance, arguments, rule_for)
    tiny_text.keep_rope_pair_heads(signature, instance, arguments)
    tiny_text.fit_sibling_feature_layers(instance, arguments)
    tiny_multimodal.fit(signature, instance, arguments, state.tower_outputs, rule_for)
    return arguments


def _fit_partial_rotary(instance, arguments: dict[str, Any]) -> None:
    """A partial rotary factor (NeoMME's 0.25 on full-attention layers) must still rotate at least four dims of the
    shrunk head (M-RoPE consumes frequencies in pairs of pairs): an explicit `head_dim` grows until it does."""
    rope = _read(instance, "rope_parameters", None) or _read(instance, "rope_scaling", None)
    nested = [value for value in rope.values() if isinstance(value, dict)] if isinstance(rope, dict) else []
    factors = [params.get("partial_rotary_factor") for params in [rope or {}, *nested] if isinstance(params, dict)]
    factors = [factor for factor in factors if isinstance(factor, float) and 0 < factor < 1]
    head_dim = arguments.get("head_dim")
    if factors and isinstance(head_dim, int) and head_dim * min(factors) < 4:
        arguments["head_dim"] = 4 * math.ceil(4 / min(factors) / 4)


def _is_sizes(value: Any) -> bool:
    values = value if isinstance(value, (list, tuple)) and value else [value]
    return all(isinstance(size, int) and not isinstance(size, bool) and size > 0 for size in values)


def _follow_feature_grids(instance, arguments: dict[str, Any], grids: dict[int, int]) -> None:
    """A sibling sub-config whose patch grid is one of those feature levels (SAM 2's prompt encoder: 1024 / 16, the
    Hiera backbone's last level of 64) keeps matching it: its patch becomes its tiny image over the level's new side."""
    for name, tiny in arguments.items():
        full = _read(instance, name, None)
        image, patch = _read(full, "image_size", None), _read(full, "patch_size", None)
        if not (_is_config(full) and isinstance(tiny, dict) and isinstance(image, int) and isinstance(patch, int)
                and patch > 0 and image % patch == 0 and image // patch in grids):
            continue
        side, new_image = grids[image // patch], tiny.get("image_size", image)
        if isinstance(new_image, int) and new_image % side == 0:
            tiny["patch_size"] = new_image // side


def _fit_feature_sizes(instance, arguments: dict[str, Any], grids: dict[int, int] | None = None) -> None:
    """Feature-map sizes a config states beside its backbone (SAM 3 tracker's `backbone_feature_sizes`: [h, w] of
    each level, 4, 2 and 1 times the backbone's 72-patch grid) follow the shrunk backbone's patch grid."""
    backbone, tiny = _read(instance, "backbone_config", None), arguments.get("backbone_config")
    if not _is_config(backbone) or not isinstance(tiny, dict):
        return
    sides = []
    for sizes in (vars(backbone), {**vars(backbone), **tiny}):
        image, patch = sizes.get("image_size"), sizes.get("patch_size") or sizes.get("patch_stride")
        image = image[-1] if isinstance(image, (list, tuple)) and image else image
        patch = patch[-1] if isinstance(patch, (list, tuple)) and patch else patch
        sides.append(image // patch if isinstance(image, int) and isinstance(patch, int) and patch else None)
    old, new = sides
    if not old or not new or old == new:
        return
    for name, value in vars(instance).items():
        pairs = value if isinstance(value, (list, tuple)) and value else None
        if (name in arguments or pairs is None or not all(isinstance(pair, (list, tuple)) and len(pair) == 2 and all(
                isinstance(size, int) and not isinstance(size, bool) and size * new % old == 0 for size in pair)
                for pair in pairs)):
            continue
        arguments[name] = [[size * new // old for size in pair] for pair in pairs]
        if grids is not None:
            grids.update({size: size * new // old for pair in pairs for size in pair})


def _fit_wide_rotary(instance, arguments: dict[str, Any]) -> None:
    """A rotary factor above 1 (EfficientLoFTR's 4.0: 2-D frequencies of head_dim * 4 / 2 filling a quarter of
    the width) ties the head count to the factor, not to the width: the shrunk width keeps the original heads."""
    rope = _read(instance, "rope_parameters", None)
    factor = rope.get("partial_rotary_factor") if isinstance(rope, dict) else None
    heads, width = _read(instance, "num_attention_heads", None), arguments.get("hidden_size")
    if (isinstance(factor, (int, float)) and factor > 1 and isinstance(heads, int) and "num_attention_heads" in arguments
            and isinstance(width, int) and width % heads == 0):
        arguments["num_attention_heads"] = heads


def _fill_vocabulary_map(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """A `vocabulary_map` (token string -> id, which checkpoints copy from their tokenizer; Chameleon and Emu3 read
    the `<image>` placeholder from it while building) that defaults to None gets just that placeholder, on the
    last id of the shrunk vocabulary."""
    if "vocabulary_map" not in signature or _read(instance, "vocabulary_map", None) is not None:
        return
    vocab = arguments.get("vocab_size")
    nested = [value.get("vocab_size") for value in arguments.values() if isinstance(value, dict)]
    vocab = vocab if isinstance(vocab, int) else next((value for value in nested if isinstance(value, int)), None)
    if isinstance(vocab, int):
        arguments["vocabulary_map"] = {"<image>": vocab - 1}


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
    for name in _image_size_properties(config_class):
        defaults.setdefault(name, None)  # shrunk from the instance's value, like an image size set when None
    return {name: value for name, value in defaults.items() if _is_plain(value)}


def _image_size_properties(config_class: type) -> list[str]:
    """Image sizes a config takes as a settable property outside its signature (SAM 3 tracker video's `image_size`
    is popped from the keyword arguments and written into every sub-config: left out, the default 1008 wins)."""
    return [name for klass in config_class.__mro__ if getattr(klass, "model_type", "")  # not the library's base
            for name, attribute in vars(klass).items()
            if isinstance(attribute, property) and attribute.fset is not None and rule_for(name) == "image"]


def _is_plain(value: Any) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return _is_config(value)


def _is_config(value: Any) -> bool:
    return hasattr(value, "to_dict") and hasattr(type(value), "model_type") and hasattr(value, "to_json_string")


def _pick_defaults(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """`default_language=None` next to `languages=[...]` (X-MOD): the forward refuses inputs that name no
    language unless a default is set, so the first of the choices becomes the default."""
    for name, default in signature.items():
        if not name.startswith("default_") or default is not None or getattr(instance, name, None) is not None:
            continue
        choices = arguments.get(name[len("default_"):] + "s", getattr(instance, name[len("default_"):] + "s", None))
        if isinstance(choices, (list, tuple)) and choices and isinstance(choices[0], str):
            arguments[name] = choices[0]


def _fit_multimodal_rope(instance, arguments: dict[str, Any]) -> None:
    """Qwen-VL-like text models split rotary dims into (time, height, width) sections, defaulting to [16, 24, 24]
    in the modeling code when the config names none: give the shrunk head an explicit split."""
    vision = getattr(instance, "vision_config", None)
    nested = isinstance(arguments.get("text_config"), dict)  # 5.x: a text sub-config; 4.x: text fields at the top
    text, target = (instance.text_config, arguments["text_config"]) if nested else (instance, arguments)
    if (getattr(vision, "temporal_patch_size", getattr(vision, "temporal_merge_size", None)) is None
            and "mrope_section" not in (getattr(type(text), "ignore_keys_at_rope_validation", None) or ())
            and getattr(instance, "vision_start_token_id", None) is None):
        # video-capable towers (temporal patches or merges), a text config that expects the split, or image spans
        # opened by a vision start token (M-RoPE positions restart there) go with a (time, height, width) split
        return
    key = "rope_parameters" if hasattr(text, "rope_parameters") else "rope_scaling"
    rope = dict(target.get(key) or getattr(text, key, None) or {})
    rope["mrope_section"] = _scaled_sections(rope.get("mrope_section") or [16, 24, 24], _rotary_half(text, target, rope))
    rope.setdefault("rope_type", "default")
    if key == "rope_scaling":  # 4.x reads the older `type` key
        rope.setdefault("type", rope["rope_type"])
    target[key] = rope


def _rotary_half(text, target: dict[str, Any], rope: dict[str, Any]) -> int:
    """Half the rotary dims of the shrunk text head: its head size times a partial rotary factor (GLM-4V: 0.5)."""
    heads, width = target.get("num_attention_heads"), target.get("hidden_size")
    head_dim = target.get("head_dim") or (width // heads if isinstance(width, int) and isinstance(heads, int) and heads
                                          else HEAD_DIM)
    factor = rope.get("partial_rotary_factor") or getattr(text, "partial_rotary_factor", None) or 1.0
    return max(1, int(head_dim * factor) // 2) if isinstance(factor, (int, float)) else head_dim // 2


def _scaled_sections(sections: list[int], total: int) -> list[int]:
    """Multimodal RoPE splits half a head's dims into (time, height, width) sections: keep their proportions (a
    section may get none when there are fewer dims than sections)."""
    least = 1 if total >= len(sections) else 0
    scaled = [max(least, section * total // sum(sections)) for section in sections]
    scaled[-1] += total - sum(scaled)
    return scaled


def _tiles_image(config) -> bool:
    """Whether the config's own patch size divides the tiny image size (a 14-pixel patch does not)."""
    patch = getattr(config, "patch_size", None)
    patches = patch if isinstance(patch, (list, tuple)) else [patch]
    return (hasattr(config, "image_size") and all(isinstance(p, int) and 0 < p for p in patches)
            and all(IMAGE % p == 0 for p in patches))


def _keep_extra_attributes(config_class: type, instance, arguments: dict[str, Any]) -> None:
    """Flags and choices a parent set on its sub-config that the sub-config's constructor does not name (CHMv2 asks
    its DINOv3 backbone for `return_class_token=True`) are kept: a default instance of the class has no such
    attribute. Sizes are not (LLaVA's `vocab_size` on its vision tower): they would bring full-size values back."""
    try:
        default = vars(config_class())
    except Exception:  # noqa: BLE001 - a sub-config that needs arguments: nothing to compare with
        return
    if _holds_no_size(config_class, instance) and callable(getattr(instance, "to_dict", None)):
        arguments.update({name: value for name, value in instance.to_dict().items()
                          if name not in arguments and not name.startswith("_")})
        return
    for name, value in vars(instance).items():
        if name not in default and name not in arguments and not name.startswith("_") and isinstance(value, (bool, str)):
            arguments[name] = value


def _holds_no_size(config_class: type, instance) -> bool:
    """A config whose constructor arguments hold no size at all, no integer, list of integers or sub-config (a
    timm wrapper: an architecture name and its `model_args`), describes a model modelgen cannot shrink:
    everything its parent set (FastVLM's `hidden_size` of the timm tower's features, `model_args`, the
    `label_names` its loader would otherwise look up) belongs to that full-size model and is kept whole."""
    def sized(value: Any) -> bool:
        items = value if isinstance(value, (list, tuple)) else [value]
        return _is_config(value) or any(isinstance(item, int) and not isinstance(item, bool) for item in items)

    base = next((cls for cls in config_class.__mro__ if cls.__name__ in ("PretrainedConfig", "PreTrainedConfig")),
                None)
    inherited = _init_defaults(base) if base is not None else {}  # every config's `chunk_size_feed_forward`
    return not any(rule_for(name) or sized(_read(instance, name, None))
                   for name in _init_defaults(config_class) if name not in inherited)


def _keep_backbone_stages(config_class: type, instance, arguments: dict[str, Any]) -> None:
    """A backbone sub-config whose stages a parent picked (UperNet reads four, RT-DETR three) keeps them even where
    its constructor does not name them (5.x ResNet sets them after `__init__`)."""
    if "out_features" in arguments or "out_indices" in arguments:
        return
    try:
        default = config_class()
    except Exception:  # noqa: BLE001 - a sub-config that needs arguments picks no stages by default
        return
    chosen = {name: getattr(instance, name, None) for name in ("out_features", "out_indices")}
    if all(isinstance(value, (list, tuple)) for value in chosen.values()) and any(
            list(value) != list(getattr(default, name, None) or []) for name, value in chosen.items()):
        arguments.update({name: list(value) for name, value in chosen.items()})


def _strided_patches(signature: dict[str, Any]) -> bool:
    """A `patch_stride`/`stride` beside `patch_size` sets the patch grid itself: `patch_size` is then a conv kernel
    padded for its stride (Hiera) or the total stride of a conv stack (LeViT), and shrinking it breaks the grid."""
    return any(isinstance(signature.get(name), (int, list, tuple)) for name in ("patch_stride", "stride"))


def _layout_width(signature: dict[str, Any]) -> int | None:
    """Document-layout models split the width among box embeddings: six coordinate/shape parts (LiLT, LayoutLMv3)
    and, with `dim_bbox` coordinates, sine/cosine pairs of width / 4 / dim_bbox features each (BROS)."""
    if isinstance(signature.get("dim_bbox"), int):
        return 8 * signature["dim_bbox"]
    if "max_2d_position_embeddings" in signature:
        return 6 * HEAD_DIM
    return None


def _fit_layout(signature: dict[str, Any], arguments: dict[str, Any]) -> None:
    """`coordinate_size`/`shape_size`: four coordinate and two shape embeddings concatenate to the width."""
    width = arguments.get("hidden_size")
    if isinstance(width, int) and "coordinate_size" in signature and "shape_size" in signature:
        arguments["coordinate_size"] = arguments["shape_size"] = width // 6


def _fit_feature_layers(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """`vision_feature_layers` index the shrunk vision tower's hidden states (layers + 1 of them, VipLlava reads
    -11 and 6): clamp each index into that range, keeping their count (the projector's width follows it)."""
    vision = arguments.get("vision_config")
    layers = vision.get("num_hidden_layers") if isinstance(vision, dict) else None
    if not isinstance(layers, int):
        return
    for name, default in signature.items():
        value = arguments.get(name, _read(instance, name, default))
        if not re.match(r"^(.*_)?feature_layers?$", name) or value is None:
            continue
        indices = value if isinstance(value, list) else [value]
        if all(isinstance(index, int) and not isinstance(index, bool) for index in indices):
            fitted = [max(index, -layers - 1) if index < 0 else min(index, layers) for index in indices]
            arguments[name] = fitted if isinstance(value, list) else fitted[0]


def _scale_stage_channels(signature: dict[str, Any], instance, arguments: dict[str, Any], state: _Shrinking) -> None:
    """Per-stage `*_channels` lists beside a shrunk per-stage width list (HGNetV2: `stage_in/mid/out_channels`,
    `stem_channels`) build the layers that width list only declares: scale them the same way, so equal entries
    (one stage's output, the next one's input) stay equal; a few channels (the image's 3) are kept."""
    factors = [max(current) / WIDTH_LIST_MAX for name, default in signature.items()
               if rule_for(name) == "width" and isinstance(arguments.get(name), list)
               and isinstance(current := _read(instance, name, default), (list, tuple)) and current
               and all(isinstance(value, int) for value in current)]
    if not factors or max(factors) <= 1:
        return
    for name, default in signature.items():
        current = _read(instance, name, default)
        if (name in arguments or rule_for(name) is not None or not name.endswith("channels")
                or not isinstance(current, (list, tuple)) or len(current) < 2
                or not all(isinstance(value, int) and not isinstance(value, bool) for value in current)):
            continue
        arguments[name] = [_scaled_width(value, max(factors)) for value in current]
        for original, shrunk in zip(current, arguments[name]):
            state.stage_widths.setdefault(original, shrunk)


def _fit_stage_doubling(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """Swin-like encoders double the width at each of their `depths` stages: a width that was the first one times
    2^(stages - 1) (CLAP's audio `hidden_size` = `patch_embeds_hidden_size` * 8) stays so."""
    depths = getattr(instance, "depths", signature.get("depths"))
    if not isinstance(depths, (list, tuple)) or len(depths) < 2:
        return
    growth = 2 ** (len(depths) - 1)
    widths = {name: getattr(instance, name, default) for name, default in signature.items()
              if rule_for(name) == "width" and isinstance(arguments.get(name), int)}
    for last, last_value in widths.items():
        for first, first_value in widths.items():
            if isinstance(last_value, int) and isinstance(first_value, int) and last_value == first_value * growth:
                arguments[last] = arguments[first] * growth


def _fit_context_to_positions(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """An attention context that fitted inside the position table (Granite Speech 5's CTC encoder checks
    `context_size <= max_position_embeddings`) is cut to the shrunk table."""
    positions = arguments.get("max_position_embeddings")
    original = _read(instance, "max_position_embeddings", signature.get("max_position_embeddings"))
    if not isinstance(positions, int) or not isinstance(original, int):
        return
    for name in signature:
        value = arguments.get(name, _read(instance, name, signature[name]))
        if (name.endswith("context_size") and isinstance(value, int) and not isinstance(value, bool)
                and positions < value <= original):
            arguments[name] = positions


def _fit_output_stride(signature: dict[str, Any], arguments: dict[str, Any]) -> None:
    """MobileViT unfolds `patch_size` patches from feature maps down to 1 / `output_stride` of the image: the image
    must leave at least one patch there."""
    stride, image = signature.get("output_stride"), arguments.get("image_size")
    patch = arguments.get("patch_size", signature.get("patch_size"))
    if all(isinstance(value, int) and not isinstance(value, bool) for value in (stride, image, patch)):
        arguments["image_size"] = max(image, stride * patch)


def _fit_mask_units(signature: dict[str, Any], arguments: dict[str, Any]) -> None:
    """Masked-image pre-training (Hiera) masks whole units of `masked_unit_size` tokens: the image must hold 2 x 2
    of them so that one survives the mask ratio."""
    unit, stride = signature.get("masked_unit_size"), signature.get("patch_stride")
    image = arguments.get("image_size")
    if not (isinstance(unit, (list, tuple)) and isinstance(stride, (list, tuple)) and isinstance(image, list)):
        return
    arguments["image_size"] = [max(size, 2 * u * s) for size, u, s in zip(image, unit, stride)]


def _fit_grid_pinpoints(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """Any-resolution tilings (LLaVA-NeXT's `image_grid_pinpoints`, multiples of the vision tower's image size: 336
    x 672 is two tiles) keep their tile counts at the shrunk image size."""
    pinpoints = _read(instance, "image_grid_pinpoints", None)
    vision, full_vision = arguments.get("vision_config"), getattr(instance, "vision_config", None)
    full = getattr(full_vision, "image_size", None)
    tiny = vision.get("image_size", full) if isinstance(vision, dict) else None
    if ("image_grid_pinpoints" not in signature or not isinstance(pinpoints, list) or not pinpoints
            or not isinstance(full, int) or not isinstance(tiny, int) or not 0 < tiny < full):
        return
    sizes = [size for pair in pinpoints for size in (pair if isinstance(pair, (list, tuple)) else [None])]
    if all(isinstance(size, int) and size % full == 0 for size in sizes):
        arguments["image_grid_pinpoints"] = [[size * tiny // full for size in pair] for pair in pinpoints]


def _fit_pixel_windows(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """A `window_size` counted in pixels (Qwen2.5-VL-like towers: 112 = 4 merged tokens of 2 x 2 patches of 14)
    keeps its count of merged tokens at the shrunk patch size; windows counted in patches (Swin) are left alone."""
    window, patch = _read(instance, "window_size", None), _read(instance, "patch_size", None)
    merge = _read(instance, "spatial_merge_size", None)
    tiny_patch = arguments.get("patch_size", patch)
    if not all(isinstance(value, int) and not isinstance(value, bool) and value > 0
               for value in (window, patch, merge, tiny_patch)) or "window_size" not in signature:
        return
    tokens, left = divmod(window, patch * merge)
    if left == 0 and tokens > 1 and patch > 1:
        arguments["window_size"] = tokens * merge * tiny_patch


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


def _truncate_per_layer_lists(signature: dict[str, Any], instance, arguments: dict[str, Any],
                              kind_repeats: int = 1) -> None:
    """Lists with one entry per layer (`layer_types`, `mlp_layer_types`, per-layer `intermediate_size`) follow the
    new layer count, which grows to keep one layer of every kind they name (hybrid models: linear and full
    attention); every such list is then cut to that one count. A count equal to the number of stages that a
    per-stage block-count list describes (EfficientLoFTR: 4 attention layers, 4 stages) leaves the lists alone."""
    stages = {len(value) for name in signature if rule_for(name) == "layers"
              and isinstance(value := _read(instance, name, None), (list, tuple))}
    for count_name, original in _layer_counts(signature, instance, arguments).items():
        if original in stages:
            continue
        per_layer = {}
        for name, default in signature.items():
            current = arguments.get(name, _read(instance, name, default))
            if (isinstance(current, (list, tuple)) and len(current) == original and original > arguments[count_name]
                    and rule_for(name) != "layers"):
                per_layer[name] = list(current)
        for values in per_layer.values():
            kinds = [item for item in values if isinstance(item, (str, int, float)) and not isinstance(item, bool)]
            if len(kinds) == len(values) and any(isinstance(item, str) for item in kinds):
                needed = layers_holding(kinds, kind_repeats)
                arguments[count_name] = max(arguments[count_name], min(needed, original))
        for name, values in per_layer.items():
            arguments[name] = values[: arguments[count_name]]


def _fit_layer_patterns(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """Run-length layer patterns (`attention_types=[[["global", "local"], 12]]`, expanded to one entry per layer)
    keep their first pattern once; the layer count becomes that pattern's length, so every kind stays."""
    for count_name, original in _layer_counts(signature, instance, arguments).items():
        for name, default in signature.items():
            value = arguments.get(name, _read(instance, name, default))
            if not (isinstance(value, (list, tuple)) and value and all(_is_pattern_run(run) for run in value)):
                continue
            if sum(len(pattern) * repeat for pattern, repeat in value) != original:
                continue
            pattern = list(value[0][0])
            repeat = max(1, math.ceil(arguments[count_name] / len(pattern)))
            arguments[name] = [[pattern, repeat]]
            arguments[count_name] = len(pattern) * repeat


def _is_pattern_run(run: Any) -> bool:
    return (isinstance(run, (list, tuple)) and len(run) == 2 and isinstance(run[0], (list, tuple)) and bool(run[0])
            and all(isinstance(kind, str) for kind in run[0]) and isinstance(run[1], int))


def _fit_factorised_lists(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """Factorised embeddings (Reformer's axial positions): a list whose sum was a shrunk width keeps its proportions
    at the new width; a list whose product was a shrunk number of positions is refactored to the new number."""
    shrunk = {rule: [(_read(instance, name, signature.get(name)), value) for name, value in arguments.items()
                     if rule_for(name) == rule and isinstance(value, int)] for rule in ("width", "positions")}
    for name, default in signature.items():
        value = _read(instance, name, default)
        if (rule_for(name) is not None or not isinstance(value, (list, tuple)) or len(value) < 2
                or list(arguments.get(name, value)) != list(value)  # already changed by another rule
                or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)):
            continue
        width = next((new for old, new in shrunk["width"] if old == sum(value) and new < old), None)
        positions = next((new for old, new in shrunk["positions"] if old == math.prod(value) and new < old), None)
        if width is not None:
            arguments[name] = _scaled_sections(list(value), width)
        elif positions is not None:
            arguments[name] = _factorise(positions, len(value))


def _factorise(number: int, count: int) -> list[int]:
    """`count` near-equal factors whose product is `number` (64 into 2 -> [8, 8])."""
    factors = []
    for left in range(count, 1, -1):
        factor = max(1, round(number ** (1 / left)))
        while number % factor:
            factor -= 1
        factors.append(factor)
        number //= factor
    return [*factors, number]


def _fit_decode_head_features(signature: dict[str, Any], arguments: dict[str, Any]) -> None:
    """A UPerNet-style decode head (`pool_scales`) fuses four feature maps picked by `out_indices`: when the config
    names none, take four layers (BEiT's semantic segmentation insists on exactly four)."""
    declared = signature.get("out_indices", signature.get("_out_indices", 0))  # 5.x keeps it in `_out_indices`
    if "pool_scales" not in signature or declared is not None or "out_indices" in arguments:
        return
    count = next((name for name, value in arguments.items() if rule_for(name) == "layers" and isinstance(value, int)),
                 None)
    if count is not None:
        arguments[count] = max(arguments[count], 4)
        arguments["out_indices"] = [1, 2, 3, 4]


def _scale_compound_coefficients(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """EfficientNet-style compound scaling: the modeling multiplies hard-coded base channel counts by
    `width_coefficient` (and block repeats by `depth_coefficient`), and those products must match the shrunk
    `hidden_dim`: the width coefficient shrinks by the same factor as the width, the depth one to at most 1."""
    width = signature.get("width_coefficient")
    factors = [_read(instance, name, signature.get(name)) / value for name, value in arguments.items()
               if rule_for(name) == "width" and isinstance(value, int) and value > 0
               and isinstance(_read(instance, name, signature.get(name)), int)]
    if isinstance(width, float) and factors and max(factors) > 1:
        arguments["width_coefficient"] = getattr(instance, "width_coefficient", width) / max(factors)
    depth = getattr(instance, "depth_coefficient", signature.get("depth_coefficient"))
    if isinstance(width, float) and isinstance(depth, float) and depth > 1:
        arguments["depth_coefficient"] = 1.0


def _layer_counts(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> dict[str, int]:
    """{argument: original value} for the layer counts that were shrunk."""
    return {name: _read(instance, name, value) for name, value in signature.items()
            if rule_for(name) == "layers" and isinstance(arguments.get(name), int)
            and isinstance(_read(instance, name, value), int)}


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
            "window": 2, "windows": 4, "queries": 8, "frames": 4}


def _shrink_list(rule: str, values: list[int], heads_list: list[int] | None) -> list[int]:
    if rule == "layers":
        return [min(v, 1) for v in values]
    if rule == "heads":
        return values  # per-stage head counts: the widths follow them
    if rule == "width":
        if heads_list and len(heads_list) == len(values):
            return [min(v, HEAD_DIM * h) for v, h in zip(values, heads_list)]
        factor = max(1.0, max(values) / WIDTH_LIST_MAX)
        return [_scaled_width(v, factor) for v in values]
    return [min(v, _TARGETS[rule]) if v > 0 else v for v in values]


WIDTH_LIST_MAX = 64  # the widest entry of a shrunk per-stage width list


def _scaled_width(value: int, factor: float) -> int:
    """One entry of a per-stage width list divided by `factor`, a multiple of 8; small ones (8 or less) kept."""
    return max(8, int(math.ceil(value / factor / 8) * 8)) if value > 8 else value


def _fix_token_ids(instance, signature: dict[str, Any], arguments: dict[str, Any], remapped: dict[int, int]) -> None:
    """Keep every special token id inside the shrunk vocabulary: ids past its end get distinct ids counted down
    from its end, the same original id the same new id in every nested config."""
    vocab = arguments.get("vocab_size")
    # the text sub-config's first: 4.x LLaVA configs also pass `vocab_size=32000` to their vision tower's config
    subs = sorted((value for value in arguments.values() if isinstance(value, dict)),
                  key=lambda sub: sub is not arguments.get("text_config"))
    nested = [value.get("vocab_size") for value in subs]
    if not isinstance(vocab, int):
        vocab = next((value for value in nested if isinstance(value, int)), None)
    if not isinstance(vocab, int):
        return
    names = sorted({name for name in (*signature, *vars(instance)) if _TOKEN_ID.match(name)})
    for name in names:
        value = arguments.get(name, _read(instance, name, signature.get(name)))
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
            used = {v for name in names for v in _as_list(arguments.get(name, _read(instance, name, None)))}
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


def _changes(arguments: dict[str, Any], default=None) -> dict[str, Any]:
    """What the report shows: shrunk sizes, moved token ids and every other value a fit set that differs from the
    full-size `default` (TVP's prompt margin), nested for sub-configs."""
    changes = {}
    for name, value in arguments.items():
        if isinstance(value, dict) and "model_type" in value:
            changes[name] = _changes(value, _read(default, name, None))
        elif (rule_for(name) is not None or _TOKEN_ID.match(name)
              or (default is not None and _is_plain(value) and _read(default, name, value) != value)):
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
