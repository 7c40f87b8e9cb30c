"""The --compare-devices path, run in process with the CPU standing in for the GPU (CI has none)."""

import importlib
import sys
from pathlib import Path

import pytest

pytest.importorskip("transformers")

from modelgen.smoke.checks import check_class  # noqa: E402
from modelgen.smoke.tiny.config import tiny_config  # noqa: E402

FIXTURE_SRC = Path(__file__).resolve().parents[2] / "fixtures" / "smoke_defects" / "src"


@pytest.fixture
def fixture_models(monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURE_SRC))
    yield lambda model_type: importlib.import_module(f"smokelib.models.{model_type}.modeling_{model_type}")
    for name in [name for name in sys.modules if name.startswith("smokelib")]:
        del sys.modules[name]


def run(module, class_name, config_name):
    from transformers.modeling_utils import PreTrainedModel

    config_class = getattr(importlib.import_module(module.__name__.replace("modeling_", "configuration_")), config_name)
    config, _ = tiny_config(config_class)
    return check_class(getattr(module, class_name), config, PreTrainedModel, device="cpu", compare_devices=True)


def test_same_weights_and_inputs_agree_across_devices(fixture_models):
    result = run(fixture_models("healthy"), "HealthyModel", "HealthyConfig")
    assert result.status == "pass", result.error


def test_a_device_that_computes_differently_fails_the_comparison(fixture_models, monkeypatch):
    """Moving to the "device" perturbs the weights, as a kernel that disagrees beyond 1e-3 would."""
    import torch

    module = fixture_models("healthy")
    original_to = torch.nn.Module.to

    def drifting_to(self, *args, **kwargs):
        if isinstance(self, module.HealthyModel):
            with torch.no_grad():
                self.embeddings.weight.add_(0.05)
        return original_to(self, *args, **kwargs)

    monkeypatch.setattr(module.HealthyModel, "to", drifting_to)
    result = run(module, "HealthyModel", "HealthyConfig")
    assert "devices" in result.failed_checks, result.error  # (the reloaded copy drifts too: save_load)
    assert "cpu vs cpu: output.last_hidden_state: max abs diff" in result.error and "> 0.001" in result.error
