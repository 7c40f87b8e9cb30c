"""Lint one file: parse it once, walk the tree once dispatching nodes to every active rule, apply suppressions."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Sequence

from modelgen.lint.bindings import ATTRIBUTE, PARAMETER, VARIABLE, Binding, parameters, target_names
from modelgen.lint.context import DEFINITIONS, FileContext, is_type_checking_test
from modelgen.lint.rule import Finding, Rule
from modelgen.lint.suppression import UnknownSuppressionCode, apply_suppressions
from modelgen.lint.syntax import SyntaxErrorRule

_SCOPES = (*DEFINITIONS, ast.Lambda)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def lint_source(source: str, path: str, rules: Sequence[Rule], known_codes: frozenset[str],
                filesystem_parts: tuple[str, ...] = ()) -> list[Finding]:
    """The findings of `rules` on one file's text, after `# modelgen: ignore` comments (sorted by position).

    A file that does not parse is one MG000 finding. `known_codes` are the codes a suppression may name.
    """
    codes = {rule.code for rule in rules}
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as error:
        return [SyntaxErrorRule.finding(path, error)] if SyntaxErrorRule.code in codes else []
    file = FileContext(path=path, source=source, tree=tree, filesystem_parts=filesystem_parts)
    active = [rule for rule in rules if file.kind in rule.applies_to]
    if active:
        walk = _Walk(file, active)
        walk.run()
        walk.dispatch = {}  # break the walk -> bound method -> walk cycle, so the tree is freed without gc
        for rule in active:
            rule.finish(file)
    findings = apply_suppressions(file, file.findings, known_codes, UnknownSuppressionCode.code in codes)
    return sorted(findings, key=lambda finding: (finding.line, finding.column, finding.code))


class _Walk:
    """One recursive pass over the tree that keeps the scope stack and feeds rules and name bindings."""

    def __init__(self, file: FileContext, rules: Sequence[Rule]):
        self.file = file
        self.dispatch: dict[type, list[Callable]] = defaultdict(list)
        for rule in rules:
            for node_type in rule.node_types:
                self.dispatch[node_type].append(rule.visit)
        self.binding_listeners = [rule.on_binding for rule in rules if hasattr(rule, "on_binding")]
        if self.binding_listeners:
            for node_type, handler in (
                (ast.FunctionDef, self._bind_parameters),
                (ast.AsyncFunctionDef, self._bind_parameters),
                (ast.Name, self._bind_name),
                (ast.Attribute, self._bind_attribute),
                (ast.For, self._mark_loop_target),
                (ast.AsyncFor, self._mark_loop_target),
                (ast.comprehension, self._mark_loop_target),
                (ast.ExceptHandler, self._bind_exception),
            ):
                self.dispatch[node_type].insert(0, handler)
        self.dispatch = dict(self.dispatch)
        self.seen: set[tuple[int, str]] = set()
        self.loop_targets: set[int] = set()

    def run(self) -> None:
        self.visit(self.file.tree)

    def visit(self, node: ast.AST) -> None:
        file = self.file
        handlers = self.dispatch.get(type(node))
        if handlers is not None:
            for handler in handlers:
                handler(node, file)
        is_scope = isinstance(node, _SCOPES)
        if is_scope:
            file.scopes.append(node)
        if isinstance(node, ast.If) and is_type_checking_test(node.test):
            file.type_checking_depth += 1
            for statement in node.body:
                self.visit(statement)
            file.type_checking_depth -= 1
            for statement in node.orelse:
                self.visit(statement)
        else:
            for field in node._fields:
                value = getattr(node, field)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast.AST):
                            self.visit(item)
                elif isinstance(value, ast.AST) and field != "ctx":
                    self.visit(value)
        if is_scope:
            file.scopes.pop()

    # name bindings -------------------------------------------------------------------------------------

    def _scope(self) -> ast.AST:
        for scope in reversed(self.file.scopes):
            if not isinstance(scope, ast.Lambda):
                return scope
        return self.file.tree

    def _emit(self, name: str, kind: str, node: ast.AST, scope: ast.AST, context: str) -> None:
        key = (id(scope), f"self.{name}" if kind == ATTRIBUTE else name)
        if key in self.seen:
            return
        self.seen.add(key)
        binding = Binding(name, kind, node, scope, context)
        for listener in self.binding_listeners:
            listener(binding, self.file)

    def _bind_parameters(self, node: ast.FunctionDef, file: FileContext) -> None:
        context = ".".join(filter(None, [file.qualname(), node.name]))
        for argument in parameters(node):
            self._emit(argument.arg, PARAMETER, argument, node, context)

    def _bind_name(self, node: ast.Name, file: FileContext) -> None:
        if type(node.ctx) is ast.Store and id(node) not in self.loop_targets:
            self._emit(node.id, VARIABLE, node, self._scope(), file.qualname())

    def _bind_attribute(self, node: ast.Attribute, file: FileContext) -> None:
        """`self.x = ...` in a method defines the attribute `x` of the class."""
        if type(node.ctx) is not ast.Store or not isinstance(node.value, ast.Name):
            return
        if node.value.id not in ("self", "cls") or len(file.scopes) < 2:
            return
        method, owner = file.scopes[-1], file.scopes[-2]
        if isinstance(method, _FUNCTIONS) and isinstance(owner, ast.ClassDef):
            self._emit(node.attr, ATTRIBUTE, node, owner, file.qualname())

    def _mark_loop_target(self, node: ast.For | ast.comprehension, file: FileContext) -> None:
        self.loop_targets.update(id(name) for name in target_names(node.target))

    def _bind_exception(self, node: ast.ExceptHandler, file: FileContext) -> None:
        if node.name:
            self._emit(node.name, VARIABLE, node, self._scope(), file.qualname())

