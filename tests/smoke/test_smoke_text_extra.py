"""Tiny configs for text language models and hybrids: Mamba-2 head splits and state groups, MoE sizes left to the
checkpoint, shared-KV layer tails, config flags a class demands, rounded `*_dim_factor` widths, rotary pairs, and
values a parent chooses for its sub-config. Hand-built config classes only: no transformers tree needed."""

import pytest

torch = pytest.importorskip("torch")

from modelgen.smoke.checks import _own_memory
from modelgen.smoke.tiny import text as tiny_text
from modelgen.smoke.tiny.config import rule_for, tiny_config


class _Config:
    """The little of a config class that tiny_config reads: keyword defaults, `to_dict`, `model_type`."""

    model_type = "toy"

    def to_dict(self):
        return {name: value.to_dict() if isinstance(value, _Config) else value for name, value in vars(self).items()}

    def to_json_string(self):
        return str(self.to_dict())


class Mamba2Like(_Config):
    def __init__(self, num_heads=128, head_dim=64, hidden_size=4096, expand=2, n_groups=8, num_hidden_layers=64,
                 vocab_size=32768):
        if hidden_size * expand != num_heads * head_dim:
            raise ValueError("hidden_size * expand must equal num_heads * head_dim")
        self.num_heads, self.head_dim, self.hidden_size, self.expand = num_heads, head_dim, hidden_size, expand
        self.n_groups, self.num_hidden_layers, self.vocab_size = n_groups, num_hidden_layers, vocab_size


def test_mamba2_heads_split_the_expanded_width_and_state_groups_divide_them():
    config, _ = tiny_config(Mamba2Like)
    assert config.num_heads * config.head_dim == config.expand * config.hidden_size
    assert config.num_heads % config.n_groups == 0 and config.n_groups < 8


class MoeLeftToCheckpoint(_Config):
    def __init__(self, hidden_size=4096, n_routed_experts=None, n_shared_experts=None, num_experts_per_tok=None,
                 num_hidden_layers=8):
        self.hidden_size, self.num_hidden_layers = hidden_size, num_hidden_layers
        self.n_routed_experts, self.n_shared_experts = n_routed_experts, n_shared_experts
        self.num_experts_per_tok = num_experts_per_tok


def test_moe_sizes_the_config_leaves_to_the_checkpoint_get_tiny_values():
    config, _ = tiny_config(MoeLeftToCheckpoint)
    assert (config.n_routed_experts, config.n_shared_experts, config.num_experts_per_tok) == (4, 1, 2)


class SharedKvLike(_Config):
    def __init__(self, hidden_size=2048, num_attention_heads=8, num_hidden_layers=35, num_kv_shared_layers=15,
                 intermediate_size=16384, layer_types=None):
        self.hidden_size, self.num_attention_heads = hidden_size, num_attention_heads
        self.num_hidden_layers, self.num_kv_shared_layers = num_hidden_layers, num_kv_shared_layers
        self.intermediate_size = (intermediate_size if isinstance(intermediate_size, list)
                                  else [intermediate_size] * num_hidden_layers)
        self.layer_types = layer_types or ["full_attention" if (i + 1) % 5 == 0 else "sliding_attention"
                                           for i in range(num_hidden_layers)]
        if len(self.intermediate_size) != num_hidden_layers:
            raise ValueError("one intermediate size per layer")


def test_shared_kv_tail_leaves_one_unshared_layer_of_every_kind():
    config, _ = tiny_config(SharedKvLike)
    unshared = config.layer_types[: config.num_hidden_layers - config.num_kv_shared_layers]
    assert set(unshared) == {"full_attention", "sliding_attention"}
    assert config.num_hidden_layers < 35 and len(config.intermediate_size) == config.num_hidden_layers
    assert set(config.intermediate_size) == {64}  # the per-layer sizes stay shrunk


