"""The per-class checks: build, init, forward, finite, dropout, determinism, save_load, devices.

Each check has a name so a defect is reported by the check that owns it, with a verdict (`verdicts.py`): a NaN, or
an infinity that is not a mask, fails `finite`; dropout active in evaluation mode fails `dropout`; two identical
eval forwards that differ beyond the tolerance fail `determinism`, or are a `random-in-eval` finding where random
calls explain them; a key lost or an output changed by `save_pretrained`/`from_pretrained` fails `save_load`; CPU
and GPU disagreeing beyond 1e-3 fails `devices`. Parameters at PyTorch's default are `init:*` findings
(`init_tracking.init_verdicts`). The forward runs on two input draws (`dummy_inputs/second_draw.py`).

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import resource
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from modelgen.smoke.dummy_inputs.builders import UnbuildableInput, input_attempts
from modelgen.smoke.dummy_inputs.second_draw import second_draw
from modelgen.smoke.dummy_inputs.sessions import PerCall
from modelgen.smoke.full_size import reproduce_at_full_size
from modelgen.smoke.init_tracking import track_initialisation
from modelgen.smoke.masked_infinities import unexplained_infinities
from modelgen.smoke.reload import load_like
from modelgen.smoke.verdicts import worst

DEVICE_TOLERANCE = 1e-3  # the porting guide's absolute tolerance
# Two eval forwards, or a forward before and after a reload, compute the same function with the same weights, but a
# kernel may sum in another order (fresh memory layout, a thread split: 1e-9..6e-8 seen on ViLT's heads, 7e-9 on a
# 32->1 linear layer); transformers' own tests compare with 1e-5. A lost or re-initialised weight, or a random
# call, moves outputs by orders of magnitude more. `--atol` sets it; the exact difference is reported anyway.
DEFAULT_ATOL = 1e-5
RELOAD_TOLERANCE = DEFAULT_ATOL
CHECK_ORDER = ("build", "init", "forward", "finite", "dropout", "determinism", "save_load", "devices")


@dataclass
class ClassResult:
    name: str
    status: str = "pass"  # pass | fail | finding | skip (`verdicts.VERDICTS`)
    error: str | None = None
    failed_checks: list[str] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)  # {"kind", "check", "message"}
    skip_reason: str | None = None
    comparisons: dict[str, dict[str, Any]] = field(default_factory=dict)  # check -> max abs diff, exact, atol
    masked_infinities: list[str] = field(default_factory=list)  # outputs whose infinities are an intended mask
    params: int | None = None
    forward_ms: float | None = None
    memory_mb: float | None = None
    inputs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    full_size: str | None = None  # for a build or forward failure: whether the full-size model fails the same way

    def fail(self, check: str, message: str) -> None:
        self.status = "fail"
        self.failed_checks.append(check)
        self._explain(f"{check}: {_one_line(message)}")

    def find(self, kind: str, check: str, message: str) -> None:
        """A finding of `kind` (`verdicts.FINDING_KINDS`): reported, not a failure unless `--strict`."""
        self.status = worst([self.status, "finding"])
        self.findings.append({"kind": kind, "check": check, "message": _one_line(message)})
        self._explain(f"{kind}: {_one_line(message)}")

    def skip(self, reason: str) -> None:
        """Not checked further; a failure or finding already made stays the verdict."""
        self.status = worst([self.status, "skip"])
        self.skip_reason = _one_line(reason)
        self._explain(self.skip_reason)

    def _explain(self, line: str) -> None:
        self.error = line if self.error is None else f"{self.error}; {line}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def flatten_outputs(value: Any, path: str = "output") -> list[tuple[str, torch.Tensor]]:
    """Every tensor in a forward's output (ModelOutput, dicts, tuples, lists), with a readable path."""
    if isinstance(value, torch.Tensor):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for key, nested in value.items() for item in flatten_outputs(nested, f"{path}.{key}")]
    if isinstance(value, (list, tuple)):
        return [item for index, nested in enumerate(value) for item in flatten_outputs(nested, f"{path}[{index}]")]
    return []


def identical(first: torch.Tensor, second: torch.Tensor) -> bool:
    """Bit-for-bit equality that treats NaN at the same place as equal."""
    if first.shape != second.shape or first.dtype != second.dtype:
        return False
    if first.is_floating_point() or first.is_complex():
        nan_first, nan_second = torch.isnan(first), torch.isnan(second)
        if not torch.equal(nan_first, nan_second):
            return False
        return torch.equal(torch.where(nan_first, 0, first), torch.where(nan_second, 0, second))
    return torch.equal(first, second)


