"""Dummy inputs for the less common forward signatures: time series, trajectories, region features, entity spans,
fixed masking noise, audio feature layouts, embeddings-only encoders and in-context image prompts."""

from types import SimpleNamespace

import pytest
import torch
from signature_model import SignatureModel as _Model
from signature_model import shapes as _shapes

from modelgen.smoke.dummy_inputs import builders as smoke_inputs
from modelgen.smoke.dummy_inputs.builders import BATCH, SEQUENCE, UnbuildableInput, input_attempts


def test_lag_based_forecasters_get_a_past_window_covering_the_largest_lag_and_a_future_window():
    config = SimpleNamespace(context_length=12, prediction_length=4, lags_sequence=[1, 2, 5], input_size=1,
                             num_time_features=2, num_static_categorical_features=1, num_static_real_features=0)
    model = _Model("past_values, past_time_features, past_observed_mask, static_categorical_features=None, "
                   "static_real_features=None, future_values=None, future_time_features=None", "past_values")
    minimal, fuller = input_attempts(model, config)[:2]
    assert _shapes(minimal) == {"past_values": (BATCH, 17), "past_time_features": (BATCH, 17, 2),
                                "past_observed_mask": (BATCH, 17)}
    assert _shapes(fuller)["future_values"] == (BATCH, 4) and _shapes(fuller)["future_time_features"] == (BATCH, 4, 2)
    assert fuller["static_categorical_features"].dtype == torch.long and "static_real_features" not in fuller


def test_channel_wise_forecasters_get_a_channel_dimension():
    config = SimpleNamespace(context_length=32, prediction_length=8, num_input_channels=3)
    attempts = input_attempts(_Model("past_values, future_values=None", "past_values"), config)
    assert _shapes(attempts[0]) == {"past_values": (BATCH, 32, 3)}
    assert _shapes(attempts[1])["future_values"] == (BATCH, 8, 3)


def test_forecasters_tiny_config_names_a_horizon_and_a_context_longer_than_the_label_window():
    transformers = pytest.importorskip("transformers")
    from modelgen.smoke.tiny.config import tiny_config

    config, _ = tiny_config(transformers.AutoformerConfig)
    assert config.prediction_length == 4 and config.context_length >= config.label_length


def test_masked_autoencoders_get_fixed_noise_in_the_first_attempt():
    config = SimpleNamespace(image_size=32, patch_size=4, num_channels=3, mask_ratio=0.75)
    first = input_attempts(_Model("pixel_values, noise=None", "pixel_values"), config)[0]
    assert _shapes(first)["noise"] == (BATCH, 64)
    again = input_attempts(_Model("pixel_values, noise=None", "pixel_values"), config)[0]
    assert torch.equal(first["noise"], again["noise"])  # seeded: the same noise every time


def test_mask_units_of_hierarchical_masked_autoencoders_follow_stride_and_unit_size():
    config = SimpleNamespace(image_size=[64, 64], patch_stride=[4, 4], masked_unit_size=[8, 8], mask_ratio=0.6)
    assert smoke_inputs._mask_units(config) == 4


def test_audio_features_found_in_any_sub_config_and_tried_in_both_layouts():
    class Config:  # a config-like sub-config, as `_find_nested` recognises them
        model_type = "fake"

        def __init__(self, **values):
            self.__dict__.update(values)

        def to_dict(self):
            return dict(vars(self))

    config = Config(semantic_model_config=Config(feature_projection_input_dim=20))
    attempts = input_attempts(_Model("input_features", "input_features"), config)
    assert [_shapes(inputs)["input_features"] for inputs in attempts] == [(BATCH, 32, 20), (BATCH, 20, 32)]


class _UnfitAudioModel(torch.nn.Module):
    """Reads features of a width no config field names and no probed candidate has."""

    main_input_name = "input_features"

    def __init__(self):
        super().__init__()
        self.projection = torch.nn.Linear(4999, 4)

    def forward(self, input_features):
        return self.projection(input_features)


def test_audio_features_of_unknown_size_still_skip():
    with pytest.raises(UnbuildableInput):
        input_attempts(_UnfitAudioModel(), SimpleNamespace())


def test_trajectories_for_decision_transformers():
    config = SimpleNamespace(state_dim=5, act_dim=3, hidden_size=32)
    model = _Model("states=None, actions=None, rewards=None, returns_to_go=None, timesteps=None, "
                   "attention_mask=None", "states")
    fuller = input_attempts(model, config)[-1]
    assert _shapes(fuller) == {"states": (BATCH, SEQUENCE, 5), "actions": (BATCH, SEQUENCE, 3),
                               "rewards": (BATCH, SEQUENCE, 1), "returns_to_go": (BATCH, SEQUENCE, 1),
                               "timesteps": (BATCH, SEQUENCE)}
    assert int(fuller["timesteps"].max()) < SEQUENCE


def test_embeddings_inputs_and_cross_attention_states():
    config = SimpleNamespace(hidden_size=32, encoder_hidden_size=48)
    attempts = input_attempts(_Model("query_embeds, encoder_hidden_states=None", "input_ids"), config)
    assert _shapes(attempts[0]) == {"query_embeds": (BATCH, SEQUENCE, 32)}
    assert _shapes(attempts[1])["encoder_hidden_states"] == (BATCH, SEQUENCE, 48)


