"""Which parameters did the model's own `_init_weights` initialise? Tracked by watching writes, not by statistics.

A `TorchFunctionMode` sees every torch call made while a model is built. Each call that writes a tensor (a
factory such as `torch.empty`/`torch.randn`, an in-place op such as `normal_`/`zero_`/`copy_`, an
`nn.init` function) records, for the written storage, whether the write was random (or left memory
uninitialised) and whether it happened inside an `_init_weights` call. Storages are identified by
`untyped_storage().data_ptr()`, so writes through `.data`, views and `nn.Parameter` wrappers all count.

A parameter fails when the last write covering all of it happened outside `_init_weights` and was
PyTorch's default initialisation (a random write made from a torch.nn layer's constructor, i.e. its
`reset_parameters`) or left memory uninitialised (`torch.empty` never overwritten). A random write the
model's own code made outside `_init_weights` (`nn.Parameter(torch.randn(...))` never re-initialised) breaks
the guide's rule but is the model's deliberate choice: it is a warning. Parameters created deterministically
(`torch.zeros`, `torch.ones`, arithmetic) pass, and so do modules `_init_weights` handled with
`reset_parameters()`. No statistic is involved, so no random draw can make a defect look fine.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

import torch
from torch.overrides import TorchFunctionMode

_RANDOM_MARKERS = ("normal", "uniform", "orthogonal", "sparse", "bernoulli", "random", "exponential",
                   "geometric", "cauchy", "rand", "multinomial")
# deterministic in-place ops that replace every value (others, like `mul_`, keep where the values came from)
_OVERWRITES = {"zero_", "fill_", "copy_", "zeros_", "ones_", "constant_", "eye_", "dirac_", "set_", "fill_diagonal_"}
_UNINITIALISED = {"empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided"}


@dataclass
class _Write:
    kind: str  # "random", "uninitialised" or "deterministic"
    inside_init: bool
    origin: str  # the torch call that made the write
    pytorch_default: bool = False  # made by a torch.nn layer's own constructor (`reset_parameters`)
    partly_overwritten: bool = False  # the model's code later wrote part of it (a sinusoidal table by slices)


_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_TORCH_LAYERS_DIR = os.path.join(_TORCH_DIR, "nn", "modules") + os.sep


def _called_from_torch_layer() -> bool:
    """Whether the torch frames right above this call include a torch.nn layer (its default initialisation)."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename == __file__:
            frame = frame.f_back
            continue
        if not filename.startswith(_TORCH_DIR):
            return False
        if filename.startswith(_TORCH_LAYERS_DIR):
            return True
        frame = frame.f_back
    return False


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
        self.initialised_modules: list[torch.nn.Module] = []  # the module of each running `_init_weights` call
        self.post_init_called: set[int] = set()  # ids of the models whose post_init()/init_weights() ran
        self.ineffective: dict[int, tuple[torch.nn.Module, str]] = {}  # module id -> (module, the write made)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        name = getattr(func, "__name__", "")
        if name == "__setitem__" and args and isinstance(args[0], torch.Tensor):
            self._note_partial_write(args[0])
            return result
        if name.startswith("__") or name in {"_set_grad_enabled"}:
            return result
        inside = self.init_depth > 0
        tensors = [value for value in (*args, *kwargs.values()) if isinstance(value, torch.Tensor)]
        target = kwargs.get("out") if isinstance(kwargs.get("out"), torch.Tensor) else None
        if target is None and name.endswith("_") and tensors:
            target = tensors[0]
        if target is not None:
            if inside and self.initialised_modules:
                self._note_ineffective(target, name)
            sources = [value for value in tensors if value is not target]
            if _kind(name) == "deterministic" and name not in _OVERWRITES and not inside:
                previous = self._located_write(target)
                if previous is not None and previous.kind != "deterministic" and not previous.inside_init:
                    return result  # `weight.mul_(0.5)` after a random init is still that random init
            self._record(target, *self._derived(name, sources, inside), inside)
        elif isinstance(result, torch.Tensor):
            if _storage(result) not in {_storage(value) for value in tensors}:  # new, not a view of an input
                self._record(result, *self._derived(name, tensors, inside), inside)
        return result

    def _located_write(self, tensor: torch.Tensor) -> _Write | None:
        located = _storage(tensor)
        return self.last_write.get(located[0]) if located else None

    def _derived(self, name: str, sources: list[torch.Tensor], inside: bool) -> tuple[str, str, bool]:
        """(kind, origin, PyTorch default?) of a write: a copy of, or arithmetic on, a random or uninitialised
        tensor (`randn(...) * 0.02`, `clone()`, `copy_(torch.empty(...))`) inherits where that came from."""
        kind = _kind(name)
        if kind != "deterministic" or inside:
            return kind, name, kind == "random" and not inside and _called_from_torch_layer()
        for value in sources:
            write = self._located_write(value)
            if write is not None and write.kind != "deterministic" and not write.inside_init:
                return write.kind, f"{write.origin} -> {name}", write.pytorch_default
        return kind, name, False

    def _record(self, tensor: torch.Tensor, kind: str, origin: str, pytorch_default: bool, inside: bool) -> None:
        located = _storage(tensor)
        if located is None or located[0] == 0:
            return
        if _covers_storage(tensor):
            self.last_write[located[0]] = _Write(kind, inside, origin, pytorch_default)
        else:
            self._note_partial_write(tensor)

    def _note_partial_write(self, tensor: torch.Tensor) -> None:
        """A write to part of a storage by the model's code (not a torch layer zeroing its padding row)."""
        write = self._located_write(tensor)
        if write is not None and not _called_from_torch_layer():
            write.partly_overwritten = True

    def _note_ineffective(self, target: torch.Tensor, name: str) -> None:
        """An in-place write inside `_init_weights(module)` to a tensor that holds none of the module's parameters
        or buffers (`normal_(module.conv.weight)` where weight norm recomputes `weight` from `weight_g`/`weight_v`
        on each access) changes nothing the model keeps."""
        module = self.initialised_modules[-1]
        located = _storage(target)
        if located is None or not isinstance(module, torch.nn.Module):
            return
        kept = {_storage(tensor) for tensor in [*module.parameters(), *module.buffers()]}
        if located not in kept and located[0] not in {storage[0] for storage in kept if storage}:
            self.ineffective.setdefault(id(module), (module, name))

    @contextlib.contextmanager
    def inside_init(self, module=None):
        self.init_depth += 1
        self.initialised_modules.append(module)
        try:
            yield
        finally:
            self.init_depth -= 1
            self.initialised_modules.pop()

    def init_verdicts(self, model: torch.nn.Module, pretrained_base: type) -> tuple[list[str], dict[str, list[str]]]:
        """(failures, {finding kind: parameters}) for `model`. A parameter at PyTorch's default (or never
        written) under no `pretrained_base` module whose post_init() ran is `init:no-post-init`; one under a
        module whose `_init_weights` wrote a tensor it does not keep is `init:ineffective`; any other default is
        `init:framework-default`. Memory never initialised (torch.empty) where _init_weights did run fails."""
        failures: list[str] = []
        findings: dict[str, list[str]] = {}
        post_init_ran = [path for path, module in model.named_modules()
                         if isinstance(module, pretrained_base) and id(module) in self.post_init_called]
        ineffective = {path: self.ineffective[id(module)][1] for path, module in model.named_modules()
                       if id(module) in self.ineffective}
        if not any(path == "" for path in post_init_ran):
            findings.setdefault("init:no-post-init", [])  # the omission stands even where nothing else shows it
        for name, parameter in model.named_parameters():
            located = _storage(parameter)
            write = self.last_write.get(located[0]) if located else None
            if write is None or write.kind == "deterministic" or write.inside_init:
                continue
            if not (write.kind == "uninitialised" or (write.pytorch_default and not write.partly_overwritten)):
                continue
            what = "never initialised: torch.empty" if write.kind == "uninitialised" else f"PyTorch default {write.origin}"
            if not any(_under(name, path) for path in post_init_ran):
                findings.setdefault("init:no-post-init", []).append(f"{name} ({what})")
            elif write.kind == "uninitialised":
                failures.append(f"{name} ({what})")
            elif any(_under(name, path) for path in ineffective):
                path = max((path for path in ineffective if _under(name, path)), key=len)
                findings.setdefault("init:ineffective", []).append(
                    f"{name} ({what}; _init_weights of {path or 'the model'} wrote {ineffective[path]} into a "
                    "tensor it does not keep)")
            else:
                findings.setdefault("init:framework-default", []).append(f"{name} ({what})")
        return failures, findings

    def uninitialised_parameters(self, model: torch.nn.Module) -> tuple[list[str], list[str]]:
        """(failures, warnings): parameters left at PyTorch's default initialisation or never initialised, and
        parameters the model's own code randomised outside `_init_weights` (against the guide, not a failure)."""
        failures, warnings = [], []
        for name, parameter in model.named_parameters():
            located = _storage(parameter)
            write = self.last_write.get(located[0]) if located else None
            if write is None or write.kind == "deterministic" or write.inside_init:
                continue
            if write.kind == "uninitialised":
                failures.append(f"{name} (never initialised: torch.empty)")
            elif write.pytorch_default and write.partly_overwritten:
                warnings.append(f"{name} (PyTorch default {write.origin}, then partly overwritten outside "
                                "_init_weights)")
            elif write.pytorch_default:
                failures.append(f"{name} (PyTorch default {write.origin})")
            else:
                warnings.append(f"{name} (random {write.origin} outside _init_weights)")
        return failures, warnings


