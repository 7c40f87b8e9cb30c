"""Vision and protein models, round 2: slices of scaled stages, head products, feature grids and windowed latents,
patch embeddings probed on meta, cut-patch rows, ids inside a lookup table, sub-configs behind a flag and sizes
that are a sub-config's width plus a fixed part."""

import dataclasses
from types import SimpleNamespace

import pytest
import torch

transformers = pytest.importorskip("transformers")

from modelgen.smoke.dummy_inputs import feature_maps
from modelgen.smoke.dummy_inputs.builders import input_attempts
from modelgen.smoke.tiny import enabled_parts, patch_probe
from modelgen.smoke.tiny import relations as tiny_relations
from modelgen.smoke.tiny import vision as tiny_vision
from modelgen.smoke.tiny.config import tiny_config


class _MatcherConfig(transformers.PretrainedConfig):
    """EfficientLoFTR-like: per-stage channels ending at the width, a slice of the first stage's channels."""

    model_type = "round2_matcher"

    def __init__(self, hidden_size=256, out_features=None, fine_matching_slice_dim=8, **kwargs):
        self.hidden_size = hidden_size
        self.out_features = out_features if out_features is not None else [64, 64, 128, 256]
        self.fine_matching_slice_dim = fine_matching_slice_dim
        super().__init__(**kwargs)


def test_a_slice_of_the_narrowest_stage_keeps_its_fraction():
    config, _ = tiny_config(_MatcherConfig)
    assert config.out_features[-1] == config.hidden_size == 32
    assert config.out_features[0] == 8
    assert config.fine_matching_slice_dim == 1  # 8 of 64 channels: 1 of 8, leaving 7 for the first fine stage


class _ResamplerConfig(transformers.PretrainedConfig):
    model_type = "round2_resampler"

    def __init__(self, resampler_hidden_size=64, resampler_num_attention_heads=1, resampler_attention_head_dim=64,
                 **kwargs):
        self.resampler_hidden_size = resampler_hidden_size
        self.resampler_num_attention_heads = resampler_num_attention_heads
        self.resampler_attention_head_dim = resampler_attention_head_dim
        super().__init__(**kwargs)


def test_heads_times_head_dim_still_make_up_the_width():
    config, _ = tiny_config(_ResamplerConfig)
    assert config.resampler_num_attention_heads == 1
    assert config.resampler_attention_head_dim == config.resampler_hidden_size == 32


def test_feature_sizes_and_windowed_latents_follow_the_shrunk_grid():
    instance = SimpleNamespace(memory_rope_feat_sizes=[64, 64], rope_k_sizes=[16, 16], num_latents_2d=256,
                               num_latents=256, other_sizes=[3, 5])
    arguments = {}
    tiny_vision.follow_grid_sizes(instance, arguments, {64: 2})
    assert arguments["memory_rope_feat_sizes"] == [2, 2]
    assert arguments["num_latents_2d"] == 1 and arguments["num_latents"] == 1  # 16 x 16 windows: one of 2 x 2
    assert arguments["rope_k_sizes"] == [1, 1]
    assert "other_sizes" not in arguments
    untouched = {}
    tiny_vision.follow_grid_sizes(SimpleNamespace(feat_sizes=[48, 48]), untouched, {64: 2})
    assert untouched == {}


