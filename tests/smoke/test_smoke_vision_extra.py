"""OCR, document-layout and dense-prediction models: feature-map inputs read from the model's first layer, larger
images for deep convnets, and tiny configs whose channel counts, windows and feature sizes stay tied together."""

from types import SimpleNamespace

import pytest
import torch

transformers = pytest.importorskip("transformers")

from modelgen.smoke.dummy_inputs import feature_maps
from modelgen.smoke.dummy_inputs.builders import input_attempts
from modelgen.smoke.tiny import vision
from modelgen.smoke.tiny.config import _shrink, rule_for, tiny_config


class _Neck(torch.nn.Module):
    """A recogniser's neck: reads a backbone's 384-channel feature map, not images."""

    main_input_name = "pixel_values"

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(384, 8, kernel_size=(1, 3), padding=(0, 1))

    def forward(self, hidden_states):
        return self.conv(hidden_states).squeeze(2)


class _AttentionHead(torch.nn.Module):
    """A table-structure head: attends over a sequence of 96-wide features."""

    main_input_name = "pixel_values"

    def __init__(self):
        super().__init__()
        self.input_to_hidden = torch.nn.Linear(96, 32)

    def forward(self, hidden_states, targets=None):
        return self.input_to_hidden(hidden_states)


class _ImageBackbone(torch.nn.Module):
    main_input_name = "pixel_values"

    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 8, 3)

    def forward(self, hidden_states):
        return self.stem(hidden_states)


def test_feature_inputs_follow_the_first_layer_of_the_module():
    config = transformers.PretrainedConfig()
    neck = input_attempts(_Neck(), config)
    assert neck[0]["hidden_states"].shape == (2, 384, 32, 32)
    assert any(inputs["hidden_states"].shape == (2, 384, 1, 64) for inputs in neck)  # a collapsed text line
    assert input_attempts(_AttentionHead(), config)[0]["hidden_states"].shape == (2, 7, 96)
    assert input_attempts(_ImageBackbone(), config)[0]["hidden_states"].shape == (2, 3, 32, 32)  # images


def test_larger_images_are_tried_before_the_last_attempt_only_when_the_config_names_no_size():
    generator = torch.Generator().manual_seed(0)
    attempts = [{"pixel_values": torch.rand(2, 3, 32, 32)}, {"pixel_values": torch.rand(2, 3, 32, 32), "x": 1}]
    larger = feature_maps.with_larger_images(attempts, False, False, generator)
    sizes = [tuple(inputs["pixel_values"].shape[-2:]) for inputs in larger]
    assert sizes == [(32, 32), (64, 64), (64, 64), (96, 256), (96, 256), (32, 32)] and larger[-1]["x"] == 1
    assert feature_maps.with_larger_images(attempts, True, False, generator) == attempts


def test_a_wide_text_line_image_makes_a_32x_strided_recogniser_with_a_3x2_pool_run():
    class _Recogniser(torch.nn.Module):
        main_input_name = "pixel_values"

        def __init__(self):
            super().__init__()
            self.stages = torch.nn.Sequential(*(torch.nn.Conv2d(3 if i == 0 else 4, 4, 3, 2, 1) for i in range(5)))

        def forward(self, pixel_values):
            features = torch.nn.functional.avg_pool2d(self.stages(pixel_values), (3, 2))
            return features.squeeze(2)  # one row left: (batch, channels, width)

    model = _Recogniser().eval()
    working = []
    for inputs in input_attempts(model, transformers.PretrainedConfig()):
        try:
            working.append(model(**inputs).dim() == 3)
        except RuntimeError:
            working.append(False)
    assert not working[0] and any(working)


class _StemConfig(transformers.PretrainedConfig):
    """TextNet-like: the stem's channels are the first stage's width."""

    model_type = "zoo_stem"

    def __init__(self, hidden_sizes=(64, 64, 128, 256, 512), stem_out_channels=64, **kwargs):
        self.hidden_sizes, self.stem_out_channels = list(hidden_sizes), stem_out_channels
        super().__init__(**kwargs)


def test_a_stage_channel_count_beside_a_shrunk_width_list_follows_it():
    config, _ = tiny_config(_StemConfig)
    assert config.hidden_sizes == [8, 8, 16, 32, 64] and config.stem_out_channels == config.hidden_sizes[0]


class _MatcherConfig(transformers.PretrainedConfig):
    """EfficientLoFTR-like: per-stage channels derived when None, ending at the model width, beside as many
    attention layers as stages; a rotary factor above 1 ties the head count to it."""

    model_type = "zoo_matcher"

    def __init__(self, stage_num_blocks=None, out_features=None, stage_stride=None, hidden_size=256,
                 num_attention_layers=4, num_attention_heads=8, rope_parameters=None, **kwargs):
        self.stage_num_blocks = stage_num_blocks if stage_num_blocks is not None else [1, 2, 4, 14]
        self.out_features = out_features if out_features is not None else [64, 64, 128, 256]
        self.stage_stride = stage_stride if stage_stride is not None else [2, 1, 2, 2]
        self.hidden_size, self.num_attention_layers = hidden_size, num_attention_layers
        self.num_attention_heads = num_attention_heads
        self.rope_parameters = rope_parameters or {"rope_type": "default", "partial_rotary_factor": 4.0}
        if self.out_features[-1] != self.hidden_size:
            raise ValueError("hidden_size must be the last stage's channels")
        super().__init__(**kwargs)


