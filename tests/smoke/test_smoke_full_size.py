"""A build or forward failure of the tiny model is tried again at full size, on the meta device: the same error
there is the model's defect, a full-size model that runs points at the tiny config."""

import pytest
import torch

transformers = pytest.importorskip("transformers")

from modelgen.smoke.checks import check_class
from modelgen.smoke.full_size import RUNS, SAME, reproduce_at_full_size


class _WideConfig(transformers.PretrainedConfig):
    model_type = "full_size_probe"

    def __init__(self, hidden_size=64, vocab_size=32, **kwargs):
        self.hidden_size = hidden_size
        self.vocab_size = vocab_size
        super().__init__(**kwargs)


class _Model(transformers.PreTrainedModel):
    config_class = _WideConfig

    def __init__(self, config):
        super().__init__(config)
        self.embeddings = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.post_init()

    def _init_weights(self, module):
        if isinstance(module, torch.nn.Embedding):
            module.weight.data.normal_()


class _NarrowFails(_Model):
    """Fails only below its full width: the tiny config's doing."""

    def forward(self, input_ids):
        if self.config.hidden_size < 64:
            raise ValueError(f"width {self.config.hidden_size} is too narrow")
        return self.embeddings(input_ids)


class _AlwaysFails(_Model):
    """Reads an attribute its config never defines, at every size: the model's defect."""

    def forward(self, input_ids):
        return self.embeddings(input_ids) * self.config.scale_never_defined


def test_a_failure_only_the_tiny_config_provokes_runs_at_full_size():
    result = check_class(_NarrowFails, _WideConfig(hidden_size=8), transformers.PreTrainedModel)
    assert result.failed_checks == ["forward"] and result.full_size == RUNS


def test_a_failure_the_full_size_model_shares_is_the_models_own():
    result = check_class(_AlwaysFails, _WideConfig(hidden_size=8), transformers.PreTrainedModel)
    assert result.failed_checks == ["forward"] and result.full_size == SAME


def test_a_full_size_build_that_fails_otherwise_is_reported_with_its_error():
    verdict = reproduce_at_full_size(_NarrowFails, _WideConfig(hidden_size=8), "build", "KeyError: 'x'")
    assert verdict == RUNS  # the full-size model builds, so the tiny build failure was the tiny config's
    assert reproduce_at_full_size(_AlwaysFails, _WideConfig(), "forward", "TypeError: other").startswith(
        "other error: AttributeError")


def test_a_passing_class_carries_no_verdict():
    class Fine(_Model):
        def forward(self, input_ids):
            return self.embeddings(input_ids)

    assert check_class(Fine, _WideConfig(hidden_size=8), transformers.PreTrainedModel).full_size is None
