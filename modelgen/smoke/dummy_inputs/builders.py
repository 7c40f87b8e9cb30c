"""Dummy forward inputs, built from the forward signature and the config.

Two attempts per class: the minimal one (the model's main input, every required argument, an attention mask
and decoder input ids where accepted), then a fuller one that also feeds every other input kind the forward
accepts and that can be built (a CLIP-like model needs both token ids and pixel values). A required argument
no builder knows raises `UnbuildableInput`, which the worker reports as a `skip` with its name.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

import torch

from modelgen.smoke.dummy_inputs import anyres, feature_maps, image_tokens, packed_patches, tiles
from modelgen.smoke.dummy_inputs.audio import audio_builders, audio_variants, none_builders, with_videos
from modelgen.smoke.dummy_inputs.decoded_audio import decoded_audio_builders
from modelgen.smoke.dummy_inputs.feature_width import probed_feature_width
from modelgen.smoke.dummy_inputs.featurisers import featurised_builders
from modelgen.smoke.dummy_inputs.pooled_features import pooled_builders
from modelgen.smoke.dummy_inputs.preprocessed import preprocessed_builders
from modelgen.smoke.dummy_inputs.required import camera_variants, layout_boxes, required_builders
from modelgen.smoke.dummy_inputs.sessions import session_builders

BATCH = 2
SEQUENCE = 7
AUDIO_SAMPLES = 16000  # one second at 16 kHz: enough frames after the feature encoder for TDNN/x-vector heads
AUDIO_FRAMES = 32


class UnbuildableInput(Exception):
    """A required forward argument modelgen cannot build yet."""


def forward_parameters(model: torch.nn.Module) -> dict[str, inspect.Parameter]:
    try:
        parameters = inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        return {}
    return {
        name: parameter
        for name, parameter in parameters.items()
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    }


def input_attempts(model: torch.nn.Module, config, choices: bool = False) -> list[dict[str, Any]]:
    """The input sets to try, in order (a second, fuller set only when it differs from the first).
    `choices`: multiple-choice heads take token inputs shaped (batch, choices, sequence)."""
    parameters = forward_parameters(model)
    builders = _builders(config, model)
    main = getattr(model, "main_input_name", "input_ids")
    _adapt_builders(builders, config, main, parameters)
    features = _feature_builder(model, config, main, parameters)
    builders.update({"hidden_states": features} if features is not None else {})
    sessions = session_builders(model, parameters, config, _image_size(config), _find(config, "num_channels") or 3,
                                builders["input_ids"])  # video trackers: a fresh session per forward
    builders.update(sessions)
    preprocessed = preprocessed_builders(model, _width(config), BATCH, SEQUENCE)  # Perceiver's `inputs`
    preprocessed.update(pooled_builders(model, parameters, _seeded()))  # features pooled as a processor says
    builders.update(preprocessed)
    extra = required_builders(model, parameters, config, BATCH, SEQUENCE, builders["input_ids"])  # embeds, marks
    extra.update(decoded_audio_builders(model, parameters, config, BATCH))  # codes, spectrograms
    extra = {name: builder for name, builder in extra.items() if name not in builders}  # never in place of one
    builders.update(extra)
    required = [name for name, parameter in parameters.items() if parameter.default is inspect.Parameter.empty]
    unbuilt = [name for name in required if name not in builders]
    featurised = featurised_builders(model, parameters, unbuilt) if unbuilt else {}  # ESMFold 2's structure
    builders.update(featurised)  # features: one consistent set in place of the generic builders
    builders = {**none_builders(parameters, required), **builders}  # required, but typed `X | None`: None
    wanted = [*(main if isinstance(main, (list, tuple)) else [main]), *required]
    if "input_ids" in wanted or "input_ids" in required:
        wanted.append("attention_mask")
    wanted.append("decoder_input_ids")
    wanted += ["noise", "noise_sequence"]  # noise the forward draws unless given (masked autoencoders, vocoders)
    wanted += [*sessions, *preprocessed, *extra, *featurised]
    wanted += ["context_input_ids", "context_attention_mask", "doc_scores"]  # built only for retrieval configs
    minimal = _build([name for name in dict.fromkeys(wanted) if name in parameters], builders, required)
    fuller_names = [*minimal, *(name for name in _FULL_KINDS if name in parameters)]
    if "input_ids" in fuller_names:
        fuller_names.append("attention_mask")
    if _find(config, "encoder_hidden_size") is not None:  # cross-attention layers (BLIP-2's Q-Former) need them
        fuller_names.append("encoder_hidden_states")
    fuller = _build([name for name in dict.fromkeys(fuller_names) if name in parameters], builders, required)
    if not fuller:
        accepted = ", ".join(parameters) or "nothing"
        raise UnbuildableInput(f"none of the inputs the forward accepts can be built yet ({accepted})"[:300])
    attempts = [minimal] if fuller.keys() == minimal.keys() else [minimal, fuller]
    with_images = _with_image_tokens(fuller, config, parameters)
    if with_images is not None:
        attempts.append(with_images)
        # then the count the model's own image features give (towers that downsample as no config says) and, for
        # any-resolution tilings, one placeholder per image (4.x LLaVA-NeXT expands it itself)
        computed = with_images["input_ids"].shape[1] - fuller["input_ids"].shape[1]
        counts = (image_tokens.measured_count(model, fuller), 1 if "image_sizes" in fuller else None)
        attempts += [_with_image_tokens(fuller, config, parameters, count)
                     for count in dict.fromkeys(counts) if count is not None and count != computed]
    with_positions = _with_image_positions(fuller, config, parameters)
    if with_positions is not None:
        attempts.append(with_positions)
    attempts = attempts[:-1] + packed_patches.layout_variants(attempts, config, _find) + attempts[-1:]
    attempts += feature_maps.patch_rows(model, attempts, _find(config, "num_channels") or 3, _patch(config),
                                        _patch_count(config), torch.Generator().manual_seed(4))  # cut patches
    attempts += feature_maps.ids_within_lookups(model, attempts)  # ids that index a smaller table (ESMFold)
    attempts += _transposed_features(attempts)
    attempts += _per_codebook(attempts, config)
    attempts = audio_variants(attempts, config, parameters, model)  # feature masks, codebook layouts, codec frames
    attempts = camera_variants(attempts, config, parameters)  # images from several cameras (PI0's prefix)
    if not isinstance(_temporal_patch(config), int):  # whole videos; flattened patches (Qwen-Omni) need their grid
        attempts = with_videos(attempts, parameters, builders["pixel_values_videos"])  # audio-video encoders
    if "inputs_embeds" in parameters and _encoder_without_embeddings(model):
        attempts += [_embedded(inputs, builders, parameters) for inputs in list(attempts)
                     if "input_ids" in inputs and inputs["input_ids"].dim() == 2]
    frames = _find(config, "num_frames")
    if isinstance(frames, int) and frames > 0:  # video models: (batch, frames, channels, height, width)
        images = [inputs for inputs in attempts if getattr(inputs.get("pixel_values"), "dim", lambda: 0)() == 4]
        # per-frame vision towers (X-CLIP) take the frames folded into the batch: (batch * frames, channels, h, w);
        # tried before the whole videos, so a model that fails every way reports its failure on a video
        attempts += [dict(inputs, pixel_values=_as_video(inputs["pixel_values"], frames).flatten(0, 1))
                     for inputs in images]
        attempts += [dict(inputs, pixel_values=_as_video(inputs["pixel_values"], frames)) for inputs in images]
    else:
        attempts = _with_image_groups(attempts, parameters)
    attempts = feature_maps.with_larger_images(attempts, _names_image_size(config), features is not None,
                                               torch.Generator().manual_seed(3))
    if choices:
        attempts = [{name: _as_choices(name, value) for name, value in inputs.items()} for inputs in attempts]
    return attempts


def _feature_builder(model: torch.nn.Module, config, main, parameters) -> Callable[[], Any] | None:
    """`hidden_states` for a module whose main input is images but that reads a backbone's features."""
    if main != "pixel_values" or "pixel_values" in parameters or "hidden_states" not in parameters:
        return None
    return feature_maps.feature_builder(model, _find(config, "num_channels") or 3, _image_size(config), BATCH,
                                        SEQUENCE, torch.Generator().manual_seed(2))


