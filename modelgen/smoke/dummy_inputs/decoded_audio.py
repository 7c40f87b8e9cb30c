"""Required inputs of the decoding halves of speech models, which another model feeds: codec codes, spectrograms.

- `codes` (required): codec codes below the config's `codebook_size`, (batch, quantizers, frames), quantizers
  from `num_quantizers` or `num_codebooks` (Qwen3-Omni's Code2Wav turns a talker's codes into a waveform);
- `mel_spectrogram` / `spectrogram` (required): (batch, bins, frames), channels-first as the model's first
  layer, a Conv1d, reads them (Qwen2.5-Omni's BigVGAN vocoder), bins from that layer.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch

from modelgen.smoke.dummy_inputs.audio import first_feature_layer

CODE_FRAMES = 8  # codec frames; each becomes hundreds of samples
SPECTROGRAM_FRAMES = 32
_QUANTIZER_COUNTS = ("num_quantizers", "num_codebooks")
_SPECTROGRAMS = ("mel_spectrogram", "spectrogram")


def decoded_audio_builders(model: torch.nn.Module, parameters: dict[str, inspect.Parameter], config, batch: int
                           ) -> dict[str, Callable[[], Any]]:
    """Builders for the inputs above that the forward requires and the config (or first layer) sizes."""
    required = {name for name, parameter in parameters.items() if parameter.default is inspect.Parameter.empty}
    generator = torch.Generator().manual_seed(9)
    builders: dict[str, Callable[[], Any]] = {}
    quantizers, vocab = _positive(config, _QUANTIZER_COUNTS), _positive(config, ("codebook_size",))
    if "codes" in required and quantizers and vocab:
        builders["codes"] = lambda: torch.randint(vocab, (batch, quantizers, CODE_FRAMES), generator=generator)
    layer = first_feature_layer(model)
    for name in _SPECTROGRAMS:
        if name in required and isinstance(layer, torch.nn.Conv1d):
            builders[name] = lambda: torch.randn(batch, layer.in_channels, SPECTROGRAM_FRAMES, generator=generator)
    return builders


def _positive(config, names: tuple[str, ...]) -> int | None:
    return next((value for value in (getattr(config, name, None) for name in names)
                 if isinstance(value, int) and not isinstance(value, bool) and value > 0), None)
