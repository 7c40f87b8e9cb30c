"""Audio inputs and configs: feature masks that follow the feature layout, codebook token layouts, audio codes, codec
frame alignment, codec latents, required-but-optional arguments, text as long as the audio, and the tiny-config
rules that audio composites need (a parent's merged sub-config defaults, concatenated widths, context sizes)."""

from types import SimpleNamespace

import torch
from signature_model import SignatureModel as _Model
from signature_model import shapes as _shapes

from modelgen.smoke.dummy_inputs.builders import BATCH, SEQUENCE, input_attempts
from modelgen.smoke.tiny.config import HEAD_DIM, HEADS, _fit_context_to_positions, _Shrinking, tiny_arguments


def test_feature_masks_follow_the_frames_of_each_feature_layout():
    config = SimpleNamespace(num_mel_bins=8, max_source_positions=16)
    attempts = input_attempts(_Model("input_features, input_features_mask=None", "input_features"), config)
    assert _shapes(attempts[0]) == {"input_features": (BATCH, 8, 32), "input_features_mask": (BATCH, 32)}
    transposed = next(inputs for inputs in attempts if inputs["input_features"].shape[1] == 32)
    assert _shapes(transposed)["input_features_mask"] == (BATCH, 32)
    assert all(inputs["input_features_mask"].eq(1).all() for inputs in attempts)


def test_a_required_feature_mask_is_built_and_the_waveform_length_behind_the_frames_given():
    config = SimpleNamespace(num_mel_bins=8, max_source_positions=16, hop_length=10)
    first = input_attempts(_Model("input_features, feature_attention_mask, chunk_sample_lengths",
                                  "input_features"), config)[0]
    assert _shapes(first)["feature_attention_mask"] == (BATCH, 32)
    assert first["chunk_sample_lengths"].tolist() == [320] * BATCH


def test_codebook_models_get_one_token_per_codebook_per_step_with_and_without_a_text_stream():
    config = SimpleNamespace(num_codebooks=3, vocab_size=10, codebook_size=6)
    attempts = input_attempts(_Model("input_ids, attention_mask=None"), config)
    layered = [inputs["input_ids"] for inputs in attempts if inputs["input_ids"].dim() == 3]
    assert [ids.shape for ids in layered] == [(BATCH, SEQUENCE, 3), (BATCH, SEQUENCE, 4)]
    assert all(int(ids.max()) < 6 for ids in layered)


def test_an_audio_decoder_counting_channels_gets_decoder_ids_per_channel():
    config = SimpleNamespace(vocab_size=16, decoder_config=SimpleNamespace(num_channels=9, vocab_size=12))
    attempts = input_attempts(_Model("input_ids, decoder_input_ids=None"), config)
    assert any(_shapes(inputs)["decoder_input_ids"] == (BATCH, SEQUENCE, 9) for inputs in attempts)


def test_audio_codes_next_to_the_text_one_per_text_position():
    config = SimpleNamespace(vocab_size=32, num_codebooks=2, audio_vocab_size=16)
    attempts = input_attempts(_Model("input_ids, user_audio_codes=None, moshi_audio_codes=None"), config)
    coded = [inputs for inputs in attempts if "user_audio_codes" in inputs]
    assert coded and _shapes(coded[0])["moshi_audio_codes"] == (BATCH, 2, SEQUENCE)
    assert int(coded[0]["user_audio_codes"].max()) < 16


def test_codec_waveforms_are_whole_frames_and_their_features_one_per_codec_frame():
    config = SimpleNamespace(hop_length=300, feature_size=6)
    attempts = input_attempts(_Model("input_values, input_features", "input_values"), config)
    aligned = [inputs for inputs in attempts if inputs["input_values"].shape[-1] % 300 == 0]
    assert aligned and _shapes(aligned[0]) == {"input_values": (BATCH, 16200), "input_features": (BATCH, 54, 6)}


def test_a_required_argument_typed_optional_is_given_none():
    first = input_attempts(_Model("input_values, mask: 'torch.Tensor | None'", "input_values"), SimpleNamespace())[0]
    assert "mask" in first and first["mask"] is None


def test_audio_encoders_reading_filter_banks_as_hidden_states_and_codec_decoders_reading_latents():
    config = SimpleNamespace(hidden_size=16, input_size=5)
    attempts = input_attempts(_Model("hidden_states", "hidden_states"), config)
    assert _shapes(attempts[-1])["hidden_states"][-1] == 5
    latents = input_attempts(_Model("latents", "latents"), SimpleNamespace(hidden_size=16))[0]
    assert _shapes(latents) == {"latents": (BATCH, 16, 8)}


def test_audio_token_ids_are_laid_out_frames_by_codebooks():
    config = SimpleNamespace(num_codebooks=5, codebook_size=7, hidden_size=16)
    first = input_attempts(_Model("audio_input_ids", "audio_input_ids"), config)[0]
    assert _shapes(first)["audio_input_ids"] == (BATCH, 8, 5) and int(first["audio_input_ids"].max()) < 7


def test_text_is_made_as_long_as_the_audio_embeddings_it_is_added_to():
    class Fused(_Model):
        def get_audio_features(self, input_features):
            return SimpleNamespace(pooler_output=torch.zeros(input_features.shape[0], 5, 4))

    config = SimpleNamespace(vocab_size=20, num_mel_bins=8, max_source_positions=16)
    attempts = input_attempts(Fused("input_ids, input_features=None, attention_mask=None"), config)
    longer = [inputs for inputs in attempts if inputs["input_ids"].shape[1] == 5]
    assert longer and _shapes(longer[0])["attention_mask"] == (BATCH, 5)


class _Config:
    """Just enough of a config class for `tiny_arguments`."""

    model_type = "fake"

    def to_dict(self):
        return dict(vars(self))

    def to_json_string(self):
        return str(self.to_dict())


class _TextConfig(_Config):
    model_type = "fake_text"

    def __init__(self, hidden_size=1024, num_attention_heads=16, num_key_value_heads=None, head_dim=None,
                 max_position_embeddings=512, context_size=128):
        self.hidden_size, self.num_attention_heads = hidden_size, num_attention_heads
        self.num_key_value_heads, self.head_dim = num_key_value_heads, head_dim
        self.max_position_embeddings, self.context_size = max_position_embeddings, context_size


class _ParentConfig(_Config):
    model_type = "fake_parent"

    def __init__(self, text_config=None):  # merges its own defaults into the sub-config (as Voxtral does)
        self.text_config = _TextConfig(**{"head_dim": 128, "num_key_value_heads": 8, **(text_config or {})})


def test_sub_config_sizes_a_parent_merges_back_in_are_named_small():
    text = tiny_arguments(_ParentConfig, _ParentConfig())["text_config"]
    assert text["head_dim"] == HEAD_DIM and HEADS % text["num_key_value_heads"] == 0


def test_a_dimension_equal_to_two_concatenated_widths_follows_their_shrunk_sum():
    state = _Shrinking()
    state.widths.update({1024: 32, 768: 24})
    arguments: dict = {}
    state.dependents.append((arguments, "quantization_dim", 2048))
    state.follow_widths()
    assert arguments == {"quantization_dim": 64}


def test_a_context_that_fitted_the_position_table_fits_the_shrunk_one():
    signature = {"max_position_embeddings": 512, "context_size": 128}
    arguments = {"max_position_embeddings": 64}
    _fit_context_to_positions(signature, _TextConfig(), arguments)
    assert arguments["context_size"] == 64
