"""Tiny configs for configs whose defaults alone do not make a buildable model: composites, timm backbones and
values tied to each other (per-layer patterns, factorised embeddings, compound scaling, derived layer lists)."""

import math

import pytest

transformers = pytest.importorskip("transformers")

from modelgen.smoke.tiny.config import _factorise, tiny_config


def test_encoder_decoder_is_assembled_from_tiny_sub_models_with_cross_attention():
    config, changes = tiny_config(transformers.EncoderDecoderConfig)
    assert config.encoder.model_type == "bert" and config.decoder.model_type == "bert"
    assert config.encoder.hidden_size == 32 and config.decoder.num_hidden_layers == 2
    assert config.decoder.is_decoder and config.decoder.add_cross_attention  # what the factory classmethod sets
    assert changes["encoder"]["hidden_size"] == 32


def test_composite_overrides_reach_the_sub_config_and_the_composite():
    overrides = {"encoder.hidden_size": 64, "tie_word_embeddings": False}
    config, _ = tiny_config(transformers.VisionEncoderDecoderConfig, overrides, main_input="pixel_values")
    assert config.encoder.model_type == "vit" and config.encoder.hidden_size == 64
    assert config.tie_word_embeddings is False


def test_the_encoder_follows_what_the_model_reads_and_a_renamed_copy_is_assembled_the_same_way():
    """Roles, not model types, pick the sub-models: `new --like encoder_decoder` gives a config class with another
    `model_type` that must still be smoked."""
    copy = type("ZooEncoderDecoderConfig", (transformers.EncoderDecoderConfig,),
                {"model_type": "zoo_encoder_decoder", "__module__": transformers.EncoderDecoderConfig.__module__})
    config, _ = tiny_config(copy)
    assert type(config) is copy and config.encoder.model_type == "bert" and config.decoder.add_cross_attention
    speech, _ = tiny_config(transformers.SpeechEncoderDecoderConfig, main_input="inputs")
    assert speech.encoder.model_type == "wav2vec2" and speech.decoder.model_type == "bert"


def test_a_sub_config_annotated_with_a_concrete_class_needs_no_table_entry():
    config, _ = tiny_config(transformers.MusicgenConfig)
    assert type(config.decoder).__name__ == "MusicgenDecoderConfig" and config.decoder.hidden_size == 32
    assert config.text_encoder.model_type == "t5" and config.audio_encoder.model_type == "encodec"


def test_dual_encoder_gets_a_vision_and_a_text_tower():
    config, changes = tiny_config(transformers.VisionTextDualEncoderConfig, {"vision_config.hidden_size": 64})
    assert config.vision_config.model_type == "vit" and config.text_config.model_type == "bert"
    assert config.vision_config.hidden_size == 64 and changes["vision_config"]["hidden_size"] == 64


def test_timm_backbone_becomes_the_library_backbone_whether_or_not_timm_is_installed():
    """Never timm's full-size, pretrained `resnet50` (a download, which an offline smoke run cannot make)."""
    config, _ = tiny_config(transformers.DetrConfig)
    assert config.use_timm_backbone is False and config.backbone is None and not config.use_pretrained_backbone
    assert config.backbone_config.model_type == "resnet" and max(config.backbone_config.hidden_sizes) <= 64


def test_run_length_layer_pattern_follows_the_layer_count():
    config, _ = tiny_config(transformers.GPTNeoConfig)
    assert config.num_layers == 2 and config.attention_types == [[["global", "local"], 1]]
    assert len(config.attention_layers) == config.num_layers


def test_factorised_axial_positions_sum_to_the_width_and_multiply_to_the_positions():
    config, _ = tiny_config(transformers.ReformerConfig)
    assert sum(config.axial_pos_embds_dim) == config.hidden_size
    assert math.prod(config.axial_pos_shape) == config.max_position_embeddings


@pytest.mark.parametrize("number,count", [(64, 2), (64, 3), (48, 2), (7, 2)])
def test_factorise_keeps_the_product(number, count):
    factors = _factorise(number, count)
    assert len(factors) == count and math.prod(factors) == number


def test_upernet_style_decode_head_gets_four_feature_layers():
    config, _ = tiny_config(transformers.BeitConfig)
    assert config.out_indices == [1, 2, 3, 4] and config.num_hidden_layers >= 4


def test_grouped_conv_groups_follow_the_width_they_equalled():
    config, _ = tiny_config(transformers.MimiConfig)
    assert config.upsample_groups == config.hidden_size


def test_compound_scaling_coefficients_follow_the_shrunk_width():
    config, _ = tiny_config(transformers.EfficientNetConfig)
    scaled = 1280 * config.width_coefficient  # the base channel count EfficientNet's top conv multiplies
    assert abs(scaled - config.hidden_dim) < 1 and config.depth_coefficient == 1.0


