"""What the rules know about the file being linted: its kind, imports, top-level classes and where the walk is."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

from modelgen.cache import content_hash
from modelgen.lint.rule import CONFIGURATION, MODELING, MODULAR, OTHER, Finding, Rule

DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def file_kind(path: str) -> str:
    name = PurePosixPath(path).name
    if name.startswith("modeling_"):
        return MODELING
    if name.startswith("configuration_"):
        return CONFIGURATION
    if name.startswith("modular_"):
        return MODULAR
    return OTHER


def dotted_name(node: ast.AST) -> str | None:
    """`nn.Module` for the expression `nn.Module`; None for anything but a chain of names."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


@dataclass
class ClassInfo:
    """A module-level class: its bases as written and as resolved through the imports."""

    node: ast.ClassDef
    bases: list[str]  # as written: `nn.Module`, `BertPreTrainedModel`
    resolved_bases: list[str]  # through the imports: `torch.nn.Module`

    @property
    def name(self) -> str:
        return self.node.name

    @cached_property
    def members(self) -> set[str]:
        """Names defined in the class body: methods, assignments and annotated names."""
        names: set[str] = set()
        for statement in self.node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(statement.name)
            elif isinstance(statement, ast.Assign):
                names.update(target.id for target in statement.targets if isinstance(target, ast.Name))
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                names.add(statement.target.id)
        return names


@dataclass
class FileContext:
    path: str  # as reported: relative to the repository root, with forward slashes
    source: str
    tree: ast.Module
    filesystem_parts: tuple[str, ...] = ()  # the file's absolute path, split, to resolve relative imports
    findings: list[Finding] = field(default_factory=list)
    scopes: list[ast.AST] = field(default_factory=list)  # enclosing classes, functions and lambdas
    type_checking_depth: int = 0  # > 0 inside `if TYPE_CHECKING:`

    def __post_init__(self) -> None:
        self.kind = file_kind(self.path)
        self.imports: dict[str, str] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.state: dict[str, dict] = {}  # per-rule scratch space for this file, by rule code
        self._index_module()

    @cached_property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    @property
    def model_folder(self) -> str:
        """The folder of the model the file belongs to (`bert` for `models/bert/modeling_bert.py`)."""
        return PurePosixPath(self.path).parent.name

    @cached_property
    def package_parts(self) -> list[str]:
        """The dotted package of the file as far as it can be told: `["transformers", "models", "bert"]`."""
        parts = list(self.filesystem_parts[:-1]) or list(PurePosixPath(self.path).parent.parts)
        if "models" in parts:
            start = len(parts) - 1 - parts[::-1].index("models")
            return parts[max(start - 1, 0) :]
        return parts[-1:]

    def resolve_module(self, module: str | None, level: int) -> str:
        """The absolute dotted name of an imported module (`..bert.modeling_bert` -> `transformers.models...`)."""
        if level == 0:
            return module or ""
        base = (
            self.package_parts[: len(self.package_parts) - (level - 1)] if level > 1 else self.package_parts
        )
        return ".".join([*base, *(module.split(".") if module else [])])

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name of an expression with its first name replaced by what it was imported as."""
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        origin = self.imports.get(head)
        if origin is None:
            return name
        return f"{origin}.{rest}" if rest else origin

    def qualname(self) -> str:
        return ".".join(scope.name for scope in self.scopes if isinstance(scope, DEFINITIONS))

    def report(self, rule: Rule, node: ast.AST | None = None, **details: object) -> None:
        """Record a finding of `rule` at `node` (or at `line=`, `column=`); other keywords fill its message."""
        self.findings.append(self.finding(rule, node, **details))

    def finding(
        self,
        rule: Rule,
        node: ast.AST | None = None,
        *,
        line: int | None = None,
        column: int = 1,
        context: str | None = None,
        subject: str = "",
        **fields: object,
    ) -> Finding:
        if node is not None:
            line, column = node.lineno, node.col_offset + 1
        assert line is not None
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return Finding(
            path=self.path,
            line=line,
            column=column,
            code=rule.code,
            message=rule.message.format(**fields),
            context=self.qualname() if context is None else context,
            subject=subject,
            line_hash=content_hash(text.encode())[:12],
        )

    def _index_module(self) -> None:
        """Imports and classes at module level (also under top-level `if` / `try`), before the walk."""
        for statement in _module_level_statements(self.tree.body):
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        self.imports[head] = head
            elif isinstance(statement, ast.ImportFrom):
                module = self.resolve_module(statement.module, statement.level)
                for alias in statement.names:
                    self.imports[alias.asname or alias.name] = (
                        f"{module}.{alias.name}" if module else alias.name
                    )
            elif isinstance(statement, ast.ClassDef):
                bases = [dotted_name(base) or "" for base in statement.bases]
                resolved = [self.resolve(base) or "" for base in statement.bases]
                self.classes[statement.name] = ClassInfo(statement, bases, resolved)


def _module_level_statements(body: list[ast.stmt]):
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from _module_level_statements(statement.body)
            yield from _module_level_statements(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _module_level_statements(block)
            for handler in statement.handlers:
                yield from _module_level_statements(handler.body)


def is_type_checking_test(test: ast.expr) -> bool:
    return dotted_name(test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}