def first_difference(reference: list[tuple[str, torch.Tensor]], other: list[tuple[str, torch.Tensor]],
                     tolerance: float | None = None) -> str | None:
    """None when the outputs agree (bit for bit, or within `tolerance` absolute), else what differs first."""
    if [path for path, _ in reference] != [path for path, _ in other]:
        return f"different outputs: {[p for p, _ in reference]} vs {[p for p, _ in other]}"
    for (path, first), (_, second) in zip(reference, other):
        second = second.to(first.device)
        if first.shape != second.shape:
            return f"{path}: shape {tuple(first.shape)} vs {tuple(second.shape)}"
        if tolerance is None:
            if not identical(first, second):
                return f"{path} differs (max abs diff {_max_difference(first, second):.3g})"
        elif first.is_floating_point():
            difference = _max_difference(first, second)
            if not difference <= tolerance:
                return f"{path}: max abs diff {difference:.3g} > {tolerance:g}"
        elif not torch.equal(first, second):
            return f"{path} differs"
    return None


def _max_difference(first: torch.Tensor, second: torch.Tensor) -> float:
    if not (first.is_floating_point() and second.is_floating_point()):
        return float((first != second).sum())
    if first.numel() == 0:
        return 0.0
    nan_first, nan_second = torch.isnan(first), torch.isnan(second)
    if not torch.equal(nan_first, nan_second):
        return float("nan")  # NaN in one output where the other has a number
    same = nan_first | (first == second)  # NaN at the same places, or equal values (the same infinity included)
    difference = (first.double() - second.double()).abs().masked_fill(same, 0)
    return float(difference.max())


class _RandomnessWatch(TorchFunctionMode):
    """Notes dropout applied with training=True and random ops called during an eval forward."""

    _RANDOM = ("rand", "randn", "rand_like", "randn_like", "randint", "randint_like", "randperm", "bernoulli",
               "multinomial", "normal", "normal_", "uniform_", "bernoulli_", "exponential_")

    def __init__(self):
        super().__init__()
        self.active_dropout: list[str] = []
        self.random_ops: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if "dropout" in name:
            training = kwargs.get("training", kwargs.get("train", args[2] if len(args) > 2 else False))
            probability = kwargs.get("p", args[1] if len(args) > 1 else 0.5)
            if training and probability:
                self.active_dropout.append(f"{name}(p={probability})")
        elif name in self._RANDOM:
            self.random_ops.append(name)
        return func(*args, **kwargs)


def check_class(model_class: type, config, pretrained_base: type, device: str = "cpu",
                compare_devices: bool = False, atol: float = DEFAULT_ATOL) -> ClassResult:
    result = ClassResult(model_class.__name__)
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    torch.manual_seed(0)
    try:
        with track_initialisation(pretrained_base) as tracker:
            model = model_class(copy.deepcopy(config))
    except ImportError as error:
        result.skip(f"missing dependency: {error}")
        return result
    except Exception as error:  # noqa: BLE001 - any failure of the model's own code is a finding
        _fail_with_full_size(result, "build", _describe(error), model_class, config)
        return result
    _, randomised = tracker.uninitialised_parameters(model)
    if randomised:
        result.warnings.append(f"init: random initialisation outside _init_weights: {_first(randomised)}")
    uninitialised, init_findings = tracker.init_verdicts(model, pretrained_base)
    if uninitialised:
        result.fail("init", f"not initialised by _init_weights: {_first(uninitialised)}")
    for kind, names in init_findings.items():
        lead = f"{model_class.__name__} never calls post_init()" if kind == "init:no-post-init" else (
            "left at PyTorch's default" if kind == "init:framework-default" else "init code that changes nothing")
        result.find(kind, "init", f"{lead}: {_first(names)}" if names else lead)
    model.eval()
    result.params = sum(parameter.numel() for parameter in model.parameters())
    try:
        attempts = input_attempts(model, model.config, choices="MultipleChoice" in model_class.__name__)
    except UnbuildableInput as error:
        result.skip(str(error))
        return result
    except Exception as error:  # noqa: BLE001 - a limit of modelgen's input builder, not a model defect
        result.skip(f"could not build dummy inputs: {_describe(error)}")
        return result

    reference = None
    if compare_devices:
        inputs, outputs, error = _first_working_forward(model, attempts)
        if error is not None:
            _fail_with_full_size(result, "forward", error, model_class, config)
            return result
        reference = outputs
    model.to(device)
    inputs, first, error = _first_working_forward(model, attempts, device)
    if error is not None:
        _fail_with_full_size(result, "forward", error, model_class, config)
        return result
    result.inputs = sorted(inputs)
    _check_finite(result, model, inputs, first, device)

    started = time.perf_counter()
    with torch.no_grad():
        second = flatten_outputs(model(**_to(inputs, device)))
    _synchronise(device)
    result.forward_ms = round((time.perf_counter() - started) * 1000, 2)
    result.memory_mb = _peak_memory_mb(device)
    # A third forward under the watch: a torch function mode changes some kernels' paths (nn.MultiheadAttention
    # leaves its fast path), so its outputs are not compared, only the dropout and random calls it saw.
    watch = _RandomnessWatch()
    with torch.no_grad(), watch:
        model(**_to(inputs, device))
    if watch.active_dropout:
        result.fail("dropout", f"dropout active in eval mode: {', '.join(sorted(set(watch.active_dropout)))}")
    result.comparisons["determinism"] = compared(first, second, atol)
    difference = first_difference(first, second, atol)
    deterministic = difference is None
    if not deterministic and not watch.active_dropout:  # active dropout already explains the difference
        if watch.random_ops:
            result.find("random-in-eval", "determinism", f"two eval forwards differ: {difference} (random ops in "
                        f"forward: {', '.join(sorted(set(watch.random_ops)))})")
        else:
            result.fail("determinism", f"two eval forwards differ: {difference}")
    _check_save_load(result, model, model_class, inputs, first, device, compare_outputs=deterministic, atol=atol)
    if reference is not None:
        difference = first_difference(reference, first, DEVICE_TOLERANCE)
        if difference is not None:
            result.fail("devices", f"cpu vs {device}: {difference}")
    return result


