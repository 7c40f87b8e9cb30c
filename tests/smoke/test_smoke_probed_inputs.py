"""Sizes and inputs found by probing the model rather than read off the config: an image large enough for a
backbone's stride, a feature width implied by the layers, patches with their places, features pooled as a
processor says, and inputs the model's own package featurises from a sequence."""

import sys
import textwrap
from types import SimpleNamespace

import pytest
import torch

transformers = pytest.importorskip("transformers")

from modelgen.smoke.dummy_inputs.builders import input_attempts
from modelgen.smoke.tiny import backbone_probe
from modelgen.smoke.tiny.config import rule_for
from tests.smoke.signature_model import SignatureModel, first_working_inputs, shapes


class _FrameConfig:
    """TVP-like: frames of a fixed size (`max_img_size`) that the full-size model reads at 448 pixels."""

    def __init__(self, max_img_size: int = 448, num_channels: int = 3):
        self.max_img_size = max_img_size
        self.num_channels = num_channels


class _StridedBackbone(torch.nn.Module):
    """A backbone (it names its stages and the ones it returns) that strides the image by `stride`."""

    def __init__(self, stride: int):
        super().__init__()
        self.stage_names, self.out_features = ["stem", "stage1"], ["stage1"]
        self.stem = torch.nn.Conv2d(3, 4, kernel_size=stride, stride=stride)

    def forward(self, pixel_values):
        return SimpleNamespace(feature_maps=(self.stem(pixel_values),))


class _Grounder(torch.nn.Module):
    stride = 32

    def __init__(self, config):
        super().__init__()
        self.backbone = _StridedBackbone(self.stride)


class _ShallowGrounder(_Grounder):
    stride = 4


def test_an_image_grows_until_the_backbone_leaves_a_feature_map_to_pool():
    config = _FrameConfig(max_img_size=32)
    assert backbone_probe.fit_image_to_backbone(_Grounder, config, rule_for) == {"max_img_size": 64}
    assert config.max_img_size == 64  # a 2 x 2 map after the 32x stride
    shallow = _FrameConfig(max_img_size=32)
    assert backbone_probe.fit_image_to_backbone(_ShallowGrounder, shallow, rule_for) == {}
    assert shallow.max_img_size == 32


def test_an_image_never_grows_past_the_full_size_one():
    class SmallFrames(_FrameConfig):
        def __init__(self, max_img_size: int = 32, num_channels: int = 3):
            super().__init__(max_img_size, num_channels)

    config = SmallFrames()
    assert backbone_probe.fit_image_to_backbone(_Grounder, config, rule_for) == {}
    assert config.max_img_size == 32


def test_a_prefixed_image_size_sizes_the_images():
    config = transformers.PretrainedConfig(max_img_size=64, num_channels=3)
    attempts = input_attempts(SignatureModel("pixel_values", main="pixel_values"), config)
    assert {tuple(inputs["pixel_values"].shape[-2:]) for inputs in attempts} == {(64, 64)}


def test_patches_come_with_their_places_on_a_grid_that_pools_into_whole_kernels():
    config = transformers.PretrainedConfig(patch_size=4, pooling_kernel_size=3, num_channels=3)
    attempts = input_attempts(SignatureModel("pixel_values, pixel_position_ids", main="pixel_values"), config)
    inputs = attempts[0]
    assert shapes(inputs) == {"pixel_values": (2, 36, 48), "pixel_position_ids": (2, 36, 2)}
    places = inputs["pixel_position_ids"][0]
    assert places[:7].tolist() == [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [0, 1]]  # (x, y), row by row
    assert places.max() == 5