def test_decode_heads_over_hierarchical_encoders_get_one_feature_map_per_stage():
    config = SimpleNamespace(hidden_sizes=[8, 16, 32])
    states = input_attempts(_Model("encoder_hidden_states", "pixel_values"), config)[0]["encoder_hidden_states"]
    assert [tuple(state.shape[:2]) for state in states] == [(BATCH, 8), (BATCH, 16), (BATCH, 32)]


def test_images_under_another_name_when_the_main_input_is_pixel_values():
    config = SimpleNamespace(image_size=32, num_channels=3, hidden_size=16)
    first = input_attempts(_Model("hidden_states", "pixel_values"), config)[0]
    assert _shapes(first) == {"hidden_states": (BATCH, 3, 32, 32)}


def test_in_context_prompts_are_half_the_image_height():
    config = SimpleNamespace(image_size=[32, 32], patch_size=4, num_channels=3)
    attempts = input_attempts(_Model("pixel_values, prompt_pixel_values, prompt_masks", "pixel_values"), config)
    assert {(BATCH, 3, 16, 32)} in [set(_shapes(inputs).values()) for inputs in attempts]
    assert all(_shapes(inputs)["prompt_masks"] == (BATCH, 3, 16, 32) for inputs in attempts)


def test_codebook_models_get_one_token_per_codebook_and_the_first_predicted_codebook():
    config = SimpleNamespace(n_codes_total=8, n_codes_given=1, vocab_size=64)
    first = input_attempts(_Model("codebook_idx, input_ids=None", "input_ids"), config)[0]
    assert first["codebook_idx"] == 1 and _shapes(first)["input_ids"] == (BATCH, SEQUENCE, 8)


def test_video_masks_hide_the_same_number_of_patches_per_sample():
    config = SimpleNamespace(image_size=32, patch_size=4, num_frames=4, tubelet_size=2)
    mask = input_attempts(_Model("pixel_values, bool_masked_pos", "pixel_values"), config)[0]["bool_masked_pos"]
    assert mask.shape == (BATCH, 128) and mask.dtype == torch.bool and mask.sum(1).tolist() == [64, 64]


def test_per_frame_vision_towers_get_frames_folded_into_the_batch():
    config = SimpleNamespace(image_size=32, num_channels=3, num_frames=4)
    shapes = [_shapes(inputs)["pixel_values"] for inputs in input_attempts(_Model("pixel_values", "pixel_values"),
                                                                            config)]
    # the folded frames first: a model that fails every way reports its failure on whole videos, tried last
    assert shapes == [(BATCH, 3, 32, 32), (BATCH * 4, 3, 32, 32), (BATCH, 4, 3, 32, 32)]


def test_region_features_entities_and_global_attention_only_in_the_fuller_attempt():
    config = SimpleNamespace(vocab_size=64, entity_vocab_size=16, visual_feat_dim=10, visual_pos_dim=4)
    model = _Model("input_ids, attention_mask=None, visual_feats=None, visual_pos=None, entity_ids=None, "
                   "entity_position_ids=None, global_attention_mask=None")
    minimal, fuller = input_attempts(model, config)[:2]
    assert set(minimal) == {"input_ids", "attention_mask"}
    assert _shapes(fuller)["visual_feats"] == (BATCH, 3, 10) and _shapes(fuller)["visual_pos"] == (BATCH, 3, 4)
    assert int(fuller["entity_ids"].max()) < 16 and int(fuller["entity_position_ids"].max()) < SEQUENCE
    assert fuller["global_attention_mask"][:, 0].tolist() == [1, 1]


def test_encoders_without_token_embeddings_get_inputs_embeds_and_no_cache():
    class Encoder(_Model):
        def get_input_embeddings(self):
            raise NotImplementedError

    config = SimpleNamespace(vocab_size=64, hidden_size=32)
    attempts = input_attempts(Encoder("input_ids=None, inputs_embeds=None, use_cache=None"), config)
    assert _shapes(attempts[-1]) == {"inputs_embeds": (BATCH, SEQUENCE, 32), "use_cache": False}
    with_embeddings = input_attempts(_Model("input_ids=None, inputs_embeds=None"), config)
    assert all("inputs_embeds" not in inputs for inputs in with_embeddings)


def test_vocoder_noise_is_given_and_matches_the_spectrogram_frames():
    config = SimpleNamespace(num_mel_bins=10, model_in_channels=6)
    first = input_attempts(_Model("input_features, noise_sequence=None, spkr_id=None", "input_features"), config)[0]
    assert _shapes(first)["noise_sequence"] == (BATCH, first["input_features"].shape[-1], 6)


def test_default_language_becomes_the_first_of_the_languages():
    transformers = pytest.importorskip("transformers")
    from modelgen.smoke.tiny.config import tiny_config

    config, _ = tiny_config(transformers.XmodConfig)
    assert config.default_language == config.languages[0]