def _fail_with_full_size(result: ClassResult, check: str, error: str, model_class: type, config) -> None:
    result.fail(check, error)
    result.full_size = reproduce_at_full_size(model_class, config, check, error)


def _first_working_forward(model, attempts, device: str = "cpu"):
    """The first attempt that runs, else the failure to report (`_reported_failure`)."""
    failures = []
    for index, inputs in enumerate(_with_channel_variants(attempts)):
        try:
            torch.manual_seed(0)
            with torch.no_grad():
                outputs = flatten_outputs(model(**_to(inputs, device)))
            _synchronise(device)
            return inputs, outputs, None
        except Exception as failure:  # noqa: BLE001 - the model's failure is the finding
            if index < len(attempts) or not failures:  # not a channel-layout fallback that fits a few audio models
                failures.append(f"{_describe(failure)} (inputs: {', '.join(inputs)})")
    return None, None, _reported_failure(failures)


_MISSING_CONFIG_FIELD = re.compile(r"^AttributeError: '\w*Config' object has no attribute ")


def _reported_failure(failures: list[str]) -> str:
    """The model's code reading a field its config class lacks is its defect whatever the inputs, so that failure
    wins (the Qwen-Omni thinkers' `vision_start_token_id`); otherwise the last planned attempt's, the fullest."""
    return next((failure for failure in failures if _MISSING_CONFIG_FIELD.match(failure)), failures[-1])


