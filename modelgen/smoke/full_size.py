"""Does a tiny model's build or forward failure happen at full size too?

The class is built from its config class's defaults (with the tiny config's flags) on the meta device, which
allocates nothing and computes only shapes, and run once on inputs built for that config. The same exception
type raised from the same line of the model's code shows the defect is the model's, not the tiny config's; a
full-size model that runs points at the shrinking instead.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import copy
import re

import torch

SAME = "same error"
RUNS = "runs"  # the full-size model gets past where the tiny one failed
_LOCATION = re.compile(r"^(\w+):.*\[([^\]]+:\d+)\]", re.DOTALL)
_NEEDS_DATA = ("meta tensor", "on meta", "'meta'", "meta device", "device meta",
               "data-independent implementation")  # `nonzero` has no shape without data


def reproduce_at_full_size(model_class: type, tiny_config, check: str, error: str) -> str:
    """SAME, RUNS, `other error: ...` or `not checked: ...`, for a `check` ("build" or "forward") that failed
    with `error` (as `checks._describe` wrote it, `Type: message [file:line]`)."""
    from modelgen.smoke.checks import _describe, _first_working_forward
    from modelgen.smoke.dummy_inputs.builders import input_attempts
    from modelgen.smoke.tiny.config import default_instance

    try:
        config = _with_flags(default_instance(type(tiny_config)), tiny_config)
    except Exception as failure:  # noqa: BLE001 - a composite that insists on its sub-configs
        return f"not checked: {type(tiny_config).__name__}() fails: {type(failure).__name__}"
    try:
        with torch.device("meta"):
            model = model_class(config)
    except Exception as failure:  # noqa: BLE001 - the model's own failure
        return _compare(_describe(failure), error)
    if check == "build":
        return RUNS
    try:
        attempts = input_attempts(model.eval(), model.config)
    except Exception as failure:  # noqa: BLE001 - the input builder's limit at full size
        return f"not checked: no full-size inputs ({type(failure).__name__})"
    with torch.device("meta"):  # tensors the forward makes without naming a device (position ids) too
        _, _, failure = _first_working_forward(model, attempts, "meta")
    return RUNS if failure is None else _compare(failure, error)


def _with_flags(config, tiny_config):
    """`config` with the flags the smoke run set on the tiny config (`is_decoder`, required flags): booleans only,
    never a size."""
    config = copy.deepcopy(config)
    for name, value in vars(tiny_config).items():
        if isinstance(value, bool) and getattr(config, name, None) is not value:
            setattr(config, name, value)
    return config


def _compare(full_size: str, tiny: str) -> str:
    if any(phrase in full_size for phrase in _NEEDS_DATA):
        return f"not checked: needs real data on meta ({full_size[:120]})"
    return SAME if _signature(full_size) == _signature(tiny) else f"other error: {full_size}"


def _signature(error: str) -> tuple[str, ...]:
    """What two failures must share to be the same defect: the exception type and the line of the model's code
    that raised it (the messages differ in their sizes), or the whole message where no line was found."""
    located = _LOCATION.match(error)
    return located.groups() if located else (error.split(" (inputs: ")[0],)
