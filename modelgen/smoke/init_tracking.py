"""Which parameters did the model's own `_init_weights` initialise? Tracked by watching writes, not by statistics.

A `TorchFunctionMode` sees every torch call made while a model is built. Each call that writes a tensor (a
factory such as `torch.empty`/`torch.randn`, an in-place op such as `normal_`/`zero_`/`copy_`, an
`nn.init` function) records, for the written storage, whether the write was random (or left memory
uninitialised) and whether it happened inside an `_init_weights` call. Storages are identified by
`untyped_storage().data_ptr()`, so writes through `.data`, views and `nn.Parameter` wrappers all count.

A parameter fails when the last write covering all of it was random or uninitialised and happened
outside `_init_weights`: PyTorch's default initialisation (`reset_parameters` in a layer's constructor),
`nn.Parameter(torch.randn(...))` or `torch.empty(...)` never overwritten. Parameters created
deterministically (`torch.zeros`, `torch.ones`, arithmetic) pass, and so do modules `_init_weights` handled
with `reset_parameters()`. No statistic is involved, so no random draw can make a defect look fine.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch.overrides import TorchFunctionMode

_RANDOM_MARKERS = ("normal", "uniform", "orthogonal", "sparse", "bernoulli", "random", "exponential",
                   "geometric", "cauchy", "rand", "multinomial")
_UNINITIALISED = {"empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided"}


@dataclass
class _Write:
    kind: str  # "random", "uninitialised" or "deterministic"
    inside_init: bool
    origin: str  # the torch call that made the write


def _kind(name: str) -> str:
    if name in _UNINITIALISED:
        return "uninitialised"
    if any(marker in name for marker in _RANDOM_MARKERS):
        return "random"
    return "deterministic"


def _storage(tensor: torch.Tensor) -> tuple[int, int] | None:
    try:
        storage = tensor.untyped_storage()
    except (RuntimeError, NotImplementedError):
        return None
    return storage.data_ptr(), storage.nbytes()


def _covers_storage(tensor: torch.Tensor) -> bool:
    located = _storage(tensor)
    return located is not None and tensor.numel() * tensor.element_size() >= located[1]


class WriteTracker(TorchFunctionMode):
    """Records the last covering write of every storage while active; see the module docstring."""

    def __init__(self):
        super().__init__()
        self.last_write: dict[int, _Write] = {}
        self.init_depth = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        name = getattr(func, "__name__", "")
        if name.startswith("__") or name in {"_set_grad_enabled"}:
            return result
        inside = self.init_depth > 0
        first = next((value for value in (*args, *kwargs.values()) if isinstance(value, torch.Tensor)), None)
        if name.endswith("_") and isinstance(first, torch.Tensor):
            self._record(first, _kind(name), inside, name)
        elif isinstance(kwargs.get("out"), torch.Tensor):
            self._record(kwargs["out"], _kind(name), inside, name)
        elif isinstance(result, torch.Tensor):
            inputs = [value for value in (*args, *kwargs.values()) if isinstance(value, torch.Tensor)]
            if _storage(result) not in {_storage(value) for value in inputs}:  # new, not a view of an input
                kind, origin = self._derived_kind(name, inputs, inside)
                self._record(result, kind, inside, origin)
        return result

    def _derived_kind(self, name: str, inputs: list[torch.Tensor], inside: bool) -> tuple[str, str]:
        """A new tensor computed from a random one (`randn(...) * 0.02`, `clone()`) is random too."""
        kind = _kind(name)
        if kind != "deterministic" or inside:
            return kind, name
        for value in inputs:
            located = _storage(value)
            write = self.last_write.get(located[0]) if located else None
            if write is not None and write.kind != "deterministic" and not write.inside_init:
                return "random", f"{write.origin} -> {name}"
        return kind, name

    def _record(self, tensor: torch.Tensor, kind: str, inside: bool, origin: str) -> None:
        located = _storage(tensor)
        if located is None or located[0] == 0:
            return
        if _covers_storage(tensor):
            self.last_write[located[0]] = _Write(kind, inside, origin)

    @contextlib.contextmanager
    def inside_init(self):
        self.init_depth += 1
        try:
            yield
        finally:
            self.init_depth -= 1

    def uninitialised_parameters(self, model: torch.nn.Module) -> list[str]:
        """Names of parameters whose values come from a random or missing initialisation outside `_init_weights`."""
        failures = []
        for name, parameter in model.named_parameters():
            located = _storage(parameter)
            if located is None:
                continue
            write = self.last_write.get(located[0])
            if write is None or write.kind == "deterministic" or write.inside_init:
                continue
            reason = "never initialised (torch.empty)" if write.kind == "uninitialised" else f"random {write.origin}"
            failures.append(f"{name} ({reason} outside _init_weights)")
        return failures


@contextlib.contextmanager
def track_initialisation(pretrained_base: type):
    """Build models inside this block; it yields the tracker. Wraps `_init_weights` of every subclass of
    `pretrained_base` (the tree's `PreTrainedModel`) so writes made during it count as the model's own."""
    tracker = WriteTracker()
    originals = []
    for cls in _all_subclasses(pretrained_base) | {pretrained_base}:
        original = cls.__dict__.get("_init_weights")
        if original is None:
            continue
        originals.append((cls, original))
        setattr(cls, "_init_weights", _wrapped(original, tracker))
    try:
        with tracker:
            yield tracker
    finally:
        for cls, original in originals:
            setattr(cls, "_init_weights", original)


def _wrapped(original, tracker: WriteTracker):
    function = original.__func__ if isinstance(original, (classmethod, staticmethod)) else original

    def _init_weights(*args, **kwargs):
        with tracker.inside_init():
            return function(*args, **kwargs)

    _init_weights.__wrapped__ = function
    return _init_weights


def _all_subclasses(cls: type) -> set[type]:
    found, pending = set(), [cls]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return found
