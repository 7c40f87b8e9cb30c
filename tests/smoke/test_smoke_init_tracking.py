"""The initialisation check tracks writes: PyTorch's default init and torch.empty fail whatever values they drew."""

import copy

import pytest
import torch
from torch import nn

from modelgen.smoke.init_tracking import track_initialisation


class Base(nn.Module):
    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(std=0.02)
            module.bias.data.zero_()
        elif isinstance(module, nn.Conv1d) and getattr(self, "reset_convolutions", False):
            module.reset_parameters()  # the framework's init, asked for by _init_weights: fine


def build(factory):
    with track_initialisation(Base) as tracker:
        model = factory()
        model.apply(model._init_weights)
    return tracker.uninitialised_parameters(model)


def test_linear_handled_by_init_weights_passes():
    class Model(Base):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)
            self.zeros = nn.Parameter(torch.zeros(4))
            self.scaled = nn.Parameter(torch.ones(4) * 0.5)

    assert build(Model) == ([], [])


def test_default_initialised_layer_fails_with_its_parameters():
    class Model(Base):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)
            self.convolution = nn.Conv1d(2, 2, 1)

    failures, _ = build(Model)
    assert [entry.split()[0] for entry in failures] == ["convolution.weight", "convolution.bias"]
    assert "PyTorch default" in failures[0]


def test_reset_parameters_called_by_init_weights_passes():
    class Model(Base):
        reset_convolutions = True

        def __init__(self):
            super().__init__()
            self.convolution = nn.Conv1d(2, 2, 1)

    assert build(Model) == ([], [])


def test_empty_parameter_fails_even_if_memory_happens_to_be_zero():
    class Model(Base):
        def __init__(self):
            super().__init__()
            self.uninitialised = nn.Parameter(torch.empty(4))
            with torch.no_grad():
                self.uninitialised.data.fill_(0.0)
                self.uninitialised.data.copy_(torch.empty(4))  # a copy of garbage is no initialisation

    failures, _ = build(Model)
    assert failures and failures[0].startswith("uninitialised")


def test_random_parameter_from_model_code_is_a_warning():
    class Model(Base):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Parameter(torch.randn(4) * 0.02)

    failures, warnings = build(Model)
    assert failures == []
    assert warnings and warnings[0].startswith("embedding (random randn")


@pytest.mark.parametrize("covered", [True, False])
def test_deep_copied_layers_keep_their_origin(covered):
    class Model(Base):
        def __init__(self):
            super().__init__()
            layer = nn.Linear(3, 3) if covered else nn.Conv1d(3, 3, 1)
            self.layers = nn.ModuleList([copy.deepcopy(layer) for _ in range(2)])

    failures, _ = build(Model)
    assert (failures == []) is covered
    if not covered:
        assert {entry.split()[0] for entry in failures} == {"layers.0.weight", "layers.0.bias", "layers.1.weight",
                                                            "layers.1.bias"}


def test_init_weights_is_restored_afterwards():
    original = Base.__dict__["_init_weights"]
    with track_initialisation(Base):
        assert Base.__dict__["_init_weights"] is not original
    assert Base.__dict__["_init_weights"] is original
