"""Audio input variants: feature masks that follow the feature layout, per-codebook token layouts, audio codes, and
waveforms and features aligned with the frames of an audio codec.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

BATCH = 2  # the input builder's batch and frame count (modelgen.smoke.dummy_inputs.builders.BATCH, AUDIO_FRAMES)
AUDIO_FRAMES = 32
# Masks over the frames of `input_features`, (batch, frames): 1 for a real frame.
FEATURE_MASKS = ("input_features_mask", "feature_attention_mask")
# The waveform samples behind each sample's features, (batch,): frames * `hop_length` (Dots3-Note's audio chunks).
SAMPLE_LENGTHS = ("chunk_sample_lengths", "audio_sample_lengths")
# Per-frame sample counts of a codec's encoder (its total downsampling), most specific first.
_SAMPLES_PER_FRAME = ("samples_per_token", "hop_length", "encoder_hop_length")
# Sizes of a codebook's vocabulary; token ids must stay below every one a config names.
_CODEBOOK_VOCABS = ("codebook_size", "codebook_vocab_size", "audio_vocab_size", "vocab_size")


def audio_variants(attempts: list[dict[str, Any]], config, parameters, model=None) -> list[dict[str, Any]]:
    """The attempts with feature masks added, then the codebook-layout, audio-code, frame-aligned and text-as-long-
    as-the-audio variants, which are tried only after the plain attempts failed."""
    bins = feature_bins(config)  # the per-frame feature count tells the frame axis from the bins axis
    hop = _attribute(config, "hop_length")
    attempts = [_with_feature_masks(inputs, parameters, bins, hop) for inputs in attempts]
    variants = codebook_layouts(attempts, config)
    variants += _with_audio_codes(attempts, config, parameters)
    variants += _frame_aligned(attempts, config, parameters, bins)
    variants += _text_as_long_as_audio(attempts, model)
    variants += _whole_windows(attempts, config, bins)
    variants += _features_as_hidden_states(attempts, config)
    layer = first_feature_layer(model)
    variants += _features_for_first_layer(attempts, layer, bins, parameters)
    variants += _signal_as_hidden_states(attempts, layer, config)
    variants += _with_decoder_values(attempts, parameters, bins)
    return attempts + variants


def _with_decoder_values(attempts: list[dict[str, Any]], parameters, bins: int | None) -> list[dict[str, Any]]:
    """The attempts with the spectrogram frames a speech decoder reads (SpeechT5's text-to-speech
    `decoder_input_values`), (batch, frames, bins), where the forward takes them and the config sizes the bins."""
    if "decoder_input_values" not in parameters or not isinstance(bins, int) or bins <= 0:
        return []
    generator = torch.Generator().manual_seed(8)
    return [dict(inputs, decoder_input_values=torch.randn(BATCH, LATENT_FRAMES, bins, generator=generator))
            for inputs in attempts if "decoder_input_values" not in inputs and "input_ids" in inputs]


def _features_for_first_layer(attempts: list[dict[str, Any]], layer, bins: int | None, parameters=()
                              ) -> list[dict[str, Any]]:
    """Features as wide as the model's first layer reads, where no config field names that width (Granite Speech
    5's encoder stacks delta-expanded frames: a Linear of 4 * `num_mel_bins`): (batch, frames, in_features) for a
    Linear, (batch, in_channels, frames) for a Conv1d, of `AUDIO_FRAMES` frames (fewer than a shrunk position
    table holds), with their feature masks. `layer`: the model's `first_feature_layer`."""
    width = layer.in_features if isinstance(layer, torch.nn.Linear) else getattr(layer, "in_channels", None)
    if not isinstance(width, int) or width == bins:
        return []
    generator = torch.Generator().manual_seed(7)
    variants = []
    for inputs in attempts:
        features = inputs.get("input_features")
        if isinstance(features, torch.Tensor) and features.dim() == 3 and features.is_floating_point():
            shape = (features.shape[0], AUDIO_FRAMES, width) if isinstance(layer, torch.nn.Linear) else (
                features.shape[0], width, AUDIO_FRAMES)
            variant = dict(inputs, input_features=torch.randn(*shape, generator=generator))
            variants.append(_with_feature_masks(variant, [name for name in FEATURE_MASKS if name in inputs], width))
        values = inputs.get("input_values")
        if isinstance(layer, torch.nn.Linear) and isinstance(values, torch.Tensor) and values.dim() == 2:
            # a model built without its speech pre-nets (SpeechT5's bare model) reads frames already embedded, and
            # its decoder as many per step where it takes `decoder_input_values`
            variant = dict(inputs, input_values=torch.randn(values.shape[0], AUDIO_FRAMES, width, generator=generator))
            if "decoder_input_values" in parameters:
                variant["decoder_input_values"] = torch.randn(values.shape[0], LATENT_FRAMES, width, generator=generator)
            variants.append(variant)
    return variants


