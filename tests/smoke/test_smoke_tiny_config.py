"""Tiny configs derived from the config classes' own defaults (the installed transformers' classes)."""

import pytest

transformers = pytest.importorskip("transformers")

from modelgen.smoke.tiny.config import layers_holding, parse_override, tiny_config


def test_text_model_sizes_shrink_and_stay_consistent():
    config, changes = tiny_config(transformers.LlamaConfig)
    assert config.hidden_size % config.num_attention_heads == 0
    assert config.num_attention_heads % config.num_key_value_heads == 0
    assert config.hidden_size <= 64 and config.num_hidden_layers == 2 and config.vocab_size <= 128
    assert (config.head_dim if hasattr(config, "head_dim") else 8) == config.hidden_size // config.num_attention_heads
    assert changes["hidden_size"] == config.hidden_size


def test_special_token_ids_move_inside_the_vocabulary_and_padding_is_set():
    config, _ = tiny_config(transformers.GPT2Config)
    assert config.vocab_size == 128
    assert config.bos_token_id < 128 and config.eos_token_id == config.bos_token_id  # the same id stays the same
    assert config.pad_token_id is not None and config.pad_token_id not in (config.eos_token_id,)


def test_sub_configs_of_multimodal_models_shrink_too():
    config, changes = tiny_config(transformers.CLIPConfig)
    assert config.text_config.hidden_size == 32 and config.vision_config.hidden_size == 32
    assert config.vision_config.image_size == 32
    assert "hidden_size" in changes["text_config"]


def test_per_stage_lists_keep_their_stage_count_and_head_divisibility():
    config, _ = tiny_config(transformers.SwinConfig)
    assert len(config.depths) == 4 and all(depth == 1 for depth in config.depths)
    assert all(config.embed_dim * 2**stage % heads == 0 for stage, heads in enumerate(config.num_heads))


def test_overrides_win_and_reach_sub_configs():
    config, changes = tiny_config(transformers.CLIPConfig, {"text_config.hidden_size": 64, "projection_dim": 16})
    assert config.text_config.hidden_size == 64 and config.projection_dim == 16
    assert changes["text_config"]["hidden_size"] == 64


def test_parse_override_reads_json_values():
    assert parse_override("hidden_size=64") == ("hidden_size", 64)
    assert parse_override("hidden_act=gelu") == ("hidden_act", "gelu")
    assert parse_override("depths=[1, 2]") == ("depths", [1, 2])
    with pytest.raises(ValueError):
        parse_override("hidden_size")


class _ArchitectureConfig(transformers.PretrainedConfig):
    """A timm-wrapper-like sub-config: an architecture name and its arguments, no size modelgen can shrink."""

    model_type = "architecture_by_name"

    def __init__(self, architecture="small_net", model_args=None, **kwargs):
        self.architecture = architecture
        self.model_args = model_args
        super().__init__(**kwargs)


class _TowerParentConfig(transformers.PretrainedConfig):
    model_type = "tower_parent"

    def __init__(self, vision_config=None, hidden_size=256, **kwargs):
        if vision_config is None:  # the parent names the tower's output width beside its architecture
            vision_config = {"architecture": "big_net", "model_args": {"depth": 3}, "hidden_size": 3072}
        self.vision_config = _ArchitectureConfig(**vision_config)
        self.hidden_size = hidden_size
        super().__init__(**kwargs)


def test_a_sub_config_that_names_no_size_is_kept_whole():
    config, _ = tiny_config(_TowerParentConfig)
    assert config.hidden_size == 32
    tower = config.vision_config
    assert (tower.architecture, tower.model_args, tower.hidden_size) == ("big_net", {"depth": 3}, 3072)


class _SharedBlockHybridConfig(transformers.PretrainedConfig):
    """Zamba-like: two mamba layers, a hybrid one, then a hybrid layer every 6th; hybrid layers share one block."""

    model_type = "shared_block_hybrid"

    def __init__(self, num_hidden_layers=24, hidden_size=256, layers_block_type=None, **kwargs):
        self.num_hidden_layers, self.hidden_size = num_hidden_layers, hidden_size
        self.layers_block_type = layers_block_type or ["mamba", "mamba", "hybrid"] + [
            "hybrid" if index % 6 == 0 else "mamba" for index in range(num_hidden_layers - 3)]
        super().__init__(**kwargs)


def test_a_second_layer_of_every_kind_is_kept_when_asked():
    once, _ = tiny_config(_SharedBlockHybridConfig)
    assert once.layers_block_type == ["mamba", "mamba", "hybrid"]
    twice, changes = tiny_config(_SharedBlockHybridConfig, kind_repeats=2)
    assert twice.layers_block_type == ["mamba", "mamba", "hybrid", "hybrid"] and changes["num_hidden_layers"] == 4
    assert layers_holding(["a", "b", "a", "c", "b"], 2) == 5 and layers_holding(["a", "b", "a", "c"], 2) == 4


class _TwoEncoderCodecConfig(transformers.PretrainedConfig):
    """X-Codec-like: a codebook as wide as the two encoders side by side, derived when left None."""

    model_type = "two_encoder_codec"

    def __init__(self, hidden_size=768, acoustic_hidden_size=256, codebook_dim=None, **kwargs):
        self.hidden_size, self.acoustic_hidden_size = hidden_size, acoustic_hidden_size
        self.codebook_dim = codebook_dim if codebook_dim is not None else hidden_size + acoustic_hidden_size
        super().__init__(**kwargs)


def test_a_dimension_the_config_derives_is_derived_again_from_the_tiny_sizes():
    config, changes = tiny_config(_TwoEncoderCodecConfig)
    assert "codebook_dim" not in changes
    assert config.codebook_dim == config.hidden_size + config.acoustic_hidden_size
