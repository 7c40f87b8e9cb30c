"""Tiny-config fits for text language models and hybrids (state-space mixers, MoE routers, per-layer patterns).

Called from `tiny_config.tiny_arguments` with the config's constructor signature, its full-size instance and the
shrunk arguments, which each fit edits in place. Standard library only: runs inside the smoke worker.
"""

from __future__ import annotations

import re
from typing import Any

from modelgen.smoke.tiny.values import is_int as _is_int
from modelgen.smoke.tiny.values import read as _read


def fit_expanded_heads(signature: dict[str, Any], instance, arguments: dict[str, Any], rule_for) -> None:
    """Mamba-2 mixers split `expand * hidden_size` channels into `num_heads * head_dim` (Mamba2's validator insists
    on it; NemotronH's `mamba_num_heads * mamba_head_dim`): when the full-size config has that product, the shrunk
    head dim follows the shrunk width and heads."""
    width_name = next((name for name in ("hidden_size", "d_model") if _is_int(arguments.get(name))), None)
    if width_name is None:
        return
    width, full_width = arguments[width_name], _read(instance, width_name, None)
    for expand_name in (name for name in signature if re.match(r"^(.*_)?expand$", name)):
        expand = arguments.get(expand_name, _read(instance, expand_name, None))
        if not (_is_int(expand) and _is_int(full_width)):
            continue
        for heads_name, heads in arguments.items():
            if rule_for(heads_name) != "heads" or not _is_int(heads) or heads <= 0:
                continue
            prefix = re.sub(r"(num_|n_)?heads$", "", heads_name)
            dim_name = next((name for name in (f"{prefix}head_dim", f"{prefix}d_head") if name in arguments), None)
            if dim_name is None or not _is_int(arguments[dim_name]):
                continue
            full_heads, full_dim = _read(instance, heads_name, None), _read(instance, dim_name, None)
            if (_is_int(full_heads) and _is_int(full_dim) and full_heads * full_dim == expand * full_width
                    and (expand * width) % heads == 0):
                arguments[dim_name] = expand * width // heads


def fit_shared_tail(signature: dict[str, Any], instance, arguments: dict[str, Any], rule_for) -> None:
    """The last `num_kv_shared_layers` layers reuse the key/value cache of the last earlier layer of their kind
    (Gemma 3n): the unshared layers before them must still hold one layer of every kind the per-layer pattern
    names, so the layer count grows by the shared count and the per-layer lists are cut from the full ones again."""
    names = [name for name, value in arguments.items()
             if re.match(r"^(num_)?(.*_)?shared_layers$", name) and _is_int(value) and value > 0]
    shared = [arguments[name] for name in names]
    if not shared:
        return
    for count_name, count in list(arguments.items()):
        full_count = _read(instance, count_name, signature.get(count_name))
        if (rule_for(count_name) != "layers" or not _is_int(count) or not _is_int(full_count)
                or count_name.endswith("shared_layers") or count >= full_count):
            continue
        if any(_read(instance, name, 0) >= full_count for name in names):
            # every layer shared (Gemma 4's assistants reuse the target model's cache): so in the tiny model too
            arguments.update(dict.fromkeys((name for name in names if _read(instance, name, 0) >= full_count), count))
            continue
        full_lists = {name: list(value) for name in signature
                      if isinstance(value := _read(instance, name, None), (list, tuple)) and len(value) == full_count}
        kinds = next((values for values in full_lists.values()
                      if values and all(isinstance(kind, str) for kind in values)), None)
        if kinds is None:
            continue
        needed = max(kinds.index(kind) + 1 for kind in set(kinds)) + max(shared)
        if count >= needed or needed > full_count:
            continue
        arguments[count_name] = needed
        for name, values in full_lists.items():
            if name in arguments and isinstance(arguments[name], list) and len(arguments[name]) == count:
                shrunk = dict(zip(values, arguments[name]))  # per-layer sizes keep their shrunk values
                arguments[name] = [shrunk.get(value, value) for value in values[:needed]]


def with_required_flags(model_class: type, config):
    """A class whose `__init__` refuses a config flag (`if config.is_encoder_decoder: raise ...`: T5Gemma's
    encoder-only model) runs on a copy of the config with the flag it demands."""
    import copy

    demands = {name: value for name, value in required_flags(model_class).items()
               if isinstance(getattr(config, name, None), bool) and getattr(config, name) is not value}
    if not demands:
        return config
    config = copy.deepcopy(config)
    for name, value in demands.items():
        setattr(config, name, value)
    return config