def _signal_as_hidden_states(attempts: list[dict[str, Any]], layer, config) -> list[dict[str, Any]]:
    """Convolutional codec halves that call their signal `hidden_states` (VibeVoice's encoder reads the waveform,
    its decoder the latents) take it channels-first, as many channels as their first Conv1d reads: of
    `AUDIO_FRAMES` steps, then of a whole codec frame (a shorter waveform is gone before the last stage).
    `layer`: the model's `first_feature_layer`."""
    if not isinstance(layer, torch.nn.Conv1d):
        return []
    hop = _samples_per_frame(config)
    lengths = dict.fromkeys((AUDIO_FRAMES, hop * math.ceil(AUDIO_FRAMES / hop) if hop else AUDIO_FRAMES))
    generator = torch.Generator().manual_seed(7)
    return [dict(inputs, hidden_states=torch.randn(states.shape[0], layer.in_channels, length, generator=generator))
            for length in lengths for inputs in attempts
            if isinstance(states := inputs.get("hidden_states"), torch.Tensor) and states.dim() == 3
            and states.shape[1] != layer.in_channels]


def with_videos(attempts: list[dict[str, Any]], parameters, videos: Callable[[], Any]) -> list[dict[str, Any]]:
    """The audio attempts again with the video the forward optionally takes beside the audio (PE Audio-Video's
    encoder embeds both and fails without the video), tried only after the attempts without it failed."""
    if "pixel_values_videos" not in parameters:
        return attempts
    audio = [inputs for inputs in attempts if "pixel_values_videos" not in inputs
             and any(isinstance(inputs.get(name), torch.Tensor) for name in ("input_values", "input_features"))]
    return attempts + [dict(inputs, pixel_values_videos=videos()) for inputs in audio]


def first_feature_layer(model) -> torch.nn.Module | None:
    """The model's first Linear or Conv1d, in registration order (None for a model that is not a module)."""
    modules = model.modules() if isinstance(model, torch.nn.Module) else ()
    return next((module for module in modules if isinstance(module, (torch.nn.Linear, torch.nn.Conv1d))), None)


def _whole_windows(attempts: list[dict[str, Any]], config, bins: int | None) -> list[dict[str, Any]]:
    """Windowed Whisper-like encoders (Qwen3-ASR: `n_window` frames per half window) take a whole number of windows:
    features of exactly one window, 2 * `n_window` frames, with their masks."""
    window = _attribute(config, "n_window")
    if not isinstance(window, int) or isinstance(window, bool) or window <= 0:
        return []
    variants = []
    for inputs in attempts:
        features = inputs.get("input_features")
        if isinstance(features, torch.Tensor) and features.dim() == 3 and feature_frames(features, bins) != 2 * window:
            variant = dict(inputs, input_features=_with_frames(features, 2 * window, bins))
            variants.append(_with_feature_masks(variant, [name for name in FEATURE_MASKS if name in inputs], bins))
    return variants


