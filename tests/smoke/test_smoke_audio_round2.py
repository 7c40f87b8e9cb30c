"""Audio inputs and configs, round 2: a vocoder's spectrogram, features as wide as the first layer reads, the video
beside the audio, sizes a validator ties across sub-configs, and rotary tables wider than the shrunk heads."""

from types import SimpleNamespace

import pytest
import torch
from signature_model import SignatureModel as _Model
from signature_model import shapes as _shapes

from modelgen.smoke.dummy_inputs.audio import AUDIO_FRAMES, LATENT_FRAMES
from modelgen.smoke.dummy_inputs.builders import BATCH, input_attempts
from modelgen.smoke.tiny import relations as tiny_relations
from modelgen.smoke.tiny import rotary_probe


def test_a_vocoder_spectrogram_has_model_in_dim_bins_per_frame():
    attempts = input_attempts(_Model("spectrogram", "spectrogram"), SimpleNamespace(model_in_dim=6))
    assert _shapes(attempts[0]) == {"spectrogram": (BATCH, LATENT_FRAMES, 6)}


class _StackedFrames(torch.nn.Module):
    """An encoder whose first layer reads four stacked frames of `num_mel_bins` (no config field names the width)."""

    main_input_name = "input_features"

    def __init__(self, bins: int):
        super().__init__()
        self.input_linear = torch.nn.Linear(4 * bins, 16)

    def forward(self, input_features, input_features_mask=None):
        return self.input_linear(input_features)


def test_features_as_wide_as_the_first_layer_are_tried_after_the_config_width():
    model = _StackedFrames(bins=6)
    attempts = input_attempts(model, SimpleNamespace(num_mel_bins=6, max_source_positions=16))
    assert attempts[0]["input_features"].shape[1] == 6  # the config's width first
    stacked = [inputs for inputs in attempts if inputs["input_features"].shape[-1] == 24]
    assert stacked and _shapes(stacked[0]) == {"input_features": (BATCH, AUDIO_FRAMES, 24),
                                               "input_features_mask": (BATCH, AUDIO_FRAMES)}
    model(**stacked[0])


def test_no_first_layer_variant_where_the_first_layer_reads_the_config_width():
    class Whisper(torch.nn.Module):
        main_input_name = "input_features"

        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv1d(8, 16, 3)

        def forward(self, input_features):
            return self.conv(input_features)

    attempts = input_attempts(Whisper(), SimpleNamespace(num_mel_bins=8, max_source_positions=16))
    assert {inputs["input_features"].shape[1] for inputs in attempts} == {8, 32}  # both layouts, no other width


def test_the_video_beside_the_audio_is_tried_after_the_audio_alone():
    model = _Model("input_values=None, pixel_values_videos=None, padding_mask=None", "input_values")
    attempts = input_attempts(model, SimpleNamespace(hidden_size=32))
    assert "pixel_values_videos" not in attempts[0]
    with_video = [inputs for inputs in attempts if "pixel_values_videos" in inputs]
    assert with_video and all("input_values" in inputs for inputs in with_video)
    assert with_video[0]["pixel_values_videos"].dim() == 5


class _Sub:
    def __init__(self, hidden_size=1024, intermediate_size=256):
        self.hidden_size, self.intermediate_size = hidden_size, intermediate_size

    def to_dict(self):
        return dict(vars(self))


class _Composite:
    """A validator that ties the adaptor's `intermediate_size` to a quarter of the text width."""

    def __init__(self, adaptor=None, text=None):
        self.adaptor, self.text = _Sub(**(adaptor or {})), _Sub(**(text or {"intermediate_size": 3072}))
        if self.adaptor.intermediate_size != self.text.hidden_size // 4:
            raise ValueError("adaptor.intermediate_size must equal text.hidden_size // 4")


def test_a_size_a_validator_ties_to_another_sub_config_follows_its_shrunk_value():
    arguments = {"adaptor": {"hidden_size": 32, "intermediate_size": 64},
                 "text": {"hidden_size": 32, "intermediate_size": 64}}
    config, changed = tiny_relations.construct(_Composite, _Composite(), arguments)
    assert changed == {"adaptor.intermediate_size": 8} and config.adaptor.intermediate_size == 8
    assert arguments["adaptor"]["intermediate_size"] == 8


