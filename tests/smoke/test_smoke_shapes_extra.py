"""Shape rules for vision, multimodal and layout models: tiny configs whose parts still fit together, and the
dummy inputs those models need (real config classes of the installed transformers 4.46.3)."""

import pytest

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

from modelgen.smoke.dummy_inputs.builders import input_attempts
from modelgen.smoke.tiny.config import tiny_config


def test_strided_patch_kernels_keep_their_size():
    hiera, _ = tiny_config(transformers.HieraConfig)  # 7x7 kernel, stride 4, padding 3
    levit, _ = tiny_config(transformers.LevitConfig)  # four stride-2 convs: 16
    assert list(hiera.patch_size) == [7, 7] and levit.patch_size == 16


def test_pretraining_decoders_left_unsized_get_tiny_sizes_and_the_image_holds_mask_units():
    config, _ = tiny_config(transformers.HieraConfig)
    assert (config.decoder_hidden_size, config.decoder_depth, config.decoder_num_heads) == (32, 1, 4)
    grid = [size // stride for size, stride in zip(config.image_size, config.patch_stride)]
    assert all(cells >= 2 * unit for cells, unit in zip(grid, config.masked_unit_size))


def test_positional_feature_counts_follow_half_the_width():
    config, _ = tiny_config(transformers.SamConfig)
    assert 2 * config.vision_config.num_pos_feats == config.vision_config.output_channels == 32


@pytest.mark.parametrize("name", ["LiltConfig", "LayoutLMv3Config"])
def test_layout_widths_split_into_six_box_embeddings(name):
    config, _ = tiny_config(getattr(transformers, name))
    assert config.hidden_size % 6 == 0 and config.hidden_size % config.num_attention_heads == 0
    if hasattr(config, "coordinate_size"):
        assert 4 * config.coordinate_size + 2 * config.shape_size == config.hidden_size


def test_bros_box_sine_features_are_not_empty():
    config, _ = tiny_config(transformers.BrosConfig)
    assert config.dim_bbox_sinusoid_emb_1d // 2 >= 1


def test_detector_input_channels_follow_the_backbone_stages():
    config, _ = tiny_config(transformers.RTDetrConfig)
    stages = [config.backbone_config.hidden_sizes[index - 1] for index in config.backbone_config.out_indices]
    assert config.encoder_in_channels == stages
    assert config.decoder_in_channels == [config.d_model] * len(config.decoder_in_channels)


def test_feature_layer_indices_stay_inside_the_shrunk_vision_tower():
    config, _ = tiny_config(transformers.VipLlavaConfig)
    states = config.vision_config.num_hidden_layers + 1
    assert len(config.vision_feature_layers) == 5
    assert all(-states <= index < states for index in config.vision_feature_layers)


def test_the_image_leaves_one_patch_at_the_output_stride():
    config, _ = tiny_config(transformers.MobileViTV2Config)
    assert config.image_size // config.output_stride >= config.patch_size


def test_stage_doubling_widths_keep_their_ratio():
    config, _ = tiny_config(transformers.ClapConfig)
    audio = config.audio_config
    assert audio.hidden_size == audio.patch_embeds_hidden_size * 2 ** (len(audio.depths) - 1)


def test_backbone_patch_size_kept_where_the_parent_names_none():
    config, _ = tiny_config(transformers.VitMatteConfig)
    assert config.backbone_config.patch_size == 16


def test_perceiver_latents_shrink_and_cross_attend_with_one_head():
    config, _ = tiny_config(transformers.PerceiverConfig)
    assert config.d_latents == 32 and config.num_latents <= 8 and config.num_self_attends_per_block == 2
    assert config.num_cross_attention_heads == 1 and list(config.output_shape)[-2:] == [32, 32]


class _Forward(torch.nn.Module):
    """A model whose forward accepts the given parameters (what `input_attempts` reads)."""

    main_input_name = "pixel_values"

    def __init__(self, *names):
        super().__init__()
        self.names = names

    def forward(self, pixel_values=None, input_ids=None, attention_mask=None, image_embeds_position_mask=None,
                image_attention_mask=None, input_values=None):
        return pixel_values


def test_spectrogram_input_values_have_max_length_frames_of_mel_bins():
    config, _ = tiny_config(transformers.ASTConfig)
    model = _Forward()
    model.main_input_name = "input_values"
    values = input_attempts(model, config)[0]["input_values"]
    assert tuple(values.shape[1:]) == (config.max_length, config.num_mel_bins)


def test_kosmos2_like_models_get_marked_image_positions():
    config, _ = tiny_config(transformers.Kosmos2Config)
    marked = [inputs for inputs in input_attempts(_Forward(), config) if "image_embeds_position_mask" in inputs]
    assert marked
    mask, ids = marked[0]["image_embeds_position_mask"], marked[0]["input_ids"]
    assert mask.shape == ids.shape and int(mask[0].sum()) == config.latent_query_num


def test_image_groups_are_tried_before_the_last_single_image_attempt():
    config, _ = tiny_config(transformers.IdeficsConfig)
    attempts = input_attempts(_Forward(), config)
    grouped = [inputs for inputs in attempts if inputs["pixel_values"].dim() == 5]
    assert grouped and attempts[-1]["pixel_values"].dim() == 4
    with_text = [inputs for inputs in grouped if "input_ids" in inputs]
    assert with_text and with_text[0]["image_attention_mask"].shape[:2] == with_text[0]["input_ids"].shape
