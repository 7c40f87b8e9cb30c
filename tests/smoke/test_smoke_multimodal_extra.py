"""Tiny configs and inputs for detection heads and BLIP-like multimodal models: DETR's mask head, timm backbone
stages, placeholder token ids, towers with a fixed head size or compound-scaled widths, and prompt inputs."""

from types import SimpleNamespace

import pytest
from signature_model import SignatureModel as _Model

from modelgen.smoke.dummy_inputs.builders import BATCH, SEQUENCE, input_attempts
from modelgen.smoke.tiny import multimodal as tiny_multimodal
from modelgen.smoke.tiny.config import rule_for

transformers = pytest.importorskip("transformers")


def test_a_mask_head_over_width_plus_heads_channels_keeps_their_sum_a_multiple_of_8():
    signature = {"d_model": 256, "encoder_attention_heads": 8, "decoder_attention_heads": 8,
                 "mask_loss_coefficient": 1}
    instance = SimpleNamespace(**signature)
    arguments = {"d_model": 32, "encoder_attention_heads": 4, "decoder_attention_heads": 4}
    tiny_multimodal.fit_mask_head_heads(signature, instance, arguments, rule_for)
    assert arguments == {"d_model": 32, "encoder_attention_heads": 8, "decoder_attention_heads": 8}
    assert (arguments["d_model"] + arguments["encoder_attention_heads"]) % 8 == 0


@pytest.mark.parametrize("signature", [
    {"d_model": 256, "encoder_attention_heads": 8},  # no per-query mask head
    {"d_model": 768, "encoder_attention_heads": 12, "mask_loss_coefficient": 1},  # 780: no such constraint at full size
])
def test_heads_stay_shrunk_where_no_mask_head_needs_the_sum(signature):
    arguments = {"d_model": 32, "encoder_attention_heads": 4}
    tiny_multimodal.fit_mask_head_heads(signature, SimpleNamespace(**signature), arguments, rule_for)
    assert arguments["encoder_attention_heads"] == 4


class _Backbone(transformers.PretrainedConfig):
    model_type = "zoo_backbone"

    def __init__(self, out_indices=None, **kwargs):
        super().__init__(**kwargs)
        self.stage_names = ["stem", "stage1", "stage2", "stage3", "stage4"]
        self.out_indices = list(out_indices or [4])