def required_flags(model_class: type) -> dict[str, bool]:
    """{flag: value} for each `if [not] config.<flag>: raise ...` at the top level of the class's own `__init__`."""
    import ast
    import inspect
    import textwrap

    init = vars(model_class).get("__init__")
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):
        return {}
    function = tree.body[0] if tree.body and isinstance(tree.body[0], ast.FunctionDef) else None
    flags = {}
    for statement in function.body if function is not None else []:
        if not (isinstance(statement, ast.If) and statement.body and isinstance(statement.body[0], ast.Raise)):
            continue
        test, negated = statement.test, False
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, negated = test.operand, True
        if (isinstance(test, ast.Attribute) and isinstance(test.value, ast.Name) and test.value.id == "config"):
            flags[test.attr] = negated
    return flags


def width_for_dim_factors(config_class: type, config, arguments: dict[str, Any], full_width: Any) -> dict[str, int]:
    """Widths given as fractions of the hidden size (`qk_dim_factor`) must come out whole where the config derives
    its own rounded `qk_dim` (xLSTM rounds up to a multiple of 64 for its cache, not in its layers): the shrunk
    hidden size doubles until every such product matches the derived size (never past the full-size width)."""
    width = arguments.get("hidden_size")
    factors = {name[: -len("_factor")]: value for name, value in vars(config).items()
               if name.endswith("_dim_factor") and isinstance(value, (int, float)) and not isinstance(value, bool)}
    if not (_is_int(width) and _is_int(full_width) and factors):
        return {}

    def whole(candidate) -> bool:
        return all(not _is_int(derived := _read(candidate, name, None))
                   or derived == int(candidate.hidden_size * factor) for name, factor in factors.items())

    if whole(config):
        return {}
    # sizes that followed the shrunk width (xLSTM's `embedding_dim`) follow it again
    followers = [name for name, value in arguments.items() if value == width and re.search(r"_(dim|size)$", name)]
    while width * 2 <= full_width:
        width *= 2
        widened = dict.fromkeys(followers, width)
        if whole(config_class(**{**arguments, **widened})):
            return widened
    return {}


def keep_rope_pair_heads(signature: dict[str, Any], instance, arguments: dict[str, Any]) -> None:
    """A head that packs a fixed number of rotary frequency pairs (`num_uid_rope_pairs`, three axes of
    `num_spatial_rope_pairs_per_axis`: ESMFold2's 3D rotary embedding) keeps its full-size width: the pairs are
    not sizes that shrink with it."""
    pairs = [name for name in signature if re.search(r"rope_pairs", name) and _is_int(_read(instance, name, None))]
    full, width, heads = (_read(instance, name, None) for name in ("head_dim", "hidden_size", "num_attention_heads"))
    tiny_width, tiny_heads = arguments.get("hidden_size", width), arguments.get("num_attention_heads", heads)
    if not (pairs and "head_dim" in signature and _is_int(full) and _is_int(tiny_width) and _is_int(tiny_heads)):
        return
    if arguments.get("head_dim", tiny_width // max(tiny_heads, 1)) < full:
        arguments["head_dim"] = full


def fit_sibling_feature_layers(instance, arguments: dict[str, Any]) -> None:
    """Vision layers picked in a sibling sub-config (Molmo2's `adapter_config.vision_feature_layer = [24, 18]`,
    checked against `vision_config`'s layers) index the shrunk vision tower: each index is clamped into its layers."""
    vision = arguments.get("vision_config")
    layers = vision.get("num_hidden_layers") if isinstance(vision, dict) else None
    if not _is_int(layers) or layers < 1:
        return
    for holder, sub in arguments.items():
        sub_instance = _read(instance, holder, None)
        if holder == "vision_config" or not isinstance(sub, dict) or sub_instance is None:
            continue
        for name, value in vars(sub_instance).items():
            if not re.match(r"^(.*_)?feature_layers?$", name) or name in sub:
                continue
            indices = value if isinstance(value, list) else [value]
            if indices and all(_is_int(index) for index in indices):
                fitted = [max(index, -layers) if index < 0 else min(index, layers - 1) for index in indices]
                if fitted != indices:
                    sub[name] = fitted if isinstance(value, list) else fitted[0]



def parent_choices(sub_instance, signature: dict[str, Any], rule_for) -> dict[str, Any]:
    """Fields a sub-config leaves None by default but its parent set (NemotronH-Omni passes its RADIO tower
    `video_temporal_patch_size=2` and checks it against its own copy): kept, unless a size rule shrinks them."""
    try:
        fresh = type(sub_instance)()
    except Exception:  # noqa: BLE001 - a sub-config that needs arguments: nothing to compare with
        return {}
    choices = {}
    for name, default in signature.items():
        value = _read(sub_instance, name, None)
        if default is not None or value is None or rule_for(name) is not None or _read(fresh, name, None) is not None:
            continue
        if isinstance(value, (int, float)):  # numbers and flags; names (a timm `backbone`) and dicts stay out
            choices[name] = value
    return choices
