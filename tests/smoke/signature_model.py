"""A stand-in model for input-builder tests: the builders read only the forward signature and the config."""

import torch  # no `from __future__ import annotations`: `exec` would inherit it and quote the annotations twice


class SignatureModel(torch.nn.Module):
    """A model whose forward signature is given as text (the builders read only the signature)."""

    def __init__(self, signature: str, main: str = "input_ids"):
        super().__init__()
        namespace: dict = {}
        exec(f"def forward(self, {signature}):\n    return None", namespace)  # noqa: S102 - test scaffolding
        self.forward = namespace["forward"].__get__(self)
        self.main_input_name = main


def shapes(inputs: dict) -> dict:
    """Each built input as its shape (tensors) or itself (anything else)."""
    return {name: tuple(value.shape) if isinstance(value, torch.Tensor) else value for name, value in inputs.items()}


def first_working_inputs(model: torch.nn.Module, config) -> dict:
    """The input set the smoke check would run the model on; fails the test when none runs."""
    from modelgen.smoke.checks import _first_working_forward
    from modelgen.smoke.dummy_inputs.builders import input_attempts

    inputs, _, error = _first_working_forward(model, input_attempts(model, config))
    assert error is None, error
    return inputs