_IMAGE_SIZE_NAMES = ("image_size", "img_size", "crop_size")


def _named_image_size(config) -> Any:
    """The config's image size: one of `_IMAGE_SIZE_NAMES`, here or in a sub-config, else a prefixed one of its
    own (TVP's `max_img_size`, the frame size its pad prompts are built for)."""
    found = next((value for value in (_find(config, name) for name in _IMAGE_SIZE_NAMES) if value is not None),
                 None)
    if found is not None:
        return found
    return next((value for name, value in (vars(config).items() if hasattr(config, "__dict__") else ())
                 if name.endswith(tuple(f"_{size}" for size in _IMAGE_SIZE_NAMES)) and isinstance(value, int)
                 and not isinstance(value, bool)), None)


def _names_image_size(config) -> bool:
    return _named_image_size(config) is not None


def _per_codebook(attempts: list[dict[str, Any]], config) -> list[dict[str, Any]]:
    """Multi-codebook audio decoders (MusicGen) read one token row per codebook: (batch * num_codebooks, sequence)
    token ids for the decoder whose config names `num_codebooks`, decoder ids for a composite config's decoder."""
    variants = []
    for name, holder in (("input_ids", config), ("decoder_input_ids", getattr(config, "decoder", None))):
        codebooks = getattr(holder, "num_codebooks", None)
        if isinstance(codebooks, int) and codebooks > 1:
            variants += [dict(inputs, **{name: inputs[name].repeat_interleave(codebooks, dim=0)})
                         for inputs in attempts if getattr(inputs.get(name), "dim", lambda: 0)() == 2]
    return variants


def _embedded(inputs: dict[str, Any], builders: dict[str, Callable[[], Any]], parameters) -> dict[str, Any]:
    """`inputs_embeds` in place of the token ids, for encoders built without token embeddings (SeamlessM4T's
    text-to-unit model, a bare MT5Stack); no cache, which such a stack refuses unless it is a decoder."""
    embedded = {("inputs_embeds" if name == "input_ids" else name): value for name, value in inputs.items()}
    embedded["inputs_embeds"] = builders["inputs_embeds"]()
    if "use_cache" in parameters:
        embedded["use_cache"] = False
    return embedded