class _Patches(torch.nn.Module):
    def __init__(self, config, padding):
        super().__init__()
        self.num_patches = (config.image_size // config.patch_size) ** 2
        self.projection = torch.nn.Conv2d(3, 8, kernel_size=config.patch_size, stride=config.patch_size,
                                          padding=padding)

    def forward(self, pixel_values):
        return self.projection(pixel_values).flatten(2).transpose(1, 2)


class _PaddedPatches(_Patches):
    def __init__(self, config):
        super().__init__(config, padding=2)  # VitPose's hard-coded padding


class _PlainPatches(_Patches):
    def __init__(self, config):
        super().__init__(config, padding=0)


class _Tower(torch.nn.Module):
    patches = _PaddedPatches

    def __init__(self, config):
        super().__init__()
        self.embeddings = self.patches(config)
        self.position_embeddings = torch.nn.Parameter(torch.zeros(1, self.embeddings.num_patches, 8))


class _PlainTower(_Tower):
    patches = _PlainPatches


def test_a_padded_patch_projection_gets_a_patch_that_keeps_its_grid():
    config = SimpleNamespace(image_size=32, patch_size=4, num_channels=3)
    assert patch_probe.fit_patch_grid(_Tower, config) == {"patch_size": 8}  # 4-pixel patches: a 9 x 9 grid
    assert config.patch_size == 8
    plain = SimpleNamespace(image_size=32, patch_size=4, num_channels=3)
    assert patch_probe.fit_patch_grid(_PlainTower, plain) == {} and plain.patch_size == 4


class _CutPatchTower(torch.nn.Module):
    """Molmo2's vision tower: a linear projection of flattened 4 x 4 x 3 patches."""

    main_input_name = "pixel_values"

    def __init__(self):
        super().__init__()
        self.patch_embedding = torch.nn.Linear(48, 32)

    def forward(self, pixel_values):
        return self.patch_embedding(pixel_values)


def test_a_tower_of_cut_patches_gets_rows_of_patches():
    config = transformers.PretrainedConfig(image_size=32, patch_size=4, num_channels=3)
    attempts = input_attempts(_CutPatchTower(), config)
    assert attempts[0]["pixel_values"].shape == (2, 3, 32, 32)
    assert any(inputs["pixel_values"].shape == (2, 64, 48) for inputs in attempts)


class _Folding(torch.nn.Module):
    """ESMFold-like: ids of residue types mapped through a 22-entry table, past its padding entry 0."""

    def __init__(self):
        super().__init__()
        self.register_buffer("table", torch.arange(22))

    def forward(self, input_ids):
        return self.table[input_ids + 1]


def test_ids_stay_inside_a_lookup_table_the_model_holds():
    attempts = [{"input_ids": torch.tensor([[5, 60, 127]])}, {"pixel_values": torch.zeros(1)}]
    variants = feature_maps.ids_within_lookups(_Folding(), attempts)
    assert len(variants) == 1 and int(variants[0]["input_ids"].max()) < 21
    assert feature_maps.ids_within_lookups(torch.nn.Linear(2, 2), attempts) == []


class _TrunkConfig(transformers.PretrainedConfig):
    model_type = "round2_trunk"

    def __init__(self, hidden_size=1024, num_hidden_layers=48, **kwargs):
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        super().__init__(**kwargs)


class _FoldingConfig(transformers.PretrainedConfig):
    model_type = "round2_folding"

    def __init__(self, hidden_size=320, is_folding_model=False, fold_config=None, **kwargs):
        self.hidden_size = hidden_size
        self.is_folding_model = is_folding_model
        if is_folding_model:
            fold_config = _TrunkConfig(**fold_config) if isinstance(fold_config, dict) else fold_config
            self.fold_config = fold_config if fold_config is not None else _TrunkConfig()
        else:
            self.fold_config = None
        super().__init__(**kwargs)


class _FoldingModel(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.trunk = torch.nn.Linear(config.hidden_size, config.fold_config.hidden_size)


def test_a_class_reading_a_sub_config_behind_a_flag_runs_with_the_flag_on():
    plain, _ = tiny_config(_FoldingConfig)
    assert plain.fold_config is None
    assert enabled_parts.sub_configs_read(_FoldingModel, plain) == ["fold_config"]
    config, flags = enabled_parts.with_enabled_sub_configs(_FoldingModel, plain, {}, tiny_config)
    assert flags == {"is_folding_model": True}
    assert config.is_folding_model and config.fold_config.hidden_size == 32 and config.hidden_size == 32
    assert config.fold_config.num_hidden_layers == 2
    assert enabled_parts.with_enabled_sub_configs(torch.nn.Linear, plain, {}, tiny_config) == (plain, {})


class _EncoderConfig(transformers.PretrainedConfig):
    model_type = "round2_encoder"

    def __init__(self, hidden_size=128, output_dim=384, **kwargs):
        self.hidden_size = hidden_size
        self.output_dim = output_dim
        super().__init__(**kwargs)


class _StackConfig(transformers.PretrainedConfig):
    """A parent that gives its sub-config an `output_dim` of its own width (ESMFold2's diffusion module) and a
    size that is that width plus a fixed part, checked by its validator."""

    model_type = "round2_stack"

    def __init__(self, hidden_size=768, single_inputs_size=835, encoder=None, **kwargs):
        self.hidden_size = hidden_size
        self.single_inputs_size = single_inputs_size
        if isinstance(encoder, dict):
            encoder = _EncoderConfig(**encoder)
        self.encoder = encoder if encoder is not None else _EncoderConfig(output_dim=hidden_size)
        if self.encoder.output_dim != single_inputs_size - 67:
            raise ValueError("single_inputs_size must be encoder.output_dim + 67")
        super().__init__(**kwargs)


def test_a_parents_choice_follows_the_width_and_a_size_keeps_its_fixed_part():
    config, changes = tiny_config(_StackConfig)
    assert config.hidden_size == 32 and config.encoder.output_dim == 32
    assert config.single_inputs_size == 32 + 67 and changes["single_inputs_size"] == 99
    default = _StackConfig()
    assert tiny_relations.offset_candidates(default, {"encoder": {"output_dim": 32}}) == [("single_inputs_size", 99)]


@dataclasses.dataclass
class _PlainTrunk:
    """4.x ESMFold: the trunk's sizes in a plain dataclass, not a config."""

    num_blocks: int = 48
    hidden_size: int = 1024


class _PlainFoldingConfig(transformers.PretrainedConfig):
    model_type = "round2_plain_folding"

    def __init__(self, hidden_size=320, is_folding_model=False, fold_config=None, **kwargs):
        self.hidden_size = hidden_size
        self.is_folding_model = is_folding_model
        fold_config = _PlainTrunk(**fold_config) if isinstance(fold_config, dict) else fold_config
        self.fold_config = (fold_config or _PlainTrunk()) if is_folding_model else None
        super().__init__(**kwargs)


def test_a_plain_dataclass_sub_config_behind_a_flag_is_shrunk_too():
    plain, _ = tiny_config(_PlainFoldingConfig)
    config, flags = enabled_parts.with_enabled_sub_configs(_FoldingModel, plain, {}, tiny_config)
    assert flags == {"is_folding_model": True}
    assert config.fold_config == _PlainTrunk(num_blocks=2, hidden_size=32)
