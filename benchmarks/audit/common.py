"""What the audit scripts share. Each reproduces one smoke verdict with plain torch and the tree's transformers,
without modelgen: `python benchmarks/audit/<script>.py TREE` (TREE: a pristine transformers source tree, e.g. the
path `python -m modelgen.trees 4.46.3` prints). The tiny config sizes are the ones the smoke report shows for the
model (`benchmarks/results/smoke_verdicts_review_4.46.3.json`), written out in each script."""

from __future__ import annotations

import copy
import importlib
import inspect
import os
import sys

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def tree_module(name: str, stem: str | None = None):
    """`transformers.models.<name>.modeling_<stem or name>` of the tree given as the first argument."""
    if len(sys.argv) < 2:
        sys.exit(f"usage: python {sys.argv[0]} TREE")
    sys.path.insert(0, os.path.join(sys.argv[1], "src"))
    return importlib.import_module(f"transformers.models.{name}.modeling_{stem or name}")


def calls_post_init(cls) -> bool:
    return "post_init()" in inspect.getsource(cls.__init__)


def untouched_by_init_weights(build, config, names=None) -> list[str]:
    """Parameters with the same values whether `_init_weights` runs or not (`PreTrainedModel._initialize_weights`
    made a no-op), the build seeded identically both times: the init code never changed them."""
    import torch
    from transformers.modeling_utils import PreTrainedModel

    models = []
    original = PreTrainedModel._initialize_weights
    for disabled in (False, True):
        if disabled:
            PreTrainedModel._initialize_weights = lambda self, module: None
        try:
            torch.manual_seed(0)
            models.append(build(copy.deepcopy(config)))
        finally:
            PreTrainedModel._initialize_weights = original
    first, second = (dict(model.named_parameters()) for model in models)
    return [name for name in first if (names is None or any(part in name for part in names))
            and torch.equal(first[name], second[name]) and len(first[name].unique()) > 1]


def changed_by_a_late_post_init(model) -> list[str]:
    """Parameters that calling `post_init()` on the built model changes: what the missing call left uninitialised
    (modules nested models already initialised are skipped by `_is_hf_initialized`)."""
    import torch

    before = {name: parameter.detach().clone() for name, parameter in model.named_parameters()}
    torch.manual_seed(1)
    model.post_init()
    return [name for name, parameter in model.named_parameters() if not torch.equal(before[name], parameter)]


def report(verdict: str, lines: list[str]) -> None:
    print(verdict)
    for line in lines:
        print("  " + line)