def _with_channel_variants(attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Raw audio is (batch, samples) for speech encoders and (batch, channels, samples) for audio codecs; audio
    features are (batch, frames, bins) or, for spectrogram-as-image encoders (CLAP), (batch, 1, frames, bins)."""
    variants = list(attempts)
    for inputs in attempts:
        for name, rank in (("input_values", 2), ("input_features", 3)):
            values = inputs.get(name)
            if isinstance(values, torch.Tensor) and values.dim() == rank:
                variants.append(dict(inputs, **{name: values[:, None]}))
    return variants


def compared(first: list[tuple[str, torch.Tensor]], second: list[tuple[str, torch.Tensor]], atol: float
             ) -> dict[str, Any]:
    """What the JSON report keeps of a comparison: the largest absolute difference, whether the outputs are
    bit-identical, and the tolerance the verdict used."""
    same_paths = [path for path, _ in first] == [path for path, _ in second]
    differences = [_max_difference(a, b.to(a.device)) for (_, a), (_, b) in zip(first, second)
                   if a.shape == b.shape] if same_paths else []
    exact = same_paths and all(identical(a, b.to(a.device)) for (_, a), (_, b) in zip(first, second))
    largest = max(differences, default=0.0) if same_paths else None
    return {"max_abs_diff": largest, "exact": exact, "atol": atol}


def _check_finite(result: ClassResult, model, inputs: dict[str, Any], first, device: str) -> None:
    """NaN anywhere, or an infinity that is not an intended mask, on either input draw fails `finite`. The second
    draw (realistic ranges, other seeds) also tells a mask (the same infinities on both) from an overflow."""
    redrawn = second_draw(inputs, model.config)
    try:
        torch.manual_seed(0)
        with torch.no_grad():
            other = flatten_outputs(model(**_to(redrawn, device)))
        _synchronise(device)
    except Exception as error:  # noqa: BLE001 - a forward that only breaks on realistic values is the model's
        result.fail("forward", f"{_describe(error)} (second input draw: normalised pixels, log-mel features, "
                    "large embeddings, other token ids)")
        return
    for draw, outputs in (("", first), (" on the second input draw", other)):
        nan = [path for path, tensor in outputs if tensor.is_floating_point() and torch.isnan(tensor).any()]
        if nan:
            result.fail("finite", f"NaN in {', '.join(nan[:5])}{draw}")
            return
    masked, overflow = unexplained_infinities(first, other)
    result.masked_infinities = masked
    if overflow:
        result.fail("finite", f"inf in {', '.join(overflow[:5])} (not a mask: it moves with the input)")


def _check_save_load(result: ClassResult, model, model_class, inputs, outputs, device: str,
                     compare_outputs: bool = True, atol: float = RELOAD_TOLERANCE) -> None:
    """Keys always; outputs only when the forward is deterministic (otherwise they differ for that reason)."""
    try:
        with tempfile.TemporaryDirectory(prefix="modelgen-smoke-") as folder:
            model.save_pretrained(folder)
            loaded, info, kernels = load_like(model, model_class, folder)
    except Exception as error:  # noqa: BLE001
        result.fail("save_load", _describe(error))
        return
    problems = [f"{kind} keys {sorted(info.get(kind) or [])[:5]}" for kind in ("missing_keys", "unexpected_keys")
                if info.get(kind)]
    if info.get("mismatched_keys"):
        problems.append(f"mismatched keys {[key[0] for key in info['mismatched_keys']][:5]}")
    loaded.to(device).eval()
    _own_memory(loaded)
    if not compare_outputs:
        if problems:
            result.fail("save_load", "; ".join(problems))
        return
    try:
        with torch.no_grad():
            reloaded = flatten_outputs(loaded(**_to(inputs, device)))
        result.comparisons["save_load"] = compared(outputs, reloaded, atol)
        difference = first_difference(outputs, reloaded, atol)
        if difference is not None:
            problems.append(f"outputs differ after reload: {difference}" + (f" ({kernels})" if kernels else ""))
    except Exception as error:  # noqa: BLE001
        problems.append(f"forward after reload: {_describe(error)}")
    if problems:
        result.fail("save_load", "; ".join(problems))


def _own_memory(model) -> None:
    """Weights loaded on the CPU can be views into the memory-mapped safetensors file, at addresses that are not
    64-byte aligned, where BLAS picks other kernels that round differently (1e-6 apart on DiffusionGemma): copy
    them into fresh memory, so the same weights compute the same outputs (tied weights are one Parameter, so they
    stay tied)."""
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            tensor.data = tensor.data.clone()


def _to(inputs: dict[str, Any], device: str) -> dict[str, Any]:
    """Tensors moved to the device; per-call inputs (video sessions) built anew there."""
    return {name: _moved(value, device) for name, value in inputs.items()}


def _moved(value: Any, device: str) -> Any:
    """A tensor, or the tensors of a dataclass of inputs (ESMFold 2's `atom_inputs`), on the device."""
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, PerCall):
        return value.build(device)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{field.name: getattr(value, field.name).to(device)
                                             for field in dataclasses.fields(value)
                                             if isinstance(getattr(value, field.name), torch.Tensor)})
    return value


def _synchronise(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _peak_memory_mb(device: str) -> float:
    """CUDA: peak allocated by torch; CPU: peak resident set size of the worker process so far."""
    if device.startswith("cuda"):
        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    scale = 1 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)


def _describe(error: BaseException) -> str:
    """`Type: message` plus the innermost frame of the model's own code."""
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" for frame in reversed(frames)
                  if "/models/" in frame.filename), None)
    text = f"{type(error).__name__}: {error}"
    return f"{text} [{where}]" if where else text


def _first(names: list[str], count: int = 5) -> str:
    more = f" and {len(names) - count} more" if len(names) > count else ""
    return ", ".join(names[:count]) + more


def _one_line(text: str, limit: int = 500) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
