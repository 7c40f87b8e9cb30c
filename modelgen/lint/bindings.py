"""The names a file defines — variables, parameters and `self.` attributes — each reported once per scope.

Naming rules (one-letter names, abbreviations) look at where a name is *introduced*, not at every use:
the first binding of a name in a function, class or module is reported, so that `x = f(x)` repeated
through a forward pass is one finding. Loop and comprehension targets and lambda parameters are marked
as such (the guide allows short names there); import aliases are not bindings.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

PARAMETER, VARIABLE, ATTRIBUTE, LOOP_TARGET = "parameter", "variable", "attribute", "loop target"


@dataclass(frozen=True)
class Binding:
    name: str  # `x`, or the attribute name for `self.x`
    kind: str  # PARAMETER, VARIABLE, ATTRIBUTE or LOOP_TARGET
    node: ast.AST  # where it is reported
    scope: ast.AST  # the function, class or module that owns the name
    context: str  # qualified name of the enclosing definition

    @property
    def subject(self) -> str:
        """How findings name it: `x`, or `self.x` for an attribute."""
        return f"self.{self.name}" if self.kind == ATTRIBUTE else self.name

    @property
    def is_local_variable(self) -> bool:
        """A variable of a function (not a parameter, attribute or global): renaming it is a local edit."""
        return self.kind == VARIABLE and isinstance(self.scope, (ast.FunctionDef, ast.AsyncFunctionDef))


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[ast.arg]:
    arguments = function.args
    found = [*arguments.posonlyargs, *arguments.args]
    if arguments.vararg:
        found.append(arguments.vararg)
    found.extend(arguments.kwonlyargs)
    if arguments.kwarg:
        found.append(arguments.kwarg)
    return found


def target_names(target: ast.AST) -> list[ast.Name]:
    """The names a for-loop or comprehension target binds: `i`, `(k, v)`, `[a, *rest]`."""
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in target_names(element)]
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return []
