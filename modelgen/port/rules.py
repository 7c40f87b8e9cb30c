"""Conversion rules from TOML: which source keys go where, through which operations.

    [[rule]]
    source = 'layers\\.(\\d+)\\.self_attn\\.in_proj_weight'      # a regular expression over source keys
    target = ['encoder.layer.{1}.attention.self.query.weight',   # templates: {1} is the first group,
              'encoder.layer.{1}.attention.self.key.weight',     # {name} a named group
              'encoder.layer.{1}.attention.self.value.weight']
    split = {dim = 0, chunks = 3}                                # operations, applied in written order

Rules apply in order and the first rule whose pattern matches the whole key consumes it. A rule with a
`concat` or `stack` gathers every key rendering the same targets, ordered by the groups its targets do not
use. Problems are reported as `path:line: message`, the line of the rule's `[[rule]]` header.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.port.operations import OPERATIONS, Operation

_RULE_KEYS = {"source", "target"}


@dataclass
class Rule:
    index: int  # 1-based position in the file
    line: int
    pattern: re.Pattern[str]
    targets: list[str]
    operations: list[Operation] = field(default_factory=list)

    @property
    def gathers(self) -> bool:
        return any(operation.many_to_one for operation in self.operations)

    @property
    def drops(self) -> bool:
        return any(operation.name == "drop" for operation in self.operations)

    def describe(self) -> str:
        return f"rule {self.index} (line {self.line})"

    def render(self, match: re.Match[str]) -> tuple[str, ...]:
        groups = (match.group(0), *match.groups())
        return tuple(template.format(*groups, **match.groupdict()) for template in self.targets)

    def order_key(self, match: re.Match[str]) -> tuple:
        """How gathered sources are ordered: by the groups no target uses, numbers as numbers."""
        used = set().union(*(_fields(template) for template in self.targets)) if self.targets else set()
        names = {index: name for name, index in self.pattern.groupindex.items()}
        free = [index for index in range(1, self.pattern.groups + 1)
                if str(index) not in used and names.get(index) not in used]
        return tuple(_natural(match.group(index) or "") for index in free)


@dataclass
class RuleSet:
    path: Path
    rules: list[Rule]


def load_rules(path: Path) -> RuleSet:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ModelgenError(error.strerror or str(error), path) from error
    return parse_rules(text, path)


def parse_rules(text: str, path: Path) -> RuleSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ModelgenError(f"invalid TOML: {message}", path, int(found.group(1)) if found else None) from error
    unknown = sorted(set(data) - {"rule"})
    if unknown:
        raise ModelgenError(f"unknown top-level key {unknown[0]!r} (rules are [[rule]] tables)", path,
                            _line_of(text, unknown[0]))
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise ModelgenError("`rule` must be an array of tables ([[rule]])", path, _line_of(text, "rule"))
    lines = [number for number, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*rule\s*\]\]", line)]
    lines += [None] * (len(entries) - len(lines))  # inline arrays of tables: no header line
    return RuleSet(path, [_parse_rule(entry, index, line, path) for index, (entry, line)
                          in enumerate(zip(entries, lines), 1)])


def _parse_rule(entry: dict, index: int, line: int | None, path: Path) -> Rule:
    def fail(message: str) -> ModelgenError:
        return ModelgenError(f"rule {index}: {message}", path, line)

    unknown = sorted(set(entry) - _RULE_KEYS - set(OPERATIONS))
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: source, target, {', '.join(OPERATIONS)})")
    if not isinstance(entry.get("source"), str):
        raise fail("needs source = 'REGEX' (a string)")
    try:
        pattern = re.compile(entry["source"])
    except re.error as error:
        raise fail(f"source is not a regular expression: {error}") from error
    operations = []
    for key, value in entry.items():
        if key in OPERATIONS:
            try:
                operations.append(OPERATIONS[key](value))
            except (ValueError, TypeError) as error:
                raise fail(str(error)) from error
    rule = Rule(index, line or 0, pattern, _targets(entry, fail), operations)
    if rule.drops and rule.targets:
        raise fail("a drop rule has no target")
    if not rule.drops and not rule.targets:
        raise fail("needs target = 'TEMPLATE' or a list of them (or drop = true)")
    if sum(operation.many_to_one for operation in operations) > 1:
        raise fail("at most one of concat and stack")
    for template in rule.targets:
        for name in _fields(template):
            if name.isdigit() and int(name) > pattern.groups:
                raise fail(f"target {template!r} uses group {{{name}}} but the source has {pattern.groups} groups")
            if not name.isdigit() and name not in pattern.groupindex:
                raise fail(f"target {template!r} uses {{{name}}}, which is no group of the source")
    return rule


def _targets(entry: dict, fail) -> list[str]:
    target = entry.get("target", [])
    targets = [target] if isinstance(target, str) else target
    if not isinstance(targets, list) or not all(isinstance(item, str) and item for item in targets):
        raise fail("target must be a string or a list of strings")
    for template in targets:
        try:
            _fields(template)
        except ValueError as error:
            raise fail(f"target {template!r}: {error}") from error
    return targets


def _fields(template: str) -> set[str]:
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name or spec or conversion:
            raise ValueError("placeholders are {N} or {name}, without format specs")
        names.add(name)
    return names


def _natural(text: str) -> tuple[int, int | str]:
    return (0, int(text)) if text.isdigit() else (1, text)


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*\[*\s*{re.escape(key)}\b", line):
            return number
    return None