def test_per_stage_channels_scale_with_the_width_and_keep_one_entry_per_stage():
    config, _ = tiny_config(_MatcherConfig)
    assert config.hidden_size == 32 and config.out_features == [8, 8, 16, 32]
    assert config.stage_stride == [2, 1, 2, 2]  # one per stage, though there were as many attention layers
    assert config.num_attention_layers == 2 and config.num_attention_heads == 8  # 2-D rotary: heads kept


class _WindowedBackboneConfig(transformers.PretrainedConfig):
    model_type = "zoo_windowed"

    def __init__(self, hidden_size=192, image_size=1024, patch_size=16, num_windows=16, **kwargs):
        self.hidden_size, self.image_size, self.patch_size = hidden_size, image_size, patch_size
        self.num_windows = num_windows
        super().__init__(**kwargs)


class _TrackerVisionConfig(transformers.PretrainedConfig):
    """SAM 3 tracker-like: feature sizes per level as multiples of the backbone's patch grid, and an attribute the
    parent sets on its backbone that the backbone's constructor does not name."""

    model_type = "zoo_tracker_vision"

    def __init__(self, backbone_config=None, backbone_feature_sizes=None, **kwargs):
        if isinstance(backbone_config, dict):
            backbone_config = _WindowedBackboneConfig(**backbone_config)
        if backbone_config is None:
            backbone_config = _WindowedBackboneConfig()
            backbone_config.return_class_token = True
        self.backbone_config = backbone_config
        self.backbone_feature_sizes = backbone_feature_sizes or [[256, 256], [128, 128], [64, 64]]
        super().__init__(**kwargs)


def test_windows_feature_sizes_and_parent_set_attributes_follow_the_shrunk_backbone():
    assert rule_for("num_windows") == "windows" and _shrink("windows", 16, {}, None) == 4
    config, _ = tiny_config(_TrackerVisionConfig)
    backbone = config.backbone_config
    grid = backbone.image_size // backbone.patch_size
    assert backbone.num_windows == 4 and config.backbone_feature_sizes == [[4 * grid] * 2, [2 * grid] * 2, [grid] * 2]
    assert backbone.return_class_token is True


def _sub(config_class, value):
    if isinstance(value, dict):
        return config_class(**{name: item for name, item in value.items() if name != "model_type"})
    return value if value is not None else config_class()


class _HieraConfig(transformers.PretrainedConfig):
    """SAM 2's backbone: sizes set in the constructor when None, a patch stride and no patch size."""

    model_type = "zoo_hiera"

    def __init__(self, hidden_size=96, image_size=None, patch_stride=None, embed_dim_per_stage=None, **kwargs):
        self.hidden_size = hidden_size
        self.image_size = image_size if image_size is not None else [1024, 1024]
        self.patch_stride = patch_stride if patch_stride is not None else [4, 4]
        self.embed_dim_per_stage = embed_dim_per_stage if embed_dim_per_stage is not None else [96, 192, 384, 768]
        super().__init__(**kwargs)


class _HieraVisionConfig(transformers.PretrainedConfig):
    model_type = "zoo_hiera_vision"

    def __init__(self, backbone_config=None, backbone_channel_list=None, backbone_feature_sizes=None, **kwargs):
        self.backbone_config = _sub(_HieraConfig, backbone_config)
        self.backbone_channel_list = backbone_channel_list or [768, 384, 192, 96]
        self.backbone_feature_sizes = backbone_feature_sizes or [[256, 256], [128, 128], [64, 64]]
        super().__init__(**kwargs)


class _PromptConfig(transformers.PretrainedConfig):
    model_type = "zoo_prompt"

    def __init__(self, hidden_size=256, image_size=1024, patch_size=16, **kwargs):
        self.hidden_size, self.image_size, self.patch_size = hidden_size, image_size, patch_size
        super().__init__(**kwargs)


class _SegmenterConfig(transformers.PretrainedConfig):
    model_type = "zoo_segmenter"

    def __init__(self, vision_config=None, prompt_encoder_config=None, **kwargs):
        self.vision_config = _sub(_HieraVisionConfig, vision_config)
        self.prompt_encoder_config = _sub(_PromptConfig, prompt_encoder_config)
        super().__init__(**kwargs)


def test_a_hiera_backbone_its_stage_widths_feature_sizes_and_the_prompt_grid_shrink_together():
    config, _ = tiny_config(_SegmenterConfig)
    vision, backbone = config.vision_config, config.vision_config.backbone_config
    assert backbone.hidden_size == 32 and backbone.image_size == [32, 32]  # set when None: shrunk all the same
    assert backbone.embed_dim_per_stage == [32, 64, 128, 256] and vision.backbone_channel_list == [256, 128, 64, 32]
    assert vision.backbone_feature_sizes == [[8, 8], [4, 4], [2, 2]]
    prompt = config.prompt_encoder_config  # its 64-patch grid was the last level: still the last level's 2
    assert prompt.image_size // prompt.patch_size == 2


def test_a_table_structure_head_decodes_few_steps():
    assert rule_for("max_text_length") == "positions"


def test_a_pixel_margin_that_no_longer_fits_the_shrunk_image_keeps_its_share_and_kernels_stay():
    signature = {"max_img_size": 448, "visual_prompt_size": 96, "kernel_size": 7}
    arguments = {"max_img_size": 32}
    vision.fit_image_margins(signature, SimpleNamespace(**signature), arguments, rule_for)
    assert arguments == {"max_img_size": 32, "visual_prompt_size": 6}  # 96 / 448 of 32; the 7-pixel kernel fits