def _encoder_without_embeddings(model: torch.nn.Module) -> bool:
    """An encoder with no token embeddings of its own takes `inputs_embeds` only."""
    try:
        encoder = model.get_encoder() if callable(getattr(model, "get_encoder", None)) else model
        return encoder.get_input_embeddings() is None
    except NotImplementedError:
        return True
    except Exception:  # noqa: BLE001 - a model that cannot say is assumed to have them
        return False


def _seeded() -> torch.Generator:
    return torch.Generator().manual_seed(1)


def _adapt_builders(builders: dict[str, Callable[[], Any]], config, main, parameters) -> None:
    """Builders that depend on the model as well as the config."""
    for name, builder in _prompt_builders(config, parameters).items():
        builders.setdefault(name, builder)
    if "grid_thw" not in builders:  # a packed vision tower that names no temporal patch (SigLIP-2-like patches)
        builders.update(packed_patches.packed_builders(config, parameters, _find, BATCH, _seeded()))
    for packed_kind in (packed_patches.spatial_builders, packed_patches.strip_builders,
                        packed_patches.positioned_builders):
        builders.update(packed_kind(config, parameters, _find, BATCH, _seeded()))
    for image_kind in (tiles.tile_builders, anyres.anyres_builders):
        builders.update(image_kind(config, parameters, _find, BATCH, _image_size(config), _seeded()))
    for name in packed_patches.MERGE_NAMES:
        builders.setdefault(name, lambda: torch.full((BATCH,), packed_patches.merge_size(config, _find)))
    if main == "pixel_values" and "pixel_values" not in parameters:  # images under another name (Florence-2's
        builders["hidden_states"] = builders["pixel_values"]  # vision backbone)
    if "prompt_pixel_values" in parameters:  # in-context segmentation (SegGPT) stacks prompt and input along the
        for name in ("pixel_values", "prompt_pixel_values", "prompt_masks"):  # height: each is half the image
            builders[name] = _top_half(builders[name])
    codebooks = getattr(config, "n_codes_total", None)
    if "codebook_idx" in parameters and isinstance(codebooks, int):  # Bark's fine model: one id per codebook per
        tokens = builders["input_ids"]  # step, predicting the first codebook after the given ones
        builders["input_ids"] = lambda: tokens()[..., None].expand(-1, -1, codebooks).contiguous()
        builders["codebook_idx"] = lambda: getattr(config, "n_codes_given", None) or 1


