"""Save/load reloads with the built model's kernel choices; video-tracker sessions built per forward; retrieval
passages (RAG) and preprocessor-shaped `inputs` (Perceiver), on hand-built stand-ins (no tree, no downloads)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import ClassVar

import torch

from modelgen.smoke import reload as smoke_reload
from modelgen.smoke.checks import _to
from modelgen.smoke.dummy_inputs.builders import BATCH, SEQUENCE, input_attempts
from modelgen.smoke.dummy_inputs.preprocessed import OUTPUT_POINTS
from modelgen.smoke.dummy_inputs.sessions import FRAMES, OBJECT_ID, PerCall

# --- save/load: the kernel choices of every sub-model survive the reload -----------------------------------------


class _Config:
    """A config with one sub-config; the kernel choice is private state, as in transformers (not saved)."""

    def __init__(self, sub: _Config | None = None, implementation: str | None = None):
        self._attn_implementation_internal = implementation
        if sub is not None:
            self.vision_config = sub

    @property
    def _attn_implementation(self):
        return self._attn_implementation_internal

    def to_dict(self):
        return {}

    @classmethod
    def from_pretrained(cls, folder):
        return cls(_Config())  # the saved config: no choices in it


class _Tower(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.linear = torch.nn.Linear(2, 2)


class _Composite(torch.nn.Module):
    """Picks eager at the top and SDPA for its tower unless the config already says otherwise; a forced string
    would apply to both, as `attn_implementation="eager"` does in transformers."""

    loads: ClassVar[list[str]] = []

    def __init__(self, config):
        super().__init__()
        config._attn_implementation_internal = config._attn_implementation_internal or "eager"
        sub = config.vision_config
        sub._attn_implementation_internal = sub._attn_implementation_internal or self.tower_default
        self.config = config
        self.tower = _Tower(sub)

    tower_default = "sdpa"

    @classmethod
    def from_pretrained(cls, folder, output_loading_info=False, config=None):
        cls.loads.append("config" if config is not None else "plain")
        return cls(config if config is not None else _Config.from_pretrained(folder)), {"missing_keys": []}


def test_reload_keeps_each_sub_models_kernel_choice():
    _Composite.loads = []
    built = _Composite(_Config(_Config()))
    loaded, _, note = smoke_reload.load_like(built, _Composite, "unused")
    assert note is None and _Composite.loads == ["plain"]
    assert smoke_reload.implementations(loaded) == {"": ("eager", None), "tower": ("sdpa", None)}


class _ForcedTower(_Composite):
    tower_default = "eager"  # a reload that picks another kernel for the tower than the built model got


def test_reload_retries_with_the_built_models_choices_when_a_plain_reload_picks_others():
    _ForcedTower.loads = []
    built = _ForcedTower(_Config(_Config(implementation="sdpa")))  # built with SDPA in the tower
    loaded, _, note = smoke_reload.load_like(built, _ForcedTower, "unused")
    assert _ForcedTower.loads == ["plain", "config"] and note is None
    assert loaded.tower.config._attn_implementation == "sdpa"


class _Refusing(_ForcedTower):
    @classmethod
    def from_pretrained(cls, folder, output_loading_info=False, config=None):
        if config is not None:
            raise ValueError("sdpa is not supported by the tower")
        return super().from_pretrained(folder, output_loading_info)


def test_reload_notes_the_choices_that_still_differ():
    built = _Refusing(_Config(_Config(implementation="sdpa")))
    _, _, note = smoke_reload.load_like(built, _Refusing, "unused")
    assert note is not None and "tower" in note and "sdpa" in note


# --- video trackers: a fresh session per forward, prompted through its own API -----------------------------------


class _Session:
    def __init__(self, video: torch.Tensor | None = None, video_height: int | None = None,
                 video_width: int | None = None, inference_device: str = "cpu", dtype: torch.dtype | str = "float32"):
        self.frames = dict(enumerate(video.to(inference_device, dtype=dtype)))
        self.size = (video_height, video_width)
        self.points: dict = {}
        self.obj_with_new_inputs: list = []
        self.outputs: dict = {}

    def obj_id_to_idx(self, obj_id):
        return 0

    def add_point_inputs(self, obj_idx, frame_idx, inputs):
        self.points[(obj_idx, frame_idx)] = inputs


class _Tracker(torch.nn.Module):
    main_input_name = "pixel_values"

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, inference_session: _Session, frame_idx: int | None = None, reverse: bool = False):
        if frame_idx in inference_session.outputs:  # a reused session hands back its cached output
            return inference_session.outputs[frame_idx]
        inference_session.outputs[frame_idx] = self.scale * inference_session.frames[frame_idx].mean()
        return inference_session.outputs[frame_idx]


def test_a_session_annotated_forward_gets_a_per_call_session_and_frame_zero():
    config = SimpleNamespace(image_size=16, vocab_size=10)
    minimal = input_attempts(_Tracker(), config)[0]
    assert isinstance(minimal["inference_session"], PerCall) and minimal["frame_idx"] == 0
    first, second = _to(minimal, "cpu")["inference_session"], _to(minimal, "cpu")["inference_session"]
    assert first is not second  # a new session per forward: no cached outputs leak between forwards
    assert len(first.frames) == FRAMES and first.frames[0].shape == (3, 16, 16) and first.size == (16, 16)
    assert first.obj_with_new_inputs == [OBJECT_ID]
    point = first.points[(0, 0)]
    assert point["point_coords"].shape == (1, 1, 1, 2) and point["point_labels"].tolist() == [[[1]]]


def test_sessions_are_only_built_for_classes_constructed_from_a_video():
    class _Other:
        def __init__(self, cache_size: int = 1):
            pass

    class _Model(torch.nn.Module):
        def forward(self, input_ids: torch.Tensor, state: _Other | None = None):
            return input_ids

    minimal = input_attempts(_Model(), SimpleNamespace(vocab_size=10))[0]
    assert "state" not in minimal and not any(isinstance(value, PerCall) for value in minimal.values())


# --- retrieval-augmented generation without a retriever ---------------------------------------------------------


def test_retrieval_configs_get_passages_their_mask_and_document_scores():
    class _Rag(torch.nn.Module):
        def forward(self, input_ids=None, attention_mask=None, context_input_ids=None, context_attention_mask=None,
                    doc_scores=None, decoder_input_ids=None):
            return input_ids

    minimal = input_attempts(_Rag(), SimpleNamespace(vocab_size=20, n_docs=3))[0]
    assert minimal["context_input_ids"].shape == (BATCH * 3, SEQUENCE)
    assert minimal["context_attention_mask"].shape == (BATCH * 3, SEQUENCE)
    assert minimal["doc_scores"].shape == (BATCH, 3)
    plain = input_attempts(_Rag(), SimpleNamespace(vocab_size=20))[0]
    assert "doc_scores" not in plain  # no `n_docs`: no retrieval


# --- Perceiver-like `inputs`, read off the input preprocessor ----------------------------------------------------


class _Fourier(torch.nn.Module):
    def __init__(self, *resolution):
        super().__init__()
        self.max_resolution = resolution


class _Patches(torch.nn.Module):
    def __init__(self, resolution, spatial=1, temporal=1, after: int | None = None):
        super().__init__()
        self.prep_type, self.spatial_downsample, self.temporal_downsample, self.in_channels = "patches", spatial, \
            temporal, 3
        self.position_embeddings = _Fourier(*resolution)
        self.conv_after_patches = torch.nn.Linear(after, 4) if after else torch.nn.Identity()


class _Audio(torch.nn.Module):
    def __init__(self, samples: int, per_patch: int):
        super().__init__()
        self.samples_per_patch = per_patch
        self.position_embeddings = _Fourier(samples)


class _OneHot(torch.nn.Module):
    num_channels = 5


class _Decoder(torch.nn.Module):
    def __init__(self, dims=None, encoding="fourier"):
        super().__init__()
        self.output_index_dims, self.position_encoding_type = dims, encoding


class _Perceiver(torch.nn.Module):
    main_input_name = "inputs"

    def __init__(self, preprocessor, decoder=None):
        super().__init__()
        self.perceiver = torch.nn.Module()
        self.perceiver.input_preprocessor = preprocessor
        self.perceiver.decoder = decoder

    def forward(self, inputs=None, attention_mask=None, subsampled_output_points=None):
        return inputs


def _multimodal_inputs():
    preprocessor = torch.nn.Module()
    preprocessor.modalities = torch.nn.ModuleDict({
        "audio": _Audio(40, 8), "image": _Patches((2, 8, 8), spatial=4), "label": _OneHot()})
    decoder = torch.nn.Module()
    decoder.modalities = torch.nn.ModuleDict({
        "audio": _Decoder((5,)), "image": torch.nn.Module(), "label": _Decoder(encoding="trainable")})
    decoder.modalities["image"].decoder = _Decoder((2, 8, 8))  # a video decoder wraps a basic one
    return input_attempts(_Perceiver(preprocessor, decoder), SimpleNamespace(d_model=16))[0]


def test_multimodal_preprocessors_get_a_dict_of_modalities_and_the_decoder_its_output_points():
    minimal = _multimodal_inputs()
    inputs = minimal["inputs"]
    assert {name: tuple(value.shape) for name, value in inputs.items()} == {
        "audio": (BATCH, 40, 1), "image": (BATCH, 2, 3, 8, 8), "label": (BATCH, 5)}
    points = minimal["subsampled_output_points"]
    assert points["label"] is None and points["audio"].tolist() == list(range(5))
    assert points["image"].tolist() == list(range(min(OUTPUT_POINTS, math.prod((2, 8, 8)))))


def test_optical_flow_preprocessors_get_a_frame_pair_of_patch_features():
    model = _Perceiver(_Patches((8, 6), spatial=1, temporal=2, after=54))
    assert input_attempts(model, SimpleNamespace(d_model=16))[0]["inputs"].shape == (BATCH, 2, 27, 8, 6)


def test_a_model_without_preprocessor_takes_embeddings_and_convolving_ones_get_no_inputs():
    assert input_attempts(_Perceiver(None), SimpleNamespace(d_model=16))[0]["inputs"].shape == (BATCH, SEQUENCE, 16)
    convolving = _Patches((8, 8))
    convolving.prep_type = "conv"

    class _Image(_Perceiver):
        def forward(self, inputs=None, pixel_values=None):
            return pixel_values

    attempts = input_attempts(_Image(convolving), SimpleNamespace(d_model=16, image_size=8))
    assert all("inputs" not in attempt for attempt in attempts) and "pixel_values" in attempts[-1]
