"""Vision-language models and their vision towers: packed patch layouts, NaViT strips, tiles, any-resolution
tilings, image-token counts measured from the model, and the tiny-config rules they need (pixel windows,
pinpoints, multimodal rotary splits, neck channels, the text vocabulary for placeholder ids)."""

from types import SimpleNamespace

import pytest
import torch
from signature_model import SignatureModel
from signature_model import shapes as _shapes

from modelgen.smoke.dummy_inputs.builders import BATCH, _image_size, input_attempts
from modelgen.smoke.dummy_inputs.packed_patches import PATCH_GRID


def _Model(signature: str, main: str = "pixel_values") -> SignatureModel:
    """The stand-in model with images as its main input."""
    return SignatureModel(signature, main)


def test_a_packed_tower_without_temporal_patches_gets_rows_and_a_grid_and_the_other_layouts():
    config = SimpleNamespace(patch_size=4, num_channels=3, spatial_merge_size=2)
    attempts = input_attempts(_Model("pixel_values, grid_thw, **kwargs"), config)
    rows = BATCH * PATCH_GRID * PATCH_GRID
    assert _shapes(attempts[-1]) == {"pixel_values": (rows, 3 * 4 * 4), "grid_thw": (BATCH, 3)}  # reported last
    assert attempts[-1]["grid_thw"].tolist() == [[1, PATCH_GRID, PATCH_GRID]] * BATCH
    layouts = [_shapes(inputs)["pixel_values"] for inputs in attempts]
    assert (rows, 3, 4, 4) in layouts and (1, rows, 3, 4, 4) in layouts  # a Conv2d over each patch, one sequence
    merged = next(inputs for inputs in attempts if inputs["pixel_values"].dim() == 4
                  and inputs["pixel_values"].shape[-1] == 3)  # one channels-last block of 2 x 2 patches per token
    assert _shapes(merged)["pixel_values"] == (rows // 4, 8, 8, 3)
    assert merged["grid_thw"].tolist() == [[1, PATCH_GRID // 2, PATCH_GRID // 2]] * BATCH


def test_an_optional_grid_and_per_image_merge_sizes_are_fed():
    config = SimpleNamespace(patch_size=4, num_channels=3)
    fuller = input_attempts(_Model("pixel_values, grid_thw=None"), config)[1]
    assert set(fuller) == {"pixel_values", "grid_thw"}
    merges = input_attempts(_Model("pixel_values, grid_thw, merge_sizes"), config)[-1]
    assert merges["merge_sizes"].tolist() == [1] * BATCH


def test_siglip2_like_towers_get_padded_patch_rows_with_their_shapes_and_mask():
    config = SimpleNamespace(patch_size=4, num_channels=3, num_patches=256)
    first = input_attempts(_Model("pixel_values, pixel_attention_mask, spatial_shapes"), config)[0]
    patches = PATCH_GRID * PATCH_GRID
    assert _shapes(first) == {"pixel_values": (BATCH, patches, 48), "pixel_attention_mask": (BATCH, patches),
                              "spatial_shapes": (BATCH, 2)}
    assert first["pixel_attention_mask"].all()


def test_navit_packers_get_one_strip_of_patches_and_target_sizes():
    config = SimpleNamespace(patch_size=4, num_channels=3, image_size=32)
    first = input_attempts(_Model("pixel_values, target_sizes=None"), config)[-1]
    assert _shapes(first)["pixel_values"] == (1, 3, 4, BATCH * PATCH_GRID * PATCH_GRID * 4)
    assert first["target_sizes"].tolist() == [[PATCH_GRID, PATCH_GRID]] * BATCH


def test_tiled_towers_get_tiles_an_aspect_ratio_and_a_tile_mask():
    config = SimpleNamespace(image_size=32, patch_size=4, num_channels=3, max_num_tiles=4)
    first = input_attempts(_Model("pixel_values, aspect_ratio_ids, aspect_ratio_mask"), config)[0]
    assert _shapes(first) == {"pixel_values": (BATCH, 1, 4, 3, 32, 32), "aspect_ratio_ids": (BATCH, 1),
                              "aspect_ratio_mask": (BATCH, 1, 4)}
    assert first["aspect_ratio_ids"].tolist() == [[1]] * BATCH and first["aspect_ratio_mask"][0, 0].tolist() == [
        1, 0, 0, 0]


def test_any_resolution_models_get_the_tiles_of_the_first_pinpoint_and_its_size():
    config = SimpleNamespace(image_grid_pinpoints=[[32, 64], [64, 32]], vision_config=SimpleNamespace(
        image_size=32, patch_size=4))
    fuller = input_attempts(_Model("input_ids, pixel_values=None, image_sizes=None", "input_ids"), config)[1]
    assert _shapes(fuller)["pixel_values"] == (BATCH, 3, 3, 32, 32)  # the base image and two tiles
    assert fuller["image_sizes"].tolist() == [[32, 64]] * BATCH
    config.image_token_index = 5
    counts = [int((inputs["input_ids"] == 5).sum(1)[0]) for inputs in input_attempts(
        _Model("input_ids, pixel_values=None, image_sizes=None", "input_ids"), config)]
    assert 1 in counts  # one placeholder per image, which 4.x LLaVA-NeXT expands itself


def test_a_vq_gan_encoder_without_an_image_size_gets_its_latent_grid_times_its_downsampling():
    assert _image_size(SimpleNamespace(num_patches=8, channel_multiplier=[1, 1, 2, 2, 4])) == (128, 128)


class _DownsamplingVlm(torch.nn.Module):
    """A vision-language model whose tower pools 2 x 2 patches into one feature, as no config field says."""

    main_input_name = "input_ids"

    def __init__(self):
        super().__init__()
        self.embeddings = torch.nn.Embedding(128, 8)

    def get_input_embeddings(self):
        return self.embeddings

    def get_image_features(self, pixel_values):
        patches = pixel_values.shape[-1] // 4
        return [torch.zeros(patches * patches // 4, 8) for _ in range(pixel_values.shape[0])]

    def forward(self, input_ids, attention_mask=None, pixel_values=None):
        return None


def test_the_image_token_count_is_measured_from_the_model_where_the_config_cannot_tell_it():
    config = SimpleNamespace(image_token_id=5, vocab_size=128, vision_config=SimpleNamespace(image_size=32,
                                                                                              patch_size=4))
    attempts = input_attempts(_DownsamplingVlm(), config)
    counts = [int((inputs["input_ids"] == 5).sum(1)[0]) for inputs in attempts if "pixel_values" in inputs]
    assert counts.index(64) < counts.index(16)  # the config's count first, then the measured one (8 x 8 / 4)
    assert 1 not in counts  # one placeholder per image only for any-resolution tilings (4.x LLaVA-NeXT)


def test_pixel_windows_keep_their_merged_token_count_and_patch_windows_stay():
    from modelgen.smoke.tiny.config import _fit_pixel_windows

    full = SimpleNamespace(window_size=112, patch_size=14, spatial_merge_size=2)
    arguments = {"window_size": 2, "patch_size": 4}
    _fit_pixel_windows({"window_size": 112}, full, arguments)
    assert arguments["window_size"] == 4 * 2 * 4  # 4 merged tokens of 2 x 2 patches of 4 pixels
    swin = {"window_size": 2, "patch_size": 4}
    _fit_pixel_windows({"window_size": 7}, SimpleNamespace(window_size=7, patch_size=4), swin)
    assert swin["window_size"] == 2


def test_grid_pinpoints_follow_the_shrunk_image_size():
    from modelgen.smoke.tiny.config import _fit_grid_pinpoints

    full = SimpleNamespace(image_grid_pinpoints=[[336, 672], [672, 336]], vision_config=SimpleNamespace(
        image_size=336))
    arguments = {"vision_config": {"image_size": 32}}
    _fit_grid_pinpoints({"image_grid_pinpoints": None}, full, arguments)
    assert arguments["image_grid_pinpoints"] == [[32, 64], [64, 32]]


def test_multimodal_rotary_sections_fit_a_partial_rotary_head():
    from modelgen.smoke.tiny.config import _rotary_half, _scaled_sections

    half = _rotary_half(None, {"hidden_size": 32, "num_attention_heads": 4}, {"partial_rotary_factor": 0.5})
    assert half == 2 and sum(_scaled_sections([8, 12, 12], half)) == 2  # fewer dims than sections: one gets none
    assert _scaled_sections([16, 24, 24], 4) == [1, 1, 2]


class _TextConfig:
    model_type = "fake_text"
    ignore_keys_at_rope_validation = frozenset({"mrope_section"})

    def __init__(self, hidden_size=1024, num_attention_heads=16, rope_parameters=None):
        self.hidden_size, self.num_attention_heads = hidden_size, num_attention_heads
        self.rope_parameters = rope_parameters

    def to_dict(self):
        return dict(vars(self))

    def to_json_string(self):
        return str(self.to_dict())


class _VisionConfig(_TextConfig):
    model_type = "fake_vision"
    ignore_keys_at_rope_validation = frozenset()

    def __init__(self, hidden_size=1024, num_attention_heads=16, spatial_merge_size=2):
        super().__init__(hidden_size, num_attention_heads)
        self.spatial_merge_size = spatial_merge_size


class _Composite:
    model_type = "fake_vlm"

    def __init__(self, text_config=None, vision_config=None):
        self.text_config, self.vision_config = _TextConfig(), _VisionConfig()


def test_a_text_config_that_expects_an_m_rope_split_gets_one_without_temporal_patches():
    from modelgen.smoke.tiny.config import tiny_arguments

    arguments = tiny_arguments(_Composite, _Composite())
    assert arguments["text_config"]["rope_parameters"]["mrope_section"] == [1, 1, 2]


def test_a_neck_whose_last_stage_feeds_a_shrunk_encoder_shrinks_with_it():
    from modelgen.smoke.tiny.config import _Shrinking

    state = _Shrinking(widths={896: 32})
    neck: dict = {}
    state.stage_dependents.append((neck, "downsample_channels", [512, 896]))
    state.follow_widths()
    assert neck["downsample_channels"][-1] == 32 and neck["downsample_channels"][0] < 512


def test_placeholder_ids_stay_inside_the_text_vocabulary_when_the_vision_config_names_another():
    transformers = pytest.importorskip("transformers")
    from modelgen.smoke.tiny.config import tiny_config

    config, _ = tiny_config(transformers.LlavaNextConfig)
    assert config.image_token_index < config.text_config.vocab_size
    assert all(size % config.vision_config.image_size == 0 for pair in config.image_grid_pinpoints for size in pair)