class _Detector(transformers.PretrainedConfig):
    """4.x-like: a timm backbone by default, whose stages sit in `backbone_kwargs`."""

    model_type = "zoo_detector"

    def __init__(self, use_timm_backbone=True, backbone="resnet50", use_pretrained_backbone=True, backbone_config=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.use_timm_backbone, self.backbone, self.use_pretrained_backbone = use_timm_backbone, backbone, \
            use_pretrained_backbone
        self.backbone_kwargs = {"out_indices": [1, 2, 3, 4]} if use_timm_backbone else None
        self.backbone_config = None if use_timm_backbone else backbone_config or _Backbone()


def test_the_library_backbone_returns_as_many_stages_as_the_timm_one_did():
    library = {"use_timm_backbone": False, "backbone": None, "use_pretrained_backbone": False}
    config = tiny_multimodal.keep_timm_stages(_Detector, _Detector(), library)
    assert config.use_timm_backbone is False and config.backbone_config.out_indices == [1, 2, 3, 4]
    two = _Detector()
    two.backbone_kwargs = {"out_indices": [3, 4]}  # timm's numbering may differ: only the count carries over
    assert tiny_multimodal.keep_timm_stages(_Detector, two, library).backbone_config.out_indices == [3, 4]
    one = _Detector()
    one.backbone_kwargs = {"out_indices": [4]}
    assert tiny_multimodal.keep_timm_stages(_Detector, one, library).backbone_config.out_indices == [4]


def test_a_placeholder_token_left_to_the_processor_gets_a_free_id_of_the_text_vocabulary():
    signature = {"image_token_index": None, "video_token_index": None, "num_query_tokens": 32}
    instance = SimpleNamespace(image_token_index=None, video_token_index=None,
                               text_config=SimpleNamespace(vocab_size=128, eos_token_id=127, pad_token_id=1))
    arguments = {"vision_config": {"hidden_size": 32}, "text_config": {"vocab_size": 128}}
    tiny_multimodal.fill_placeholder_tokens(signature, instance, arguments)
    assert arguments["image_token_index"] == 126 and arguments["video_token_index"] == 125  # 127 is the eos


def test_placeholder_tokens_need_a_vision_tower_and_keep_a_given_id():
    instance = SimpleNamespace(image_token_index=None, vocab_size=128)
    arguments = {"vocab_size": 128}
    tiny_multimodal.fill_placeholder_tokens({"image_token_index": None}, instance, arguments)
    assert "image_token_index" not in arguments
    given = SimpleNamespace(image_token_index=5, text_config=SimpleNamespace(vocab_size=128))
    arguments = {"vision_config": {}, "text_config": {"vocab_size": 128}}
    tiny_multimodal.fill_placeholder_tokens({"image_token_index": None}, given, arguments)
    assert "image_token_index" not in arguments


def test_a_vision_tower_that_names_no_head_count_keeps_one_64_wide_head():
    signature = {"hidden_size": 768, "num_hidden_layers": 12, "patch_size": 16, "image_size": 288}
    arguments = {"hidden_size": 32, "num_hidden_layers": 2, "patch_size": 4, "image_size": 32}
    tiny_multimodal.fit_fixed_head_size(signature, SimpleNamespace(**signature), arguments, rule_for)
    assert arguments["hidden_size"] == 64
    with_heads = {**signature, "num_attention_heads": 12}
    arguments = {"hidden_size": 32, "num_attention_heads": 4}
    tiny_multimodal.fit_fixed_head_size(with_heads, SimpleNamespace(**with_heads), arguments, rule_for)
    assert arguments["hidden_size"] == 32
    prompt_encoder = {"hidden_size": 256, "image_size": 1024, "patch_size": 16, "mask_input_channels": 16}
    arguments = {"hidden_size": 32, "image_size": 32, "patch_size": 4}
    tiny_multimodal.fit_fixed_head_size(prompt_encoder, SimpleNamespace(**prompt_encoder), arguments, rule_for)
    assert arguments["hidden_size"] == 32  # no layers: SAM's prompt encoder shares the mask decoder's width


def test_a_compound_scaled_tower_keeps_its_first_stages_in_every_per_stage_list():
    tower = {"in_channels": [32, 16, 24, 40, 80], "out_channels": [16, 24, 40, 80, 112], "strides": [1, 2, 2, 2, 1],
             "kernel_sizes": [3, 3, 5, 3, 5], "depthwise_padding": [], "width_coefficient": 2.0, "hidden_dim": 2560}
    arguments = {"hidden_dim": 32}
    tiny_multimodal.fit_compound_stages(tower, SimpleNamespace(**tower), arguments)
    assert arguments == {"hidden_dim": 32, "in_channels": [32, 16, 24], "out_channels": [16, 24, 40],
                         "strides": [1, 2, 2], "kernel_sizes": [3, 3, 5]}
    plain = {"out_channels": [16, 24, 40, 80, 112], "strides": [1, 2, 2, 2, 1]}  # no compound scaling: untouched
    arguments = {}
    tiny_multimodal.fit_compound_stages(plain, SimpleNamespace(**plain), arguments)
    assert arguments == {}


def test_a_projection_that_matched_a_compound_scaled_tower_follows_its_shrunk_output():
    tower = {"out_channels": [16, 24, 40, 320], "width_coefficient": 2.0, "depth_divisor": 8, "hidden_dim": 2560}
    arguments = {"width_coefficient": 0.025, "out_channels": [16, 24, 40]}  # its first stages kept
    outputs = tiny_multimodal.compound_output_widths(tower, SimpleNamespace(**tower), arguments)
    assert outputs == {640: 8}  # 320 x 2.0 at full size, 40 x 0.025 rounded to the divisor once shrunk
    parent = {"projection_dim": 640, "text_hidden": 768}
    arguments = {"projection_dim": 32}
    tiny_multimodal.follow_tower_outputs(parent, SimpleNamespace(**parent), arguments, outputs, rule_for)
    assert arguments["projection_dim"] == 8


def test_prompt_inputs_under_other_names_are_built_with_their_masks_and_structure():
    config = SimpleNamespace(vocab_size=64, task_seq_len=5)
    model = _Model("pixel_values, task_inputs, classes_input_ids, classes_attention_mask, classes_structure, "
                   "text_inputs=None", "pixel_values")
    minimal = input_attempts(model, config)[0]
    assert tuple(minimal["task_inputs"].shape) == (BATCH, 5)
    assert tuple(minimal["classes_input_ids"].shape) == (BATCH, SEQUENCE)
    assert minimal["classes_attention_mask"].eq(1).all() and minimal["classes_structure"].tolist() == [1] * BATCH
    assert "text_inputs" not in minimal


def test_q_former_models_get_one_placeholder_per_query_token():
    config = SimpleNamespace(vocab_size=64, num_query_tokens=3, video_token_index=60,
                             vision_config=SimpleNamespace(image_size=32, patch_size=4))
    model = _Model("pixel_values, input_ids, attention_mask=None", "pixel_values")
    with_tokens = [inputs for inputs in input_attempts(model, config) if inputs["input_ids"].shape[1] > SEQUENCE]
    assert with_tokens and with_tokens[0]["input_ids"].shape == (BATCH, SEQUENCE + 3)
    assert with_tokens[0]["input_ids"][:, :3].eq(60).all()
