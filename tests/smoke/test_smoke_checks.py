"""Output comparison (used by determinism, save/load and --compare-devices) and output flattening, on CPU."""

import torch

from modelgen.smoke.checks import DEVICE_TOLERANCE, first_difference, flatten_outputs, identical


def outputs(*tensors):
    return [(f"output[{index}]", tensor) for index, tensor in enumerate(tensors)]


def test_identical_is_bitwise_and_nan_aware():
    values = torch.tensor([1.0, float("nan"), 3.0])
    assert identical(values, values.clone())
    assert not identical(values, torch.tensor([1.0, 2.0, 3.0]))
    assert not identical(values, values + 1e-7)
    assert not identical(values, values.double())


def test_device_comparison_accepts_differences_within_the_guide_tolerance():
    reference = torch.linspace(-1, 1, 10)
    assert first_difference(outputs(reference), outputs(reference + DEVICE_TOLERANCE / 2), DEVICE_TOLERANCE) is None


def test_device_comparison_reports_the_first_output_beyond_tolerance():
    reference = torch.zeros(3)
    moved = reference.clone()
    moved[1] = 2e-3
    message = first_difference(outputs(reference, reference), outputs(reference, moved), DEVICE_TOLERANCE)
    assert message == "output[1]: max abs diff 0.002 > 0.001"


def test_comparison_reports_nan_on_one_side_and_shape_changes():
    assert "nan" in first_difference(outputs(torch.zeros(2)), outputs(torch.tensor([0.0, float("nan")])), 1e-3)
    assert "shape" in first_difference(outputs(torch.zeros(2)), outputs(torch.zeros(3)))
    assert first_difference(outputs(torch.zeros(2)), outputs(torch.zeros(2), torch.zeros(1))).startswith("different")


def test_comparison_counts_the_same_infinity_as_equal_and_different_ones_as_a_difference():
    """Masked logits padded with -inf (Grounding DINO) reload identically: -inf minus -inf must not read as NaN."""
    padded = torch.tensor([0.5, float("-inf")])
    assert first_difference(outputs(padded), outputs(padded.clone()), 1e-6) is None
    assert "inf" in first_difference(outputs(padded), outputs(torch.tensor([0.5, float("inf")])), 1e-6)


def test_flatten_outputs_walks_dicts_and_tuples():
    nested = {"logits": torch.ones(1), "hidden_states": (torch.zeros(1), torch.zeros(2)), "cache": object()}
    assert [path for path, _ in flatten_outputs(nested)] == [
        "output.logits", "output.hidden_states[0]", "output.hidden_states[1]"]
