"""Inputs of the halves of speech models and detectors that another model feeds (codec codes, spectrograms,
channels-first signals, detected layout boxes), and which failure is reported when no input set runs."""

import pytest
import torch

transformers = pytest.importorskip("transformers")

from modelgen.smoke.checks import _first_working_forward
from modelgen.smoke.dummy_inputs.builders import input_attempts
from tests.smoke.signature_model import SignatureModel, first_working_inputs, shapes


class _CodeDecoder(torch.nn.Module):
    """Qwen3-Omni's Code2Wav: one embedding table per quantizer, the codes' layer count checked."""

    def __init__(self, quantizers: int, codebook: int):
        super().__init__()
        self.quantizers = quantizers
        self.embedding = torch.nn.Embedding(quantizers * codebook, 8)
        self.register_buffer("offset", torch.arange(quantizers).view(1, -1, 1) * codebook)

    def forward(self, codes):
        if codes.shape[1] != self.quantizers:
            raise ValueError(f"expected {self.quantizers} layers of codes, got {codes.shape[1]}")
        return self.embedding(codes + self.offset).mean(1)


def test_codec_codes_have_one_row_per_quantizer_below_the_codebook():
    config = transformers.PretrainedConfig(num_quantizers=3, codebook_size=16)
    inputs = first_working_inputs(_CodeDecoder(3, 16), config)
    assert shapes(inputs)["codes"][:2] == (2, 3)
    assert int(inputs["codes"].max()) < 16


class _Vocoder(torch.nn.Module):
    """BigVGAN-like: a mel spectrogram, channels-first, into a Conv1d over the bins."""

    def __init__(self, bins: int):
        super().__init__()
        self.conv_pre = torch.nn.Conv1d(bins, 4, 7, padding=3)

    def forward(self, mel_spectrogram, **kwargs):
        return self.conv_pre(mel_spectrogram)


def test_a_spectrogram_has_as_many_channels_as_the_first_convolution_reads():
    inputs = first_working_inputs(_Vocoder(bins=20), transformers.PretrainedConfig())
    assert shapes(inputs)["mel_spectrogram"][:2] == (2, 20)


class _CodecHalf(torch.nn.Module):
    """VibeVoice's encoder: the waveform as `hidden_states`, (batch, channels, samples), strided by `hop_length`."""

    def __init__(self, channels: int, stride: int):
        super().__init__()
        self.stem = torch.nn.Conv1d(channels, 4, 7, padding=3)
        self.down = torch.nn.Conv1d(4, 4, kernel_size=40 if stride > 1 else 1, stride=stride)

    def forward(self, hidden_states):
        return self.down(self.stem(hidden_states))


def test_a_signal_read_by_a_convolution_comes_channels_first_and_a_codec_frame_long():
    config = transformers.PretrainedConfig(hidden_size=32, hop_length=64)
    inputs = first_working_inputs(_CodecHalf(channels=1, stride=16), config)
    assert shapes(inputs)["hidden_states"] == (2, 1, 64)  # 32 samples are gone before the strided layer
    decoder_inputs = first_working_inputs(_CodecHalf(channels=32, stride=1), config)
    assert shapes(decoder_inputs)["hidden_states"] == (2, 32, 32)


def test_detected_layout_boxes_come_with_a_mask_marking_each_valid():
    model = SignatureModel("boxes, labels=None, mask=None")
    inputs = input_attempts(model, transformers.PretrainedConfig(hidden_size=32))[0]
    assert shapes(inputs) == {"boxes": (2, 7, 4), "mask": (2, 7)}
    assert inputs["mask"].all() and inputs["boxes"].is_floating_point()
    assert bool((inputs["boxes"][..., 2:] > inputs["boxes"][..., :2]).all())  # x1 > x0, y1 > y0


class _MissingConfigField(torch.nn.Module):
    """Fails on text alone by reading a field its config lacks; with images it fails on their shape instead."""

    class ThinkerConfig:
        pass

    def __init__(self):
        super().__init__()
        self.config = self.ThinkerConfig()

    def forward(self, input_ids, pixel_values=None):
        if pixel_values is not None:
            raise RuntimeError("shape mismatch")
        return self.config.vision_start_token_id


def test_a_field_the_config_lacks_is_reported_before_an_input_shape_failure():
    attempts = [{"input_ids": torch.zeros(2, 3)}, {"input_ids": torch.zeros(2, 3), "pixel_values": torch.zeros(2)}]
    _, _, error = _first_working_forward(_MissingConfigField(), attempts)
    assert error.startswith("AttributeError: 'ThinkerConfig' object has no attribute 'vision_start_token_id'")
    assert error.endswith("(inputs: input_ids)")


def test_otherwise_the_last_planned_attempt_is_reported_not_a_channel_fallback():
    class Fails(torch.nn.Module):
        def forward(self, input_values):
            raise RuntimeError(f"rank {input_values.dim()}")

    _, _, error = _first_working_forward(Fails(), [{"input_values": torch.zeros(2, 8)}])
    assert error.startswith("RuntimeError: rank 2")  # the (batch, 1, samples) fallback failed last