def test_layer_count_grows_to_a_derived_per_layer_list():
    config, changes = tiny_config(transformers.ZambaConfig)
    assert len(config.layers_block_type) == config.num_hidden_layers == changes["num_hidden_layers"]


class _FakeConfig:
    """A 5.x-style config: `mamba_d_head="auto"` resolved from the sizes, a per-layer attribute that cannot be read
    globally, `moe_k` experts per token and a partial rotary factor."""

    model_type = "fake"

    def __init__(self, hidden_size=256, num_attention_heads=16, head_dim=16, mamba_d_head="auto", mamba_n_heads=16,
                 num_experts=32, moe_k=8, sliding_window=128, rope_parameters=None):
        self.hidden_size, self.num_attention_heads, self.head_dim = hidden_size, num_attention_heads, head_dim
        self.mamba_n_heads, self.num_experts, self.moe_k = mamba_n_heads, num_experts, moe_k
        self.mamba_d_head = 2 * hidden_size // mamba_n_heads if mamba_d_head == "auto" else mamba_d_head
        self._sliding_window = sliding_window
        self.rope_parameters = rope_parameters or {"full_attention": {"partial_rotary_factor": 0.25}}

    @property
    def sliding_window(self):
        raise RuntimeError("a per-layer attribute")  # AmbiguousGlobalPerLayerAttributeError


def test_sentinels_unreadable_attributes_experts_per_token_and_partial_rotary():
    from modelgen.smoke.tiny.config import tiny_arguments

    arguments = tiny_arguments(_FakeConfig, _FakeConfig())
    assert "mamba_d_head" not in arguments  # left to the config, which re-derives it from the shrunk sizes
    assert "sliding_window" not in arguments  # read as its default instead of raising
    assert arguments["moe_k"] <= arguments["num_experts"]
    assert arguments["head_dim"] * 0.25 >= 4


def test_vocabulary_map_gets_the_image_placeholder_inside_the_vocabulary():
    config, _ = tiny_config(transformers.ChameleonConfig)
    assert config.vocabulary_map == {"<image>": config.vocab_size - 1}


def test_causal_lm_heads_get_a_decoder_config_and_other_classes_keep_theirs():
    from modelgen.smoke.worker import _as_decoder_for_causal_lm

    config, _ = tiny_config(transformers.BertConfig)
    decoder = _as_decoder_for_causal_lm(transformers.BertLMHeadModel, config, "transformers")
    assert decoder.is_decoder and not config.is_decoder  # a copy: the shared config is untouched
    assert _as_decoder_for_causal_lm(transformers.BertForMaskedLM, config, "transformers") is config


def test_video_tower_with_temporal_merges_gets_an_explicit_rotary_split():
    from modelgen.smoke.tiny.config import _fit_multimodal_rope

    class Vision:
        temporal_merge_size = 2

    class Text:
        def __init__(self):
            self.vision_config = Vision()
            self.rope_parameters = {"rope_type": "default"}

    arguments: dict = {}
    _fit_multimodal_rope(Text(), arguments)
    assert sum(arguments["rope_parameters"]["mrope_section"]) == 4  # half of the 8-dim shrunk head


def test_a_config_class_the_model_sets_itself_wins_over_its_init_annotation():
    from modelgen.smoke.worker import _declared_config_class

    assert _declared_config_class(transformers.Pix2StructVisionModel) is transformers.Pix2StructVisionConfig
    assert _declared_config_class(transformers.InstructBlipQFormerModel) is transformers.InstructBlipQFormerConfig


def test_a_hybrid_model_keeps_a_layer_of_every_kind_its_pattern_derives():
    """Jamba puts attention at every 8th layer from the 4th: two shrunk layers would be mamba only."""
    config, changes = tiny_config(transformers.JambaConfig)
    assert "attention" in config.layers_block_type and "mamba" in config.layers_block_type
    assert config.num_hidden_layers == changes["num_hidden_layers"] == config.attn_layer_offset + 1


def test_an_image_size_set_through_a_property_outside_the_signature_is_shrunk():
    """SAM 3 tracker video pops `image_size` from its keyword arguments and writes it into its sub-configs: left
    out of the tiny arguments, the 1008-pixel default would win."""

    class PropertySizedConfig(transformers.PretrainedConfig):
        model_type = "property_sized"

        def __init__(self, hidden_size=768, **kwargs):
            self.hidden_size = hidden_size
            self.image_size = kwargs.pop("image_size", 1008)
            super().__init__(**kwargs)

        @property
        def image_size(self):
            return self._image_size

        @image_size.setter
        def image_size(self, value):
            self._image_size = value

    config, changes = tiny_config(PropertySizedConfig)
    assert config.image_size == changes["image_size"] < 1008
    assert config.hidden_size == 32
