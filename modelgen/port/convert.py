"""Plan a conversion on meta tensors, then stream it: one source tensor read, converted and written at a time.

Planning reads only the checkpoint's headers and builds the model on the meta device, runs every rule's
operations on meta tensors and collects every problem at once. Writing happens only when there are none, into
a temporary folder renamed into place at the end, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from modelgen.errors import ModelgenError
from modelgen.port.operations import OPERATIONS, Operation, Step
from modelgen.port.rules import Rule, RuleSet
from modelgen.port.sources import Source, open_source
from modelgen.port.tensorfile import DTYPE_NAMES, DTYPES, TensorInfo, write_sharded

MAPPING_REPORT = "port_mapping.json"
REPORT_FORMAT = "modelgen-port-mapping"
REPORT_VERSION = 1
_OPERATION_ERRORS = (ValueError, RuntimeError, KeyError, IndexError, TypeError, AttributeError)


@dataclass
class Application:
    """One use of a rule: these source keys, through these operations, into these targets."""

    rule: Rule | None
    sources: list[str]
    targets: list[str]
    operations: list[Operation]
    steps: list[Step] = field(default_factory=list)
    source_infos: list[TensorInfo] = field(default_factory=list)
    target_infos: list[TensorInfo] = field(default_factory=list)

    def run_forward(self, tensors: list[torch.Tensor], lookup) -> list[torch.Tensor]:
        record = not self.steps
        for operation in self.operations:
            if record:
                self.steps.append(Step.of(tensors))
            tensors = operation.forward(tensors, lookup)
        return tensors

    def run_inverse(self, tensors: list[torch.Tensor], lookup) -> list[torch.Tensor]:
        for operation, step in reversed(list(zip(self.operations, self.steps))):
            tensors = operation.inverse(tensors, step, lookup)
        return tensors

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.index if self.rule else None, "line": self.rule.line if self.rule else None,
            "sources": self.sources, "targets": self.targets,
            "source_shapes": [list(info.shape) for info in self.source_infos],
            "source_dtypes": [DTYPE_NAMES[info.dtype] for info in self.source_infos],
            "target_shapes": [list(info.shape) for info in self.target_infos],
            "target_dtypes": [DTYPE_NAMES[info.dtype] for info in self.target_infos],
            "operations": [{"name": operation.name, "value": operation.value, **step.as_dict()}
                           for operation, step in zip(self.operations, self.steps)],
        }


@dataclass(frozen=True)
class Problem:
    message: str
    rule: Rule | None = None

    def format(self, rules_path: Path | str) -> str:
        if self.rule is None:
            return self.message
        return f"{rules_path}:{self.rule.line}: {self.rule.describe()}: {self.message}"


@dataclass
class ConversionPlan:
    applications: list[Application]
    problems: list[Problem]
    expected: dict[str, TensorInfo]
    stored: list[str]  # the names written, in the model's order (one per tied group)
    producer: dict[str, tuple[int, str]]  # stored name -> (application index, its target that holds the value)
    source_keys: list[str]
    lookups: dict[str, Any]


class RecordingLookup:
    """Config values by name, remembering every one read (the mapping report keeps them for --reverse)."""

    def __init__(self, read: Callable[[str], Any]):
        self.read = read
        self.seen: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        try:
            value = self.read(name)
        except (AttributeError, KeyError):
            raise KeyError(f"the config has no value {name!r}") from None
        self.seen[name] = value
        return value


def expected_tensors(model: torch.nn.Module) -> tuple[dict[str, TensorInfo], dict[str, tuple[str, ...]]]:
    """Every parameter and persistent buffer, and for each name the names tied to the same tensor."""
    state = model.state_dict(keep_vars=True)
    by_tensor: dict[int, list[str]] = {}
    for name, tensor in state.items():
        by_tensor.setdefault(id(tensor), []).append(name)
    groups = {name: tuple(names) for names in by_tensor.values() for name in names}
    return {name: TensorInfo(tuple(tensor.shape), tensor.dtype) for name, tensor in state.items()}, groups


def _stored_names(expected: dict[str, TensorInfo], groups: dict[str, tuple[str, ...]], tied_patterns) -> list[str]:
    """One name per tied group, the one `save_pretrained` keeps (not listed in `_tied_weights_keys`)."""
    stored = []
    for name in expected:
        group = groups[name]
        preferred = [member for member in group if not any(re.search(pattern, member) for pattern in tied_patterns)]
        if name == (preferred or list(group))[0]:
            stored.append(name)
    return stored


def plan_conversion(rule_set: RuleSet, source: Source, model: torch.nn.Module, lookup: RecordingLookup) -> ConversionPlan:
    expected, groups = expected_tensors(model)
    problems: list[Problem] = []
    source_keys = source.keys()
    matches: dict[int, list[tuple[str, re.Match[str]]]] = {rule.index: [] for rule in rule_set.rules}
    for key in source_keys:
        for rule in rule_set.rules:
            found = rule.pattern.fullmatch(key)
            if found:
                matches[rule.index].append((key, found))
                break
        else:
            problems.append(Problem(f"source key {key!r} {_shape(source.info(key))}: no rule consumes it"))
    applications = []
    for rule in rule_set.rules:
        if not matches[rule.index]:
            problems.append(Problem(f"matches no source key (pattern {rule.pattern.pattern!r})", rule))
            continue
        applications.extend(_applications(rule, matches[rule.index], problems))
    assigned: dict[str, tuple[int, str]] = {}  # tied group's first name -> (application, target)
    for position, application in enumerate(applications):
        application.source_infos = [source.info(key) for key in application.sources]
        metas = [torch.empty(info.shape, dtype=info.dtype, device="meta") for info in application.source_infos]
        try:
            outputs = application.run_forward(metas, lookup)
        except _OPERATION_ERRORS as error:
            problems.append(Problem(f"{', '.join(application.sources)}: {' '.join(str(error).split())}",
                                    application.rule))
            continue
        if len(outputs) != len(application.targets):
            problems.append(Problem(f"{', '.join(application.sources)}: the operations give {len(outputs)} tensors "
                                    f"for {len(application.targets)} targets", application.rule))
            continue
        application.target_infos = [TensorInfo(tuple(tensor.shape), tensor.dtype) for tensor in outputs]
        for target, info in zip(application.targets, application.target_infos):
            _check_target(application, target, info, expected, groups, assigned, position, problems)
    for name in expected:
        if groups[name][0] not in assigned and name == groups[name][0]:
            tied = f" (tied with {', '.join(groups[name][1:])})" if len(groups[name]) > 1 else ""
            problems.append(Problem(f"model tensor {name!r} {_shape(expected[name])}{tied}: nothing assigns it"))
    stored = _stored_names(expected, groups, getattr(model, "_tied_weights_keys", None) or [])
    producer = {name: assigned[groups[name][0]] for name in stored if groups[name][0] in assigned}
    return ConversionPlan(applications, problems, expected, stored, producer, source_keys, lookup.seen)


def _applications(rule: Rule, matched: list[tuple[str, re.Match[str]]], problems: list[Problem]) -> list[Application]:
    by_targets: dict[tuple[str, ...], list[tuple[str, re.Match[str]]]] = {}
    for key, found in matched:
        by_targets.setdefault(rule.render(found), []).append((key, found))
    applications = []
    for targets, members in by_targets.items():
        if rule.gathers:
            members = sorted(members, key=lambda member: rule.order_key(member[1]))
        elif len(members) > 1:
            problems.append(Problem(f"source keys {', '.join(key for key, _ in members)} all map to "
                                    f"{', '.join(targets)} (gather them with concat or stack, or tell them apart)",
                                    rule))
            continue
        applications.append(Application(rule, [key for key, _ in members], list(targets), rule.operations))
    return applications


def _check_target(application, target, info, expected, groups, assigned, position, problems) -> None:
    rule = application.rule
    sources = ", ".join(application.sources)
    if target not in expected:
        close = [name for name in expected if name.rsplit(".", 1)[-1] == target.rsplit(".", 1)[-1]][:3]
        hint = f" (similar: {', '.join(close)})" if close else ""
        problems.append(Problem(f"{sources} -> {target!r}: no such parameter or persistent buffer{hint}", rule))
        return
    want = expected[target]
    if info.shape != want.shape:
        problems.append(Problem(f"{sources} -> {target}: shape mismatch: the rule gives {list(info.shape)}, "
                                f"the model has {list(want.shape)}", rule))
    elif info.dtype != want.dtype:
        problems.append(Problem(f"{sources} -> {target}: dtype mismatch: the rule gives {_dtype(info.dtype)}, "
                                f"the model has {_dtype(want.dtype)} (add dtype = \"{_dtype(want.dtype)}\")", rule))
    head = groups[target][0]
    if head in assigned:
        other = assigned[head][1]
        tied = "" if other == target else f" (tied with {other})"
        problems.append(Problem(f"{sources} -> {target}: already assigned{tied} by "
                                f"{_describe_position(assigned[head][0], position)}", rule))
        return
    assigned[head] = (position, target)


def _describe_position(first: int, second: int) -> str:
    return "an earlier source key" if first != second else "this same rule"


def _shape(info: TensorInfo) -> str:
    return f"{list(info.shape)} {_dtype(info.dtype)}"


def _dtype(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def mapping_table(plan: ConversionPlan) -> list[str]:
    lines = []
    for application in plan.applications:
        operations = " ".join(operation.describe() for operation in application.operations
                              if operation.name != "drop")
        shapes = " ".join(str(list(info.shape)) for info in application.source_infos)
        if not application.targets:
            lines.append(f"{', '.join(application.sources)} {shapes}: dropped (rule {application.rule.index})")
            continue
        outputs = " ".join(str(list(info.shape)) for info in application.target_infos) or "?"
        arrow = f" {operations} ->" if operations else " ->"
        lines.append(f"{', '.join(application.sources)} {shapes}{arrow} {', '.join(application.targets)} {outputs}")
    return lines


def write_conversion(plan: ConversionPlan, source: Source, lookup, config, model_cls: type, output: Path,
                     max_shard_bytes: int, report_fields: dict[str, Any]) -> list[str]:
    """Stream every stored tensor into `output` (safetensors shards, config, mapping report); nothing on failure."""
    pending: dict[tuple[int, str], torch.Tensor] = {}
    wanted = set(plan.producer.values())

    def produce(name: str) -> torch.Tensor:
        position, target = plan.producer[name]
        if (position, target) not in pending:
            application = plan.applications[position]
            outputs = application.run_forward([source.load(key) for key in application.sources], lookup)
            for other, tensor in zip(application.targets, outputs):
                if (position, other) in wanted:
                    pending[(position, other)] = tensor
        return pending.pop((position, target))

    tensors = [(name, plan.expected[name]) for name in plan.stored if name in plan.producer]
    stored_as = {target: name for name, (position, target) in plan.producer.items() if target != name}

    def write(folder: Path) -> list[str]:
        files = write_sharded(folder, tensors, produce, max_shard_bytes)
        config.architectures = [model_cls.__name__]
        config.torch_dtype = _dtype(next(iter(plan.expected.values())).dtype) if plan.expected else None
        config.save_pretrained(str(folder))
        report = {"format": REPORT_FORMAT, "version": REPORT_VERSION, **report_fields,
                  "model_class": model_cls.__name__, "files": files, "source_keys": plan.source_keys,
                  "config_values": plan.lookups, "stored_as": stored_as,
                  "applications": [application.as_dict() for application in plan.applications]}
        (folder / MAPPING_REPORT).write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
        return files

    return write_atomically(output, write)


def write_atomically(output: Path, write: Callable[[Path], Any]) -> Any:
    """Run `write` into a temporary sibling of `output` and rename it into place only when it succeeded."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise ModelgenError("already exists and is not an empty folder; choose a new output folder", output)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{output.name}.partial-", dir=output.parent))
    try:
        result = write(temporary)
        if output.exists():
            output.rmdir()
        os.rename(temporary, output)
        return result
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