def test_a_config_that_builds_is_left_as_it_is_and_an_unrelated_refusal_raised_again():
    arguments = {"adaptor": {"hidden_size": 32, "intermediate_size": 8}, "text": {"hidden_size": 32}}
    assert tiny_relations.construct(_Composite, _Composite(), arguments)[1] == {}

    def refuses(**_):
        raise ValueError("never")

    with pytest.raises(ValueError, match="never"):
        tiny_relations.construct(refuses, _Composite(), {"adaptor": {"intermediate_size": 64}})


class _EncoderConfig:
    def __init__(self, hidden_size=32, num_attention_heads=4):
        self.hidden_size, self.num_attention_heads = hidden_size, num_attention_heads

    def to_dict(self):
        return dict(vars(self))


class _Config(_EncoderConfig):
    def __init__(self):
        super().__init__()
        self.text_config = _EncoderConfig()


class _Rotary(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        dim = max(config.hidden_size // (config.num_attention_heads * 2), 32)  # a floor no config names
        self.register_buffer("inv_freq", 1.0 / (10000 ** (torch.arange(0, dim, 2).float() / dim)))


class _Encoder(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.rotary = _Rotary(config)


class _Composed(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.text = _Encoder(config.text_config)
        self.proj = torch.nn.Linear(config.hidden_size, config.hidden_size)


def test_heads_narrower_than_the_rotary_table_of_their_config_become_fewer_and_wider():
    config, changes = _Config(), {"text_config": {"hidden_size": 32}}
    rotary_probe.fit_rotary_heads([_Composed], config, changes)
    assert config.text_config.num_attention_heads == 1 and config.num_attention_heads == 4
    assert changes == {"text_config": {"hidden_size": 32, "num_attention_heads": 1}}


def test_rotary_tables_that_fit_the_heads_change_nothing():
    config, changes = _Config(), {}
    config.text_config.hidden_size = 256  # heads of 64 dimensions cover the 32 rotated ones
    rotary_probe.fit_rotary_heads([_Composed], config, changes)
    assert config.text_config.num_attention_heads == 4 and changes == {}


def test_a_config_naming_its_rotary_width_keeps_its_heads_and_the_probe_leaves_the_config_unbuilt():
    config, changes = _Config(), {}
    config.text_config.rope_parameters = {"rope_theta": 10000.0, "partial_rotary_factor": 4.0}  # EfficientLoFTR
    rotary_probe.fit_rotary_heads([_Composed], config, changes)
    assert config.text_config.num_attention_heads == 4 and changes == {}


def test_a_speech_decoder_gets_spectrogram_frames_of_the_config_bins():
    model = _Model("input_ids=None, attention_mask=None, decoder_input_values=None", "input_ids")
    attempts = input_attempts(model, SimpleNamespace(num_mel_bins=6, vocab_size=16, hidden_size=32))
    assert "decoder_input_values" not in attempts[0]
    frames = [inputs for inputs in attempts if "decoder_input_values" in inputs]
    assert frames and frames[0]["decoder_input_values"].shape == (BATCH, LATENT_FRAMES, 6)


class _WithoutPrenets(torch.nn.Module):
    """An encoder-decoder built without its speech pre-nets: both sides read frames already embedded."""

    main_input_name = "input_values"

    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.Linear(32, 32)
        self.decoder = torch.nn.Linear(32, 32)

    def forward(self, input_values=None, decoder_input_values=None):
        return self.encoder(input_values).mean(1, keepdim=True) + self.decoder(decoder_input_values)


def test_embedded_frames_for_a_model_whose_first_layer_reads_the_width():
    model = _WithoutPrenets()
    attempts = input_attempts(model, SimpleNamespace(hidden_size=32))
    embedded = [inputs for inputs in attempts if inputs["input_values"].dim() == 3]
    assert embedded and _shapes(embedded[0]) == {"input_values": (BATCH, AUDIO_FRAMES, 32),
                                                 "decoder_input_values": (BATCH, LATENT_FRAMES, 32)}
    model(**embedded[0])
