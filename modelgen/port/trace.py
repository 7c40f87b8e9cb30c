"""Record every submodule call of one forward pass, and save or load it as a trace file.

A trace is what `compare` needs from one side: it can be recorded in the original's own environment
(`modelgen compare --save-trace FILE ORIGINAL`, needing only torch and safetensors) and compared later against
a port in the library's environment.

Trace format, version 1: one safetensors file. Its metadata holds `modelgen_trace` (the JSON below) and its
tensors are the recorded inputs and outputs, named `<call>.in.<i>` and `<call>.out.<i>` (float32 copies on the
CPU, or the original dtype for integer tensors).

    {"format": "modelgen-trace", "version": 1, "model": "OriginalEncoder",
     "parameters": {"layers.0.linear1.weight": [37, 32], ...},       # every parameter of the model
     "calls": [{"index": 0,                  # completion order: a module's outputs exist from this point
                "start": 3,                  # start order (a parent starts before its children)
                "path": "layers.0.linear1",  # module path, "" for the model itself
                "occurrence": 0,             # how many earlier calls this module had
                "kind": "Linear",            # class name
                "parameters": ["layers.0.linear1.weight", "layers.0.linear1.bias"],  # its own, not its children's
                "inputs": [TENSOR, ...], "outputs": [TENSOR, ...]}, ...]}
    TENSOR = {"name": "args.0" | "kwargs.hidden_states" | "last_hidden_state" | "0.1", "shape": [...],
              "dtype": "float32", "producer": CALL_INDEX | "input" | null,  # inputs only: who made it
              "mean": ..., "std": ..., "min": ..., "max": ...}

Tensors are found inside tuples, lists, dicts and model outputs (`ModelOutput` is a dict); other values
(caches, None) are skipped. Each input names the call whose output it is (the innermost, first finished),
`"input"` for the model's own inputs, and null for tensors computed between modules (a residual sum).
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

TRACE_FORMAT = "modelgen-trace"
TRACE_VERSION = 1


@dataclass
class TensorRecord:
    name: str
    shape: list[int]
    dtype: str
    producer: int | str | None = None
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None


@dataclass
class Call:
    index: int
    start: int
    path: str
    occurrence: int
    kind: str
    parameters: list[str]
    inputs: list[TensorRecord] = field(default_factory=list)
    outputs: list[TensorRecord] = field(default_factory=list)

    @property
    def label(self) -> str:
        name = self.path or "(model)"
        return name if self.occurrence == 0 else f"{name}#{self.occurrence}"


@dataclass
class Trace:
    model: str
    parameters: dict[str, list[int]]
    calls: list[Call]
    tensors: dict[str, torch.Tensor]

    def output(self, call: Call, position: int = 0) -> torch.Tensor | None:
        return self.tensors.get(f"{call.index}.out.{position}") if len(call.outputs) > position else None

    def input(self, call: Call, position: int = 0) -> torch.Tensor | None:
        return self.tensors.get(f"{call.index}.in.{position}") if len(call.inputs) > position else None

    @property
    def root(self) -> Call:
        return next(call for call in reversed(self.calls) if call.path == "")


def flatten(value: Any, prefix: str = "") -> list[tuple[str, torch.Tensor]]:
    if isinstance(value, torch.Tensor):
        return [(prefix.rstrip(".") or "0", value)]
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += flatten(item, f"{prefix}{key}.")
    elif isinstance(value, (tuple, list)):
        for position, item in enumerate(value):
            found += flatten(item, f"{prefix}{position}.")
    return found


def _record(name: str, tensor: torch.Tensor, producer: int | str | None = None) -> TensorRecord:
    record = TensorRecord(name, list(tensor.shape), str(tensor.dtype).removeprefix("torch."), producer)
    if tensor.is_floating_point() and tensor.numel():
        values = tensor.detach().double()
        record.mean, record.min, record.max = values.mean().item(), values.min().item(), values.max().item()
        record.std = values.std().item() if values.numel() > 1 else 0.0
    return record


def _stored(tensor: torch.Tensor) -> torch.Tensor:
    copy = tensor.detach().to("cpu", copy=True)
    return copy.float() if copy.is_floating_point() else copy


def prepare_determinism(seed: int = 0) -> None:
    """Seeded, deterministic algorithms, TF32 off: differences come from the models, not the run."""
    random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def record_trace(model: torch.nn.Module, args: tuple = (), kwargs: dict | None = None, seed: int = 0) -> Trace:
    """Run `model(*args, **kwargs)` once in eval mode under no_grad and record every module call."""
    kwargs = kwargs or {}
    prepare_determinism(seed)
    model.eval()
    calls: list[Call] = []
    open_calls: dict[int, list[dict[str, Any]]] = {}
    producers: dict[int, int | str] = {}
    alive: list[torch.Tensor] = []  # keeps every recorded tensor's id unique for the run
    tensors: dict[str, torch.Tensor] = {}
    counters: dict[str, int] = {}
    starts = [0]
    for name, tensor in flatten((list(args), kwargs)):
        producers.setdefault(id(tensor), "input")
        alive.append(tensor)

    def before(module, module_args, module_kwargs, path):
        inputs = flatten(list(module_args), "args.") + flatten(module_kwargs, "kwargs.")
        open_calls.setdefault(id(module), []).append(
            {"start": starts[0], "inputs": [(name, tensor, producers.get(id(tensor))) for name, tensor in inputs]})
        starts[0] += 1

    def after(module, module_args, module_kwargs, output, path):
        opened = open_calls[id(module)].pop()
        index = len(calls)
        occurrence = counters.get(path, 0)
        counters[path] = occurrence + 1
        call = Call(index, opened["start"], path, occurrence, type(module).__name__,
                    [f"{path}.{name}" if path else name for name, _ in module.named_parameters(recurse=False)])
        for position, (name, tensor, producer) in enumerate(opened["inputs"]):
            call.inputs.append(_record(name, tensor, producer))
            tensors[f"{index}.in.{position}"] = _stored(tensor)
        for position, (name, tensor) in enumerate(flatten(output)):
            call.outputs.append(_record(name, tensor))
            tensors[f"{index}.out.{position}"] = _stored(tensor)
            producers.setdefault(id(tensor), index)
            alive.append(tensor)
        calls.append(call)

    handles = []
    for path, module in model.named_modules():
        handles.append(module.register_forward_pre_hook(
            lambda m, a, k, path=path: before(m, a, k, path), with_kwargs=True))
        handles.append(module.register_forward_hook(
            lambda m, a, k, o, path=path: after(m, a, k, o, path), with_kwargs=True))
    try:
        with torch.no_grad():
            model(*args, **kwargs)
    finally:
        for handle in handles:
            handle.remove()
    parameters = {name: list(parameter.shape) for name, parameter in model.named_parameters()}
    return Trace(type(model).__name__, parameters, calls, tensors)


def save_trace(trace: Trace, path: Path) -> None:
    from safetensors.torch import save_file

    document = {"format": TRACE_FORMAT, "version": TRACE_VERSION, "model": trace.model,
                "parameters": trace.parameters, "calls": [asdict(call) for call in trace.calls]}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    tensors = {name: tensor.contiguous() for name, tensor in trace.tensors.items()}
    save_file(tensors, str(partial), metadata={"modelgen_trace": json.dumps(document)})
    partial.replace(path)


def is_trace_file(path: Path) -> bool:
    if not path.is_file():
        return False
    from modelgen.port.tensorfile import SafetensorsReader

    try:
        return "modelgen_trace" in SafetensorsReader(path).metadata
    except (ValueError, OSError, UnicodeDecodeError):
        return False


def load_trace(path: Path) -> Trace:
    from safetensors.torch import load_file

    from modelgen.errors import ModelgenError
    from modelgen.port.tensorfile import SafetensorsReader

    try:
        document = json.loads(SafetensorsReader(path).metadata["modelgen_trace"])
    except (ValueError, KeyError, OSError) as error:
        raise ModelgenError(f"not a modelgen trace file ({error})", path) from error
    if document.get("format") != TRACE_FORMAT or document.get("version") != TRACE_VERSION:
        raise ModelgenError(f"trace version {document.get('version')!r}; this modelgen reads version "
                            f"{TRACE_VERSION}", path)
    calls = []
    for entry in document["calls"]:
        inputs = [TensorRecord(**record) for record in entry.pop("inputs")]
        outputs = [TensorRecord(**record) for record in entry.pop("outputs")]
        calls.append(Call(**entry, inputs=inputs, outputs=outputs))
    return Trace(document["model"], document["parameters"], calls, load_file(str(path)))