def _top_half(builder: Callable[[], Any]) -> Callable[[], Any]:
    def build() -> torch.Tensor:
        image = builder()
        return image[..., : image.shape[-2] // 2, :].contiguous()
    return build


IMAGES_PER_SAMPLE = (1, 2)  # one image (a one-frame video); an image pair (LightGlue matches two images)


def _with_image_groups(attempts: list[dict[str, Any]], parameters) -> list[dict[str, Any]]:
    """A group of images per sample, (batch, images, channels, height, width): IDEFICS's interleaved images (each
    text token told which images it sees: `image_attention_mask`), InstructBLIP-Video's frames (no `num_frames` in
    its config), LightGlue's image pairs. Tried before the last attempt, so that a model that fails either way
    still reports the failure of its fullest single-image input."""
    groups = []
    for count in IMAGES_PER_SAMPLE:
        for inputs in attempts:
            if getattr(inputs.get("pixel_values"), "dim", lambda: 0)() != 4:
                continue
            group = dict(inputs, pixel_values=_as_video(inputs["pixel_values"], count))
            if "image_attention_mask" in parameters and "input_ids" in inputs:
                group["image_attention_mask"] = torch.ones(*inputs["input_ids"].shape, count, dtype=torch.long)
            groups.append(group)
    return attempts[:-1] + groups + attempts[-1:] if groups else attempts


def _as_choices(name: str, value: Any) -> Any:
    if name in _TOKEN_SHAPED and isinstance(value, torch.Tensor):
        return value.unsqueeze(1).expand(value.shape[0], CHOICES, *value.shape[1:]).contiguous()
    return value


_TOKEN_SHAPED = ("input_ids", "attention_mask", "token_type_ids", "bbox", "global_attention_mask")
CHOICES = 2
FALLBACK_VOCAB = 32


_FULL_KINDS = ("input_ids", "pixel_values", "input_features", "input_values", "bbox", "token_type_ids",
               "image_grid_thw", "grid_thw", "spatial_shapes", "pixel_attention_mask", "target_sizes",
               "image_sizes", "future_values", "future_time_features", "static_categorical_features",
               "static_real_features", "states", "actions", "rewards", "returns_to_go", "timesteps", "noise",
               "visual_feats", "visual_pos", "visual_embeds", "visual_attention_mask", "region_to_phrase_position",
               "question_positions", "global_attention_mask", "entity_ids", "entity_attention_mask",
               "entity_position_ids", "entity_start_positions", "entity_end_positions")


def _as_video(pixel_values: torch.Tensor, frames: int) -> torch.Tensor:
    return pixel_values[:, None].expand(-1, frames, -1, -1, -1).contiguous()


def _with_image_positions(inputs: dict[str, Any], config, parameters) -> dict[str, Any] | None:
    """Kosmos-2-like models write their `latent_query_num` image embeddings over the text positions that
    `image_embeds_position_mask` marks: prefix the text with that many positions and mark them."""
    count = _find(config, "latent_query_num")
    if ("image_embeds_position_mask" not in parameters or not isinstance(count, int) or "pixel_values" not in inputs
            or "input_ids" not in inputs):
        return None
    ids = inputs["input_ids"]
    extended = dict(inputs, input_ids=torch.cat([ids[:, :1].expand(-1, count), ids], dim=1))
    extended["image_embeds_position_mask"] = torch.cat(
        [torch.ones(ids.shape[0], count, dtype=torch.long), torch.zeros_like(ids)], dim=1)
    if "attention_mask" in inputs:
        extended["attention_mask"] = torch.ones_like(extended["input_ids"])
    return extended


# the placeholder a vision-language model overwrites with vision features; a video model's (InstructBLIP-Video) last
_PLACEHOLDER_TOKENS = ("image_token_id", "image_token_index", "video_token_id", "video_token_index")


def _with_image_tokens(inputs: dict[str, Any], config, parameters=(), count: int | None = None
                       ) -> dict[str, Any] | None:
    """Vision-language models (LLaVA-like) need one image token per image feature in the text: prefix each
    sequence with (image size / patch size)^2 image tokens, the count the vision tower produces."""
    token = next((value for name in _PLACEHOLDER_TOKENS if isinstance(value := _find(config, name), int)), None)
    vision = getattr(config, "vision_config", None)
    if not isinstance(token, int) or "pixel_values" not in inputs or "input_ids" not in inputs or vision is None:
        return None
    if count is None and "image_grid_thw" in inputs:  # flattened patches, merged spatial_merge_size^2 per token
        count = PATCH_GRID * PATCH_GRID // (_find(config, "spatial_merge_size") or 1) ** 2
    elif count is None:
        count = (getattr(config, "image_seq_length", None) or getattr(config, "num_query_tokens", None)
                 or (_image_size(vision)[0] // _patch(vision)) ** 2)  # BLIP-2: one token per Q-Former query
    batch = inputs["input_ids"].shape[0]
    prefix = torch.full((batch, count), token, dtype=inputs["input_ids"].dtype)
    extended = dict(inputs, input_ids=torch.cat([prefix, inputs["input_ids"]], dim=1))
    if "attention_mask" in inputs:
        extended["attention_mask"] = torch.ones_like(extended["input_ids"])
    if "mm_token_type_ids" in parameters:  # which tokens are image tokens (multimodal RoPE)
        extended["mm_token_type_ids"] = (extended["input_ids"] == token).long()
    return extended


def _patch(vision_config) -> int:
    patch = getattr(vision_config, "patch_size", None) or 1
    return int(patch[0] if isinstance(patch, (list, tuple)) else patch)


def _build(names: list[str], builders: dict[str, Callable[[], Any]], required: list[str]) -> dict[str, Any]:
    inputs = {}
    for name in names:
        builder = builders.get(name)
        if builder is None:
            if name in required:
                raise UnbuildableInput(f"cannot build the required input {name!r} yet")
            continue
        try:
            inputs[name] = builder()
        except UnbuildableInput:
            if name in required:
                raise
    return inputs


def _builders(config, model: torch.nn.Module | None = None) -> dict[str, Callable[[], Any]]:
    generator = torch.Generator().manual_seed(0)
    image = feature_maps.fixed_input_size(model) or _image_size(config)
    # probed once, on first need: the feature masks' builders build the features again
    probed_width = functools.cache(lambda: probed_feature_width(model, config, BATCH, AUDIO_FRAMES)
                                   if model is not None else None)
    channels = _find(config, "num_channels") or 3
    builders = {
        "input_ids": lambda: _token_ids(config, _text_vocab(config), generator),
        "decoder_input_ids": lambda: _token_ids(config, _find(config, "decoder_vocab_size") or _text_vocab(config),
                                                generator),
        "attention_mask": lambda: torch.ones(BATCH, SEQUENCE, dtype=torch.long),
        "qformer_input_ids": lambda: _token_ids(config, getattr(getattr(config, "qformer_config", None), "vocab_size",
                                                                None) or _text_vocab(config), generator),
        "qformer_attention_mask": lambda: torch.ones(BATCH, SEQUENCE, dtype=torch.long),
        "token_type_ids": lambda: torch.zeros(BATCH, SEQUENCE, dtype=torch.long),
        "pixel_values": lambda: torch.rand(BATCH, channels, *image, generator=generator),
        "pixel_mask": lambda: torch.ones(BATCH, *image, dtype=torch.long),
        "input_values": lambda: _audio_values(config, generator),
        "input_features": lambda: _audio_features(config, generator, probed_width),
        "bbox": lambda: layout_boxes(BATCH, SEQUENCE),
    }
    builders.update(audio_builders(config, builders["input_features"]))  # frame masks, codec latents
    encoder = getattr(config, "encoder", None)
    if encoder is not None and hasattr(encoder, "to_dict"):  # speech encoder-decoders read `inputs`: their encoder's
        builders["inputs"] = lambda: _encoder_inputs(encoder, generator)
    if isinstance(_temporal_patch(config), int):  # Qwen-VL-like: flattened patches plus their grid
        builders.update({
            "pixel_values": lambda: _flat_patches(config, generator),
            "hidden_states": lambda: _flat_patches(config, generator),
            "grid_thw": lambda: _patch_grid(),
            "image_grid_thw": lambda: _patch_grid(),
        })
    if isinstance(getattr(config, "context_length", None), int):
        builders.update(_series_builders(config, generator))
    if isinstance(getattr(config, "state_dim", None), int) and isinstance(getattr(config, "act_dim", None), int):
        builders.update(_trajectory_builders(config, generator))
    for name, builder in _embedding_builders(config, generator).items():
        builders.setdefault(name, builder)  # flattened patches (Qwen-VL) keep their own `hidden_states`
    if getattr(config, "mask_ratio", None) is not None:
        builders["noise"] = lambda: torch.rand(BATCH, _mask_units(config), generator=generator)
    builders.update(_vision_extras(config, generator, image))
    builders.update(_region_builders(config, generator))
    builders.update(_span_builders(config))
    if isinstance(getattr(config, "input_feat_size", None), int):  # Gemma 3n's audio encoder: mel frames and a
        builders["audio_mel"] = lambda: torch.randn(BATCH, AUDIO_FRAMES, config.input_feat_size, generator=generator)
        builders["audio_mel_mask"] = lambda: torch.zeros(BATCH, AUDIO_FRAMES, dtype=torch.bool)  # True: padding
    if isinstance(getattr(config, "model_in_channels", None), int):  # vocoders (UnivNet) draw it unless given
        builders["noise_sequence"] = lambda: torch.randn(BATCH, _mel_frames(config), config.model_in_channels,
                                                         generator=generator)
    if isinstance(_find(config, "patch_embed_hidden_size"), int):
        builders["flattened_patches"] = lambda: _flattened_patches(config, generator)
    for name in ("spkr_id", "speaker_id", "lang_id"):  # vocoder conditioning ids, (batch, 1); id 0 always exists
        builders[name] = lambda: torch.zeros(BATCH, 1, dtype=torch.long)
    docs = getattr(config, "n_docs", None)
    if isinstance(docs, int) and docs > 0:  # retrieval-augmented (RAG) without a retriever: the retrieved passages
        passages = builders["decoder_input_ids"]  # in the generator's vocabulary, `n_docs` per question, and scores
        builders["context_input_ids"] = lambda: passages().repeat_interleave(docs, dim=0)
        builders["context_attention_mask"] = lambda: torch.ones(BATCH * docs, SEQUENCE, dtype=torch.long)
        builders["doc_scores"] = lambda: torch.randn(BATCH, docs, generator=generator)
    return builders


def _width(config) -> int:
    return _find(config, "hidden_size") or _find(config, "d_model") or _find(config, "n_embd") or 32


def _embedding_builders(config, generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """Inputs that are already embeddings, for sub-models fed by another one (FLAVA's multimodal encoder, BLIP-2's
    Q-Former): a short sequence of the model width; cross-attention states of `encoder_hidden_size` where named."""
    width = _width(config)
    given = getattr(config, "input_dim", None)  # an encoder fed features of its own size (Granite Speech's CTC one)
    return {
        "hidden_states": lambda: torch.randn(BATCH, SEQUENCE, given if isinstance(given, int) else width,
                                             generator=generator),
        "query_embeds": lambda: torch.randn(BATCH, SEQUENCE, width, generator=generator),
        "inputs_embeds": lambda: torch.randn(BATCH, SEQUENCE, width, generator=generator),
        "encoder_hidden_states": lambda: _encoder_states(config, generator),
    }


def _encoder_states(config, generator: torch.Generator) -> Any:
    """(batch, sequence, encoder width); for a decode head over a hierarchical encoder (per-stage `hidden_sizes`,
    SegFormer) one feature map per stage, each half the size of the one before."""
    stages = getattr(config, "hidden_sizes", None)
    if isinstance(stages, (list, tuple)) and stages and all(isinstance(size, int) for size in stages):
        return [torch.randn(BATCH, size, max(1, 8 >> index), max(1, 8 >> index), generator=generator)
                for index, size in enumerate(stages)]
    width = _find(config, "encoder_hidden_size") or _width(config)
    return torch.randn(BATCH, SEQUENCE, width, generator=generator)


def _trajectory_builders(config, generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """Offline reinforcement learning (Decision Transformer): per step a state, an action, a reward, a return to go
    and a time step below `max_ep_len`."""
    state, action = config.state_dim, config.act_dim
    return {
        "states": lambda: torch.randn(BATCH, SEQUENCE, state, generator=generator),
        "actions": lambda: torch.randn(BATCH, SEQUENCE, action, generator=generator),
        "rewards": lambda: torch.randn(BATCH, SEQUENCE, 1, generator=generator),
        "returns_to_go": lambda: torch.randn(BATCH, SEQUENCE, 1, generator=generator),
        "timesteps": lambda: torch.arange(SEQUENCE).expand(BATCH, SEQUENCE).contiguous(),
        "attention_mask": lambda: torch.ones(BATCH, SEQUENCE, dtype=torch.long),
    }


def _vision_extras(config, generator: torch.Generator, image: tuple[int, int]) -> dict[str, Callable[[], Any]]:
    """Videos (batch, frames, channels, height, width) of `image`-sized frames; in-context prompts (SegGPT) shaped
    like the image; a patch mask hiding every other patch (the same count per sample, as masked video pretraining
    requires)."""
    channels = _find(config, "num_channels") or _find(config, "in_chans") or 3
    frames = _find(config, "num_frames") or _find(config, "frames_per_clip") or 2
    return {
        "pixel_values_videos": lambda: torch.rand(BATCH, frames, channels, *image, generator=generator),
        "prompt_pixel_values": lambda: torch.rand(BATCH, channels, *image, generator=generator),
        "prompt_masks": lambda: torch.rand(BATCH, channels, *image, generator=generator),
        "bool_masked_pos": lambda: (torch.arange(_patch_count(config)) % 2 == 1).expand(BATCH, -1).contiguous(),
    }


REGIONS = 3  # detected image regions fed to region-feature vision-language models
ENTITIES = 2


def _region_builders(config, generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """Region features from an external detector (LXMERT: `visual_feat_dim` features plus `visual_pos_dim` box
    coordinates; VisualBERT: `visual_embedding_dim` embeddings) and, for phrase grounding, which position each
    text and region token points at (position 0 for all)."""
    builders = {}
    features, boxes = getattr(config, "visual_feat_dim", None), getattr(config, "visual_pos_dim", None)
    if isinstance(features, int):
        builders["visual_feats"] = lambda: torch.randn(BATCH, REGIONS, features, generator=generator)
        builders["visual_pos"] = lambda: torch.rand(BATCH, REGIONS, boxes or 4, generator=generator)
    embeds = getattr(config, "visual_embedding_dim", None)
    if isinstance(embeds, int):
        builders["visual_embeds"] = lambda: torch.randn(BATCH, REGIONS, embeds, generator=generator)
        builders["region_to_phrase_position"] = lambda: torch.zeros(BATCH, SEQUENCE + REGIONS, dtype=torch.long)
        builders["visual_attention_mask"] = lambda: torch.ones(BATCH, REGIONS, dtype=torch.long)
    return builders


def _prompt_builders(config, parameters) -> dict[str, Callable[[], Any]]:
    """Text prompts under other names: `<group>_input_ids` with their `<group>_attention_mask` (OmDet-Turbo's class
    names and task), one `<group>` row per sample where the forward asks how many each has (`<group>_structure`);
    `<name>_inputs` of the config's `<name>_seq_len` tokens (OneFormer's task prompt)."""
    generator = torch.Generator().manual_seed(2)
    builders: dict[str, Callable[[], Any]] = {}
    for name in parameters:
        group = name.removesuffix("_input_ids")
        if group != name and group:
            builders[name] = lambda: _token_ids(config, _text_vocab(config), generator)
            builders[f"{group}_attention_mask"] = lambda: torch.ones(BATCH, SEQUENCE, dtype=torch.long)
            builders[f"{group}_structure"] = lambda: torch.ones(BATCH, dtype=torch.long)
        length = getattr(config, name.removesuffix("_inputs") + "_seq_len", None)
        if name.endswith("_inputs") and isinstance(length, int) and not isinstance(length, bool) and length > 0:
            builders[name] = lambda length=length: torch.randint(_text_vocab(config), (BATCH, length), generator=generator)
    return builders


def _span_builders(config) -> dict[str, Callable[[], Any]]:
    """Positions inside the token sequence: global attention on the first token (Longformer, which otherwise
    looks for separator tokens), one question position (Splinter, which otherwise looks for question tokens) and,
    where there is an entity vocabulary (LUKE), two entities over tokens 1-2 and 3-4."""
    first_token = torch.zeros(BATCH, SEQUENCE, dtype=torch.long)
    first_token[:, 0] = 1
    builders = {
        "global_attention_mask": lambda: first_token.clone(),
        "question_positions": lambda: torch.ones(BATCH, 1, dtype=torch.long),
    }
    if isinstance(getattr(config, "entity_vocab_size", None), int):
        starts, ends = torch.tensor([1, 3]), torch.tensor([2, 4])
        spans = torch.stack([starts, ends], dim=-1)  # (entities, tokens per mention)
        builders.update({
            "entity_ids": lambda: torch.tensor([1, 2]).expand(BATCH, ENTITIES).contiguous(),
            "entity_attention_mask": lambda: torch.ones(BATCH, ENTITIES, dtype=torch.long),
            "entity_token_type_ids": lambda: torch.zeros(BATCH, ENTITIES, dtype=torch.long),
            "entity_position_ids": lambda: spans.expand(BATCH, -1, -1).contiguous(),
            "entity_start_positions": lambda: starts.expand(BATCH, -1).contiguous(),
            "entity_end_positions": lambda: ends.expand(BATCH, -1).contiguous(),
        })
    return builders


def _flattened_patches(config, generator: torch.Generator) -> torch.Tensor:
    """Pix2Struct-like variable-resolution patches: per patch its row and column index, then its
    `patch_embed_hidden_size` pixel values."""
    features = torch.rand(BATCH, SEQUENCE, _find(config, "patch_embed_hidden_size"), generator=generator)
    rows = torch.arange(SEQUENCE, dtype=features.dtype) // 4 + 1
    columns = torch.arange(SEQUENCE, dtype=features.dtype) % 4 + 1
    positions = torch.stack([rows, columns], dim=-1).expand(BATCH, -1, -1)
    return torch.cat([positions, features], dim=-1)


def _patch_count(config) -> int:
    """Patches per image, times the temporal patches (`num_frames / tubelet_size`) of a video model."""
    image, patch = _image_size(config), _patch(config)
    count = (image[0] // patch) * (image[1] // patch)
    frames, tubelet = _find(config, "num_frames"), _find(config, "tubelet_size")
    if isinstance(frames, int) and isinstance(tubelet, int) and tubelet:
        count *= frames // tubelet
    return count


def _mask_units(config) -> int:
    """How many units a masked autoencoder draws masking noise for: patches ((image / patch)^2, ViT-MAE), or mask
    units of `masked_unit_size` tokens after the `patch_stride` (Hiera)."""
    image, units = _image_size(config), getattr(config, "masked_unit_size", None)
    strides = _find(config, "patch_stride")
    if isinstance(units, (list, tuple)) and isinstance(strides, (list, tuple)):
        return math.prod(size // stride // unit for size, stride, unit in zip(image, strides, units))
    return (image[0] // _patch(config)) * (image[1] // _patch(config))


def _series_builders(config, generator: torch.Generator) -> dict[str, Callable[[], Any]]:
    """Time-series forecasters: a past window of `context_length` plus the largest lag (lagged features read back
    that far), a future window of `prediction_length`, `num_time_features` covariates per step and one value per
    static feature (category 0 is inside every cardinality)."""
    lags = getattr(config, "lags_sequence", None) or [0]
    past, future = config.context_length + max(lags), getattr(config, "prediction_length", None) or 1
    time_features = getattr(config, "num_time_features", None) or 0
    builders = {
        "past_values": lambda: torch.rand(_series_shape(config, past), generator=generator) + 0.5,
        "past_observed_mask": lambda: torch.ones(_series_shape(config, past)),
        "past_values_padding": lambda: torch.zeros(_series_shape(config, past)),  # TimesFM: 1 marks padding
        "past_time_features": lambda: torch.rand(BATCH, past, time_features, generator=generator),
        "future_values": lambda: torch.rand(_series_shape(config, future), generator=generator) + 0.5,
        "future_time_features": lambda: torch.rand(BATCH, future, time_features, generator=generator),
    }
    categorical, real = (getattr(config, f"num_static_{kind}_features", None) or 0 for kind in ("categorical", "real"))
    if categorical:
        builders["static_categorical_features"] = lambda: torch.zeros(BATCH, categorical, dtype=torch.long)
    if real:
        builders["static_real_features"] = lambda: torch.rand(BATCH, real, generator=generator)
    if isinstance(getattr(config, "freq_size", None), int):  # TimesFM: one frequency class per series, (batch, 1)
        builders["freq"] = lambda: torch.zeros(BATCH, 1, dtype=torch.long)
    return builders


def _series_shape(config, length: int) -> tuple[int, ...]:
    """(batch, length, channels) for channel-wise models (`num_input_channels`), (batch, length) for univariate
    lag-based ones (`input_size` 1), (batch, length, input_size) for multivariate ones."""
    channels = getattr(config, "num_input_channels", None)
    if isinstance(channels, int):
        return BATCH, length, channels
    size = getattr(config, "input_size", None) or 1
    return (BATCH, length) if size == 1 else (BATCH, length, size)


PATCH_GRID = 4  # patches per side of each image in the flattened (Qwen-VL-like) format; a multiple of the merge size


def _patch_grid() -> torch.Tensor:
    return torch.tensor([[1, PATCH_GRID, PATCH_GRID]] * BATCH)


def _temporal_patch(config) -> int | None:
    """Frames per flattened patch (`temporal_patch_size` in Qwen-VL, `patch_temporal` in Muse Glimmer)."""
    return _find(config, "temporal_patch_size") or _find(config, "patch_temporal")


def _flat_patches(config, generator: torch.Generator) -> torch.Tensor:
    channels = _find(config, "in_channels") or _find(config, "num_channels") or 3
    patch = _find(config, "patch_size")
    patch = patch[0] if isinstance(patch, (list, tuple)) else patch
    features = channels * _temporal_patch(config) * patch * patch
    return torch.randn(BATCH * PATCH_GRID * PATCH_GRID, features, generator=generator)


def _find(config, name: str):
    """An attribute of the config or, failing that, of its text/vision/audio/encoder sub-configs."""
    value = getattr(config, name, None)
    if value is not None:
        return value
    for sub in ("text_config", "vision_config", "audio_config", "encoder", "backbone_config"):
        nested = getattr(config, sub, None)
        if nested is not None and getattr(nested, name, None) is not None:
            return getattr(nested, name)
    return None


def _text_vocab(config) -> int:
    """`vocab_size`, else the smallest `*_vocab_size` (source/target vocabularies), else a small id range for
    models that hash or embed code points without a vocabulary."""
    vocab = _find(config, "vocab_size")
    if isinstance(vocab, int):
        return vocab
    others = [value for name, value in vars(config).items()
              if name.endswith("vocab_size") and isinstance(value, int) and not isinstance(value, bool)]
    return min(others) if others else FALLBACK_VOCAB


def special_token_ids(config) -> set[int]:
    ids: set[int] = set()
    holders = (config, getattr(config, "text_config", None), getattr(config, "decoder", None))
    for holder in (holder for holder in holders if hasattr(holder, "__dict__")):
        for name, value in vars(holder).items():
            if name.endswith(("token_id", "token_ids", "token_index", "token_idx")):
                for item in value if isinstance(value, (list, tuple)) else [value]:
                    if isinstance(item, int) and not isinstance(item, bool):
                        ids.add(item)
    return ids


def _token_ids(config, vocab: int, generator: torch.Generator) -> torch.Tensor:
    """Ids that avoid every special token, each sequence ending with the end-of-sequence token where there is one
    (sequence classification heads of encoder-decoder models pool at the last `eos`)."""
    specials = special_token_ids(config)
    allowed = torch.tensor([token for token in range(vocab) if token not in specials] or list(range(vocab)))
    ids = allowed[torch.randint(len(allowed), (BATCH, SEQUENCE), generator=generator)]
    eos = getattr(config, "eos_token_id", None)
    if isinstance(eos, list):
        eos = eos[0] if eos else None
    if isinstance(eos, int) and 0 <= eos < vocab:
        ids[:, -1] = eos
    return ids


def _latent_grid_image(config) -> int | None:
    """A VQ-GAN encoder that names no image size (Janus's VQ-VAE) halves the image at each stage of its
    `channel_multiplier` after the first, down to a latent grid of `num_patches` per side."""
    patches, stages = getattr(config, "num_patches", None), getattr(config, "channel_multiplier", None)
    if isinstance(patches, int) and isinstance(stages, (list, tuple)) and stages:
        return patches * 2 ** (len(stages) - 1)
    return None


def _image_size(config) -> tuple[int, int]:
    size = _named_image_size(config) or _latent_grid_image(config) or 32
    if isinstance(size, (list, tuple)):
        return int(size[-2]), int(size[-1])
    if isinstance(size, dict):
        return int(size.get("height", 32)), int(size.get("width", 32))
    return int(size), int(size)


def _encoder_inputs(encoder, generator: torch.Generator) -> torch.Tensor:
    """What a composite's audio encoder reads: filter-bank features where it sizes them, else a raw waveform."""
    if _find(encoder, "num_mel_bins") is not None or _find(encoder, "input_feat_per_channel") is not None:
        return _audio_features(encoder, generator)
    return _audio_values(encoder, generator)


def _audio_values(config, generator: torch.Generator) -> torch.Tensor:
    """A raw waveform, or (batch, max_length, num_mel_bins) filter-bank frames where the config sizes a spectrogram
    (AST: its position embeddings count the patches of exactly that many frames)."""
    frames, mel_bins = _find(config, "max_length"), _find(config, "num_mel_bins")
    if isinstance(frames, int) and isinstance(mel_bins, int) and "max_length" in _own_arguments(config):
        return torch.randn(BATCH, frames, mel_bins, generator=generator)
    return torch.randn(BATCH, AUDIO_SAMPLES, generator=generator)


def _own_arguments(config) -> set[str]:
    """The config class's own constructor arguments (not the generation defaults every config carries)."""
    try:
        return set(inspect.signature(type(config).__init__).parameters)
    except (TypeError, ValueError):
        return set()


def _audio_features(config, generator: torch.Generator,
                    probed_width: Callable[[], int | None] = lambda: None) -> torch.Tensor:
    """Whisper-like (batch, mel bins, frames) where `num_mel_bins` is named, else (batch, frames, features); the
    other layout is tried too (`_transposed_features`), as configs do not tell which one a model reads."""
    mel_bins = _find_nested(config, "num_mel_bins")
    if isinstance(mel_bins, int):  # whisper-like: (batch, mel bins, 2 * encoder positions)
        return torch.randn(BATCH, mel_bins, _mel_frames(config), generator=generator)
    per_channel = _find(config, "input_feat_per_channel")
    if isinstance(per_channel, int):  # speech-to-text-like: (batch, frames, features * channels)
        channels = _find(config, "input_channels") or 1
        return torch.randn(BATCH, AUDIO_FRAMES, per_channel * channels, generator=generator)
    features = next((value for value in (_find_nested(config, name) for name in _FEATURE_SIZES) if value), None)
    if isinstance(features, int):
        return torch.randn(BATCH, AUDIO_FRAMES, features, generator=generator)
    width = probed_width()
    if width is not None:  # a width implied by the layers (Gemma 4's subsampling channels), found on meta
        return torch.randn(BATCH, AUDIO_FRAMES, width, generator=generator)
    raise UnbuildableInput("cannot tell the shape of input_features from the config")


def _mel_frames(config) -> int:
    return 2 * (_find(config, "max_source_positions") or AUDIO_FRAMES)


# Names of the per-frame feature count of audio features (filter banks, chroma bins), most specific first; the
# model width last: some encoders (Pop2Piano) take features already embedded.
_FEATURE_SIZES = ("feature_size", "feature_projection_input_dim", "input_feat_size", "input_dim", "num_chroma",
                  "d_model")


def _find_nested(config, name: str, depth: int = 2):
    """`_find`, then any sub-config (`encoder_config`, `decoder_config`, `semantic_model_config`) up to `depth` deep:
    audio encoders sit in sub-configs whose names follow no convention."""
    value = _find(config, name)
    if value is not None or depth == 0:
        return value
    for nested in vars(config).values() if hasattr(config, "__dict__") else ():
        if hasattr(nested, "to_dict") and hasattr(type(nested), "model_type"):
            value = _find_nested(nested, name, depth - 1)
            if value is not None:
                return value
    return None


def _transposed_features(attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same attempts with 3-D audio features in the other layout ((batch, bins, frames) vs (batch, frames,
    bins)); tried only after the first layout failed."""
    return [dict(inputs, input_features=inputs["input_features"].transpose(1, 2).contiguous())
            for inputs in attempts if getattr(inputs.get("input_features"), "dim", lambda: 0)() == 3]