# --reverse: a port's weights back to the original layout, from the mapping report a conversion wrote


def load_report(folder: Path) -> dict[str, Any]:
    path = folder / MAPPING_REPORT
    if not path.is_file():
        raise ModelgenError(f"no {MAPPING_REPORT} here: --reverse needs the folder a conversion wrote", folder)
    report = json.loads(path.read_text(encoding="utf-8"))
    if report.get("format") != REPORT_FORMAT or report.get("version") != REPORT_VERSION:
        raise ModelgenError(f"not a version-{REPORT_VERSION} {REPORT_FORMAT} file", path)
    return report


def reverse_applications(report: dict[str, Any]) -> tuple[list[Application], list[str]]:
    """The report's applications rebuilt, and every reason one of them cannot be undone."""
    applications, problems = [], []
    for entry in report["applications"]:
        operations = [OPERATIONS[item["name"]](item["value"]) for item in entry["operations"]]
        application = Application(None, entry["sources"], entry["targets"], operations,
                                  [Step.from_dict(item) for item in entry["operations"]],
                                  [TensorInfo(tuple(shape), DTYPES[dtype]) for shape, dtype
                                   in zip(entry["source_shapes"], entry["source_dtypes"])])
        for operation, step in zip(operations, application.steps):
            if not operation.invertible(step):
                problems.append(f"line {entry['line']}: rule {entry['rule']}: {operation.describe()} cannot be undone "
                                f"({', '.join(entry['sources'])})")
        applications.append(application)
    return applications, problems


def write_reverse(folder: Path, output: Path, max_shard_bytes: int) -> list[str]:
    report = load_report(folder)
    applications, problems = reverse_applications(report)
    if problems:
        raise ConversionFailed(problems)
    converted = open_source(folder)
    stored_as = report.get("stored_as", {})
    values = report.get("config_values", {})
    owner = {key: (position, index) for position, application in enumerate(applications)
             for index, key in enumerate(application.sources)}
    pending: dict[str, torch.Tensor] = {}

    def produce(key: str) -> torch.Tensor:
        if key not in pending:
            application = applications[owner[key][0]]
            tensors = [converted.load(stored_as.get(target, target)) for target in application.targets]
            pending.update(zip(application.sources, application.run_inverse(tensors, values.__getitem__)))
        return pending.pop(key)

    infos = {key: applications[position].source_infos[index] for key, (position, index) in owner.items()}
    tensors = [(key, infos[key]) for key in report["source_keys"] if key in infos]
    return write_atomically(output, lambda target: write_sharded(target, tensors, produce, max_shard_bytes,
                                                                 stem="original"))


class ConversionFailed(ModelgenError):
    """Every problem of a conversion, reported together."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing written")
        self.problems = problems