class _SubsamplingAudioTower(torch.nn.Module):
    """Gemma 4's audio tower: the features as a one-channel image, two stride-2 convolutions, then a projection of
    the flattened channels, which only fits features `subsampling_conv_channels[0]` wide."""

    main_input_name = "input_features"

    def __init__(self, config):
        super().__init__()
        first, second = config.subsampling_conv_channels
        self.convs = torch.nn.Sequential(torch.nn.Conv2d(1, first, 3, stride=2, padding=1),
                                         torch.nn.Conv2d(first, second, 3, stride=2, padding=1))
        self.projection = torch.nn.Linear(first // 4 * second, config.hidden_size)

    def forward(self, input_features, attention_mask=None):
        hidden = self.convs(input_features[:, None])
        return self.projection(hidden.permute(0, 2, 1, 3).flatten(2))


def test_a_feature_width_no_field_names_is_found_on_meta():
    config = transformers.PretrainedConfig(subsampling_conv_channels=[16, 8], hidden_size=32)
    attempts = input_attempts(_SubsamplingAudioTower(config), config)
    assert attempts[0]["input_features"].shape == (2, 32, 16)


class _PoolingAdapter(torch.nn.Module):
    """Molmo 2's adapter: vision features and, per output token, the indices of the features it pools."""

    main_input_name = "image_features"

    def __init__(self):
        super().__init__()
        self.query = torch.nn.Linear(24, 8)

    def forward(self, image_features, pooled_patches_idx):
        flat = image_features.reshape(-1, image_features.shape[-1])
        return self.query(flat[pooled_patches_idx].mean(1))


def test_pooled_features_come_with_indices_that_pool_every_patch_once():
    inputs = input_attempts(_PoolingAdapter(), transformers.PretrainedConfig())[0]
    assert shapes(inputs) == {"image_features": (2, 8, 24), "pooled_patches_idx": (4, 4)}
    assert sorted(inputs["pooled_patches_idx"].flatten().tolist()) == list(range(16))


_FEATURISED_PACKAGE = {
    "__init__.py": "",
    "modeling_folder.py": '''
        import dataclasses

        import torch


        @dataclasses.dataclass
        class FolderAtoms:
            positions: torch.Tensor
            atom_to_token: torch.Tensor


        class FolderModel(torch.nn.Module):
            main_input_name = "input_ids"

            def forward(self, token_index: torch.Tensor, attention_mask: torch.Tensor, atoms: FolderAtoms,
                        input_ids=None):
                return atoms.positions.sum(-1) + token_index[:, atoms.atom_to_token[0]]
    ''',
    "featurise_folder.py": '''
        import torch


        def prepare_folder_features(sequence: str, device=None):
            tokens = len(sequence)
            return {"token_index": torch.arange(tokens)[None], "attention_mask": torch.ones(1, tokens),
                    "input_ids": torch.ones(1, tokens, dtype=torch.long),
                    "positions": torch.zeros(1, 2 * tokens, 3), "atom_to_token": torch.arange(2 * tokens)[None] // 2}
    ''',
}


@pytest.fixture
def featurised_package(tmp_path, monkeypatch):
    package = tmp_path / "folder_models"
    package.mkdir()
    for name, source in _FEATURISED_PACKAGE.items():
        (package / name).write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield __import__("folder_models.modeling_folder", fromlist=["FolderModel"])
    for name in [module for module in sys.modules if module.startswith("folder_models")]:
        del sys.modules[name]


def test_inputs_a_structure_featuriser_makes_are_taken_whole(featurised_package):
    model = featurised_package.FolderModel()
    inputs = input_attempts(model, transformers.PretrainedConfig(vocab_size=32))[0]
    assert shapes({name: value for name, value in inputs.items() if name != "atoms"}) == {
        "token_index": (1, 10), "attention_mask": (1, 10), "input_ids": (1, 10)}
    assert isinstance(inputs["atoms"], featurised_package.FolderAtoms)
    assert inputs["atoms"].positions.shape == (1, 20, 3)
    model(**inputs)  # the featurised set is consistent: it runs


class _StrictPatches(torch.nn.Module):
    """timm's patch embedding built for one image size only (`strict_img_size`)."""

    def __init__(self):
        super().__init__()
        self.img_size, self.strict_img_size = (48, 48), True
        self.projection = torch.nn.Conv2d(3, 8, 16, stride=16)


class _FixedSizeVideoTower(torch.nn.Module):
    main_input_name = "pixel_values_videos"

    def __init__(self):
        super().__init__()
        self.patches = _StrictPatches()

    def forward(self, pixel_values_videos):
        return self.patches.projection(pixel_values_videos.flatten(0, 1))


def test_a_tower_built_for_one_image_size_gets_images_of_that_size():
    config = transformers.PretrainedConfig(image_size=32, num_channels=3)
    inputs = input_attempts(_FixedSizeVideoTower(), config)[0]
    assert inputs["pixel_values_videos"].shape[-2:] == (48, 48)


class _PatchCubeTower(torch.nn.Module):
    """Inkling-like: each patch a channels-last cube of `temporal_patch_size` frames, folded into one vector."""

    main_input_name = "pixel_values"

    def __init__(self, patch: int, frames: int, channels: int):
        super().__init__()
        self.projection = torch.nn.Linear(frames * patch * patch * channels, 8)

    def forward(self, pixel_values):
        patches, frames, height, width, channels = pixel_values.shape
        return self.projection(pixel_values.reshape(patches, frames * height * width * channels))


def test_patches_a_tower_reads_without_a_grid_come_as_channels_last_cubes():
    config = transformers.PretrainedConfig(patch_size=4, temporal_patch_size=2, num_channels=3)
    inputs = first_working_inputs(_PatchCubeTower(4, 2, 3), config)
    assert shapes(inputs)["pixel_values"][1:] == (2, 4, 4, 3)
