"""What a lint rule is: a small class with its message, rationale, examples and (maybe) a safe fix.

Rules detect on Python's `ast` during one shared walk of each file (see `engine.py`): a rule names the node
types it wants in `node_types` and gets `visit(node, file)` for each, then `finish(file)` once at the end
for whole-file checks such as class hierarchies. Naming rules instead define `wants_binding(name)` (a cheap,
memoised filter) and `on_binding(binding, file)`, called once per name and scope (see `bindings.py`). The `valid` / `invalid` examples next to each rule are its
tests (collected by `tests/lint/test_rule_examples.py`) and what `--explain` prints.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, NamedTuple

if TYPE_CHECKING:
    from modelgen.lint.context import FileContext

# Where an example lives unless it says otherwise: a modeling file of the model `brand_new_bert`.
EXAMPLE_MODELING_PATH = "src/transformers/models/brand_new_bert/modeling_brand_new_bert.py"
EXAMPLE_CONFIGURATION_PATH = "src/transformers/models/brand_new_bert/configuration_brand_new_bert.py"

# File kinds, from the file name: what a rule applies to.
MODELING, CONFIGURATION, MODULAR, OTHER = "modeling", "configuration", "modular", "other"


@dataclass(frozen=True)
class Example:
    """A snippet that the rule must accept (`valid`) or flag (`invalid`).

    `lines` (invalid only) are the lines the rule must report, in order; `fixed` is the text `--fix` must
    produce for a rule with a safe fix (None: the fix must leave the text unchanged).
    """

    code: str
    path: str = EXAMPLE_MODELING_PATH
    lines: tuple[int, ...] = ()
    fixed: str | None = None
    note: str = ""


class Finding(NamedTuple):
    """One problem in one file. `context` is the enclosing definition (`BertModel.forward`, or "" at module
    level); `subject` is the name the rule is about (used to match findings across renamed files);
    `line_hash` hashes the offending line's text so that a baseline survives line shifts. A named tuple:
    a warm run rebuilds tens of thousands of them from the cache."""

    path: str
    line: int
    column: int
    code: str
    message: str
    context: str = ""
    subject: str = ""
    line_hash: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }

    def as_row(self) -> list:
        """Everything but the path, as a compact list for the result cache."""
        return [self.line, self.column, self.code, self.message, self.context, self.subject, self.line_hash]

    @classmethod
    def from_row(cls, path: str, row: list) -> Finding:
        return cls(path, *row)


@dataclass(frozen=True)
class RuleSettings:
    """The configuration that changes what rules detect (part of the result cache key)."""

    abbreviations: dict[str, str] = field(default_factory=dict)
    framework_names: frozenset[str] = frozenset()  # class attributes a library's base classes read by name

    def cache_key(self) -> str:
        return repr((sorted(self.abbreviations.items()), sorted(self.framework_names)))


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case, for people: `no-sequential-subclass`
    title: ClassVar[str]  # one line for --list-rules
    message: ClassVar[str]  # a format string; `report()` fills it with keyword arguments
    rationale: ClassVar[str]
    fix_note: ClassVar[str] = "no safe fix"  # what --fix does for this rule, or why it does nothing
    applies_to: ClassVar[frozenset[str]] = frozenset({MODELING})
    node_types: ClassVar[tuple[type[ast.AST], ...]] = ()
    # For expression node types (`ast.Call`): substrings that every line holding such a node of interest
    # contains (`"normal_"`). The walk then descends only into expressions on those lines; a rule with
    # expression node types and no triggers makes the walk visit every expression of the file.
    expression_triggers: ClassVar[tuple[str, ...] | None] = None
    valid: ClassVar[tuple[Example, ...]] = ()
    invalid: ClassVar[tuple[Example, ...]] = ()

    def __init__(self, settings: RuleSettings):
        self.settings = settings

    def visit(self, node: ast.AST, file: FileContext) -> None:
        """Called for every node of a type in `node_types`, in source order."""

    def finish(self, file: FileContext) -> None:
        """Called once after the walk, for checks on the whole file."""

    @classmethod
    def has_fix(cls) -> bool:
        return cls.fix is not Rule.fix

    def fix(self, source: str, findings: list[Finding], path: str) -> str:
        """The source with this rule's safe fixes for `findings` applied (libcst); rules without one keep this."""
        return source