class EncoderOnly(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        if config.is_encoder_decoder:
            raise ValueError("encoder-only")
        self.config = config


def test_a_class_that_refuses_a_config_flag_gets_a_copy_with_the_flag_it_demands():
    config = MoeLeftToCheckpoint()
    config.is_encoder_decoder = True
    assert tiny_text.required_flags(EncoderOnly) == {"is_encoder_decoder": False}
    demanded = tiny_text.with_required_flags(EncoderOnly, config)
    assert demanded.is_encoder_decoder is False and config.is_encoder_decoder is True
    EncoderOnly(demanded)
    assert tiny_text.with_required_flags(torch.nn.Linear, config) is config


class RoundedFactors(_Config):
    def __init__(self, hidden_size=4096, embedding_dim=None, num_heads=8, qk_dim_factor=0.5, num_hidden_layers=32):
        self.hidden_size, self.num_heads, self.qk_dim_factor = hidden_size, num_heads, qk_dim_factor
        self.embedding_dim = embedding_dim or hidden_size
        self.num_hidden_layers = num_hidden_layers

    @property
    def qk_dim(self):
        return -(-int(self.hidden_size * self.qk_dim_factor) // 64) * 64  # rounded up to a multiple of 64


def test_a_width_fraction_the_config_rounds_grows_the_width_until_it_is_whole():
    config, changes = tiny_config(RoundedFactors)
    assert config.qk_dim == int(config.hidden_size * config.qk_dim_factor)
    assert config.hidden_size == config.embedding_dim == changes["hidden_size"] == 128
    assert tiny_config(RoundedFactors, {"hidden_size": 32})[0].hidden_size == 32  # an override wins


class RopePairs(_Config):
    def __init__(self, hidden_size=128, num_attention_heads=4, head_dim=None, num_uid_rope_pairs=10,
                 num_spatial_rope_pairs_per_axis=2):
        self.hidden_size, self.num_attention_heads = hidden_size, num_attention_heads
        self.head_dim = head_dim or hidden_size // num_attention_heads
        self.num_uid_rope_pairs, self.num_spatial_rope_pairs_per_axis = num_uid_rope_pairs, num_spatial_rope_pairs_per_axis
        if 3 * num_spatial_rope_pairs_per_axis + num_uid_rope_pairs > self.head_dim // 2:
            raise ValueError("not enough rotary pairs")


def test_a_head_packing_fixed_rotary_pairs_keeps_its_width():
    config, _ = tiny_config(RopePairs)
    assert config.hidden_size == 32 and config.head_dim == 32


class Vision(_Config):
    model_type = "toy_vision"

    def __init__(self, hidden_size=1024, num_hidden_layers=27, video_temporal_patch_size=None, **kwargs):
        self.hidden_size, self.num_hidden_layers, self.video_temporal_patch_size = hidden_size, num_hidden_layers, video_temporal_patch_size


class Adapter(_Config):
    model_type = "toy_adapter"

    def __init__(self, hidden_size=1024, vision_feature_layer=None, **kwargs):
        self.hidden_size = hidden_size
        self.vision_feature_layer = [24, 18] if vision_feature_layer is None else vision_feature_layer


class Composite(_Config):
    def __init__(self, vision_config=None, adapter_config=None, video_temporal_patch_size=2):
        self.vision_config = Vision(**(vision_config or {"video_temporal_patch_size": video_temporal_patch_size}))
        self.adapter_config = Adapter(**(adapter_config or {}))
        self.video_temporal_patch_size = video_temporal_patch_size
        if self.vision_config.video_temporal_patch_size != video_temporal_patch_size:
            raise ValueError("the tower's temporal patch must match")
        if not all(-self.vision_config.num_hidden_layers <= index < self.vision_config.num_hidden_layers
                   for index in self.adapter_config.vision_feature_layer):
            raise ValueError("feature layers must index the tower")


def test_sibling_feature_layers_and_a_parents_choice_for_its_sub_config_survive_shrinking():
    config, _ = tiny_config(Composite)
    assert config.vision_config.num_hidden_layers == 2 and config.adapter_config.vision_feature_layer == [1, 1]
    assert config.vision_config.video_temporal_patch_size == 2


def test_parent_choices_skip_sizes_and_values_the_class_sets_itself():
    vision = Vision(video_temporal_patch_size=2, hidden_size=64)
    assert tiny_text.parent_choices(vision, {"video_temporal_patch_size": None, "hidden_size": 1024}, rule_for) == {
        "video_temporal_patch_size": 2}


def test_reloaded_weights_are_copied_out_of_the_file_they_were_read_from():
    model = torch.nn.Linear(4, 4)
    weight = model.weight
    storage = torch.zeros(40)
    model.weight.data = storage[1:17].view(4, 4)  # a view at an offset, as memory-mapped safetensors give
    _own_memory(model)
    assert model.weight is weight and model.weight.data_ptr() != storage[1:].data_ptr()
    assert torch.equal(model.weight, torch.zeros(4, 4))


def test_per_layer_input_embeddings_and_mamba_state_groups_have_size_rules():
    """Gemma 3n's per-layer input table was left at 262,144 x 256 (470 M parameters in a tiny model)."""
    assert rule_for("vocab_size_per_layer_input") == "vocab" and rule_for("hidden_size_per_layer_input") == "width"
    assert rule_for("n_groups") == "groups" and rule_for("n_group") == "experts_per_token"  # MoE routing groups


def test_a_model_sharing_every_layer_keeps_sharing_every_layer():
    """Gemma 4's assistants reuse every layer's cache from the target model: no unshared layers are made up."""
    config, _ = tiny_config(SharedKvLike, {})  # the 15-of-35 case grows; 35-of-35 must not
    assert config.num_kv_shared_layers < config.num_hidden_layers

    class AllShared(SharedKvLike):
        def __init__(self, num_kv_shared_layers=35, **kwargs):
            super().__init__(num_kv_shared_layers=num_kv_shared_layers, **kwargs)

    config, _ = tiny_config(AllShared)
    assert config.num_kv_shared_layers == config.num_hidden_layers < 35