def _features_as_hidden_states(attempts: list[dict[str, Any]], config) -> list[dict[str, Any]]:
    """Audio encoders whose forward reads the filter-bank frames as `hidden_states` (Phi-4-multimodal's, `input_size`
    features per frame): (batch, frames, input_size) in place of the model-width states."""
    size = _attribute(config, "input_size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        return []
    generator = torch.Generator().manual_seed(3)
    return [dict(inputs, hidden_states=torch.randn(states.shape[0], AUDIO_FRAMES, size, generator=generator))
            for inputs in attempts if isinstance(states := inputs.get("hidden_states"), torch.Tensor)
            and states.dim() == 3 and states.shape[-1] != size]


def _text_as_long_as_audio(attempts: list[dict[str, Any]], model) -> list[dict[str, Any]]:
    """Models that add one audio embedding to each text position (Voxtral Realtime) need as many text tokens as their
    `get_audio_features` returns audio embeddings per sample: the audio tower is run once to count them."""
    probe = getattr(model, "get_audio_features", None)
    variants = []
    for inputs in attempts if callable(probe) else ():
        ids, features = inputs.get("input_ids"), inputs.get("input_features")
        if not (isinstance(ids, torch.Tensor) and ids.dim() == 2 and isinstance(features, torch.Tensor)):
            continue
        embeds = _audio_embeddings(probe, features)
        if not isinstance(embeds, torch.Tensor) or embeds.dim() != 3 or embeds.shape[0] != ids.shape[0]:
            continue
        length = embeds.shape[1]
        if length != ids.shape[1]:
            longer = ids.repeat(1, math.ceil(length / ids.shape[1]))[:, :length].contiguous()
            variant = dict(inputs, input_ids=longer)
            if "attention_mask" in inputs:
                variant["attention_mask"] = torch.ones_like(longer)
            variants.append(variant)
    return variants


def _audio_embeddings(probe: Callable[..., Any], features: torch.Tensor) -> torch.Tensor | None:
    try:
        with torch.no_grad():
            output = probe(input_features=features)
    except Exception:  # noqa: BLE001 - this layout does not fit the audio tower; another attempt's may
        return None
    return output if isinstance(output, torch.Tensor) else getattr(output, "pooler_output", None)


LATENT_FRAMES = 8


def audio_builders(config, features: Callable[[], torch.Tensor]) -> dict[str, Callable[[], torch.Tensor]]:
    """Builders of the feature masks for forwards that require them (Qwen3-ASR's encoder), sized for the features
    `features` builds (`audio_variants` resizes them to each attempt's features), and of a codec decoder's continuous
    `latents`, (batch, hidden_size, frames) (Mimi's decoder model)."""
    def mask() -> torch.Tensor:
        built = features()
        return torch.ones(built.shape[0], feature_frames(built, feature_bins(config)), dtype=torch.long)

    builders = dict.fromkeys(FEATURE_MASKS, mask)
    hop = _attribute(config, "hop_length")
    if isinstance(hop, int) and not isinstance(hop, bool) and hop > 0:
        def lengths() -> torch.Tensor:
            built = features()
            return torch.full((built.shape[0],), feature_frames(built, feature_bins(config)) * hop, dtype=torch.long)
        builders.update(dict.fromkeys(SAMPLE_LENGTHS, lengths))
    codebooks, vocab = _attribute(config, "num_codebooks"), _codebook_vocab(config)
    if isinstance(codebooks, int) and not isinstance(codebooks, bool) and codebooks > 0 and vocab:
        codes = torch.Generator().manual_seed(5)  # audio token ids, (batch, frames, codebooks) (Inkling's mel tokens)
        builders["audio_input_ids"] = lambda: torch.randint(vocab, (BATCH, LATENT_FRAMES, codebooks), generator=codes)
    width = _attribute(config, "hidden_size")
    if isinstance(width, int) and not isinstance(width, bool) and width > 0:
        generator = torch.Generator().manual_seed(4)
        builders["latents"] = lambda: torch.randn(BATCH, width, LATENT_FRAMES, generator=generator)
    mel_in = _attribute(config, "model_in_dim")  # a vocoder's log-mel input (HiFi-GAN): (batch, frames, model_in_dim)
    if isinstance(mel_in, int) and not isinstance(mel_in, bool) and mel_in > 0:
        mels = torch.Generator().manual_seed(6)
        builders["spectrogram"] = lambda: torch.randn(BATCH, LATENT_FRAMES, mel_in, generator=mels)
    return builders


def _with_feature_masks(inputs: dict[str, Any], parameters, feature_bins: int | None, hop: Any = None
                        ) -> dict[str, Any]:
    """An all-ones frame mask for every feature mask the forward accepts (AudioFlamingo3's encoder and the Qwen
    omni thinkers read the lengths from it, and fail without it), as many frames as the attempt's features; the
    waveform length behind them where the forward takes it (frames * `hop`)."""
    features = inputs.get("input_features")
    names = [name for name in FEATURE_MASKS if name in parameters]
    if not isinstance(features, torch.Tensor) or features.dim() != 3:
        return inputs
    frames = feature_frames(features, feature_bins)
    inputs = dict(inputs, **{name: torch.ones(features.shape[0], frames, dtype=torch.long) for name in names})
    if isinstance(hop, int) and not isinstance(hop, bool) and hop > 0:
        inputs.update({name: torch.full((features.shape[0],), frames * hop, dtype=torch.long)
                       for name in SAMPLE_LENGTHS if name in parameters})
    return inputs


def feature_frames(features: torch.Tensor, feature_bins: int | None) -> int:
    """The frame count of 3-D features laid out (batch, bins, frames) or (batch, frames, bins)."""
    return features.shape[1] if features.shape[2] == feature_bins else features.shape[2]


def _codebook_counts(holder, names: tuple[str, ...]) -> list[int]:
    counts = [getattr(holder, name, None) for name in names]
    return [count for count in counts if isinstance(count, int) and not isinstance(count, bool) and count > 1]


def _codebook_vocab(holder) -> int | None:
    sizes = [getattr(holder, name, None) for name in _CODEBOOK_VOCABS]
    sizes = [size for size in sizes if isinstance(size, int) and not isinstance(size, bool) and size > 0]
    return min(sizes) if sizes else None


def codebook_layouts(attempts: list[dict[str, Any]], config) -> list[dict[str, Any]]:
    """Token ids with one id per codebook per step, (batch, sequence, codebooks): CSM's backbone (`num_codebooks`),
    Kyutai's speech-to-text (a text stream plus `num_codebooks` audio streams), Dia's decoder (`num_channels` in its
    `decoder_config`). Ids stay below every codebook vocabulary the config names."""
    variants = []
    holders = [("input_ids", config, ("num_codebooks",))]  # a top-level `num_channels` counts image channels
    holders += [("decoder_input_ids", getattr(config, name, None), ("num_codebooks", "num_channels"))
                for name in ("decoder", "decoder_config")]
    for name, holder, counted in holders:
        if holder is None:
            continue
        vocab = _codebook_vocab(holder)
        for count in _codebook_counts(holder, counted)[:1]:
            for streams in (count, count + 1):
                for inputs in attempts:
                    ids = inputs.get(name)
                    if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.shape[0] != BATCH:
                        continue  # not the rows per codebook (MusicGen's layout) either
                    layered = _spread(ids, streams, vocab)
                    variants.append(dict(inputs, **{name: layered}))
    return variants


def _spread(ids: torch.Tensor, streams: int, vocab: int | None) -> torch.Tensor:
    """(batch, sequence) ids -> (batch, sequence, streams), a different id per stream, below `vocab`."""
    layered = ids[..., None] + torch.arange(streams)
    return layered % vocab if vocab else layered


def _with_audio_codes(attempts: list[dict[str, Any]], config, parameters) -> list[dict[str, Any]]:
    """Audio codes next to the text (Moshi's `user_audio_codes` and `moshi_audio_codes`): (batch, num_codebooks,
    sequence), one code per text position, below the audio vocabulary."""
    names = [name for name in parameters if name.endswith("audio_codes")]
    count = getattr(config, "num_codebooks", None)
    vocab = next((value for value in (getattr(config, name, None) for name in _CODEBOOK_VOCABS[:3])
                  if isinstance(value, int) and value > 0), None)
    if not names or not isinstance(count, int) or vocab is None:
        return []
    variants = []
    for inputs in attempts:
        ids = inputs.get("input_ids")
        if isinstance(ids, torch.Tensor) and ids.dim() == 2:
            codes = (ids[:, None, :] + torch.arange(count)[None, :, None]) % vocab
            variants.append(dict(inputs, **{name: codes.clone() for name in names}))
    return variants


def _frame_aligned(attempts: list[dict[str, Any]], config, parameters, feature_bins: int | None
                   ) -> list[dict[str, Any]]:
    """Codecs cut the waveform into frames of a fixed sample count (`hop_length`, `samples_per_token`): the waveform
    is padded to a whole number of frames and, where the codec also reads features of the same audio (X-Codec 2's
    semantic encoder), the features get one frame per codec frame."""
    hop = _samples_per_frame(config)
    if hop is None:
        return []
    variants = []
    for inputs in attempts:
        values = inputs.get("input_values")
        if not isinstance(values, torch.Tensor) or values.dim() != 2:
            continue
        frames = math.ceil(values.shape[1] / hop)
        aligned = dict(inputs, input_values=torch.nn.functional.pad(values, (0, frames * hop - values.shape[1])))
        features = inputs.get("input_features")
        if isinstance(features, torch.Tensor) and features.dim() == 3:
            aligned["input_features"] = _with_frames(features, frames, feature_bins)
            for name in FEATURE_MASKS:
                if name in aligned:
                    aligned[name] = torch.ones(features.shape[0], frames, dtype=torch.long)
        variants.append(aligned)
    return variants


def _samples_per_frame(config) -> int | None:
    """A codec's samples per frame, where its config names them."""
    return next((value for value in (_attribute(config, name) for name in _SAMPLES_PER_FRAME)
                 if isinstance(value, int) and not isinstance(value, bool) and value > 1), None)


def _with_frames(features: torch.Tensor, frames: int, feature_bins: int | None) -> torch.Tensor:
    """The features cut or repeated to `frames` frames, in the same layout."""
    axis = 1 if features.shape[2] == feature_bins else 2
    repeats = math.ceil(frames / features.shape[axis])
    return features.repeat_interleave(repeats, dim=axis).narrow(axis, 0, frames).contiguous()


def feature_bins(config) -> int | None:
    """The per-frame feature count of `input_features` as the input builder sizes them."""
    from modelgen.smoke.dummy_inputs import builders as inputs

    mel_bins = inputs._find_nested(config, "num_mel_bins")
    if isinstance(mel_bins, int):
        return mel_bins
    per_channel = inputs._find(config, "input_feat_per_channel")
    if isinstance(per_channel, int):
        return per_channel * (inputs._find(config, "input_channels") or 1)
    sizes = (inputs._find_nested(config, name) for name in inputs._FEATURE_SIZES)
    return next((value for value in sizes if isinstance(value, int) and value), None)


def _attribute(config, name: str):
    """A config attribute, or a property that cannot be computed (None)."""
    try:
        return getattr(config, name, None)
    except Exception:  # noqa: BLE001 - a derived property of a config missing what it derives from
        return None


def none_builders(parameters, required: list[str]) -> dict[str, Callable[[], None]]:
    """None for a required argument annotated as optional (Phi-4-multimodal's audio `mask: Tensor | None`): the
    forward names no default but handles the absence itself."""
    return {name: _none for name in required if _allows_none(parameters[name].annotation)}


def _none() -> None:
    return None


def _allows_none(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.replace(" ", "").endswith("|None") or annotation.startswith(("Optional[", "None|"))
    return type(None) in getattr(annotation, "__args__", ())