@contextlib.contextmanager
def track_initialisation(pretrained_base: type):
    """Build models inside this block; it yields the tracker. Wraps `_init_weights` of every subclass of
    `pretrained_base` (the tree's `PreTrainedModel`) so writes made during it count as the model's own."""
    tracker = WriteTracker()
    originals = []
    for cls in _all_subclasses(pretrained_base) | {pretrained_base}:
        for name, wrapper in (("_init_weights", _wrapped), ("post_init", _noting), ("init_weights", _noting)):
            original = cls.__dict__.get(name)
            if original is None:
                continue
            originals.append((cls, name, original))
            setattr(cls, name, wrapper(original, tracker))
    try:
        with tracker:
            yield tracker
    finally:
        for cls, name, original in reversed(originals):
            setattr(cls, name, original)


def _wrapped(original, tracker: WriteTracker):
    function = original.__func__ if isinstance(original, (classmethod, staticmethod)) else original

    def _init_weights(*args, **kwargs):
        with tracker.inside_init(args[1] if len(args) > 1 else kwargs.get("module")):
            return function(*args, **kwargs)

    _init_weights.__wrapped__ = function
    return _init_weights


def _noting(original, tracker: WriteTracker):
    """`post_init`/`init_weights` that note which model they ran for (a class that never calls them)."""
    function = original.__func__ if isinstance(original, (classmethod, staticmethod)) else original

    def noted(self, *args, **kwargs):
        tracker.post_init_called.add(id(self))
        return function(self, *args, **kwargs)

    noted.__wrapped__ = function
    noted.__name__ = getattr(function, "__name__", "post_init")
    return noted


def _under(name: str, path: str) -> bool:
    return path == "" or name.startswith(path + ".")


def _all_subclasses(cls: type) -> set[type]:
    found, pending = set(), [cls]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return found
