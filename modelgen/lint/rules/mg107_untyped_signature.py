"""MG107: a public function or method in a modeling file without type annotations."""

from __future__ import annotations

import ast

from modelgen.lint.bindings import parameters
from modelgen.lint.context import FileContext
from modelgen.lint.rule import Example, Rule

_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def is_public(name: str) -> bool:
    """Public: no leading underscore, or a dunder method (`__init__` is how users build the model)."""
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


class UntypedSignature(Rule):
    code = "MG107"
    name = "typed-signatures"
    title = "a public function or method without type annotations"
    message = "`{name}` lacks type annotations on: {missing}"
    rationale = (
        "Design rule 7: function signatures carry type annotations. Public means a module-level function or a "
        "method of a module-level (or nested) class whose names do not start with `_` (dunder methods such as "
        "`__init__` are public: they are how the model is built). Every parameter needs an annotation except "
        "the `self` / `cls` of a method, `*args` and `**kwargs` included; the return needs one except for "
        "`__init__`. Functions nested in functions are private helpers and are not checked."
    )
    fix_note = "no safe fix: the types must be chosen by a person"
    node_types = (ast.FunctionDef, ast.AsyncFunctionDef)
    valid = (
        Example(
            "class Layer(nn.Module):\n"
            "    def forward(self, hidden_states: torch.Tensor, *args: int, **kwargs: object) -> torch.Tensor:\n"
            "        return hidden_states\n",
            note="annotated *args and **kwargs",
        ),
        Example(
            "class Layer(nn.Module):\n    def __init__(self, config: BrandNewBertConfig):\n        super().__init__()\n\n"
            "    @classmethod\n    def build(cls, size: int) -> 'Layer':\n        return cls()\n",
            note="__init__ needs no return annotation; self and cls none at all",
        ),
        Example(
            "def _shape(tensor, size):\n    return tensor\n\n\nclass _Helper:\n    def run(self, value):\n        pass\n",
            note="private functions and classes",
        ),
        Example(
            "def apply(hidden_states: torch.Tensor) -> torch.Tensor:\n    def inner(value):\n"
            "        return value\n    return inner(hidden_states)\n",
            note="nested helpers are private",
        ),
    )
    invalid = (
        Example("def forward(self, hidden_states):\n    return hidden_states\n", lines=(1,)),
        Example(
            "class Layer(nn.Module):\n    def __init__(self, config):\n        super().__init__()\n",
            lines=(2,),
        ),
        Example(
            "def rotate_half(tensor: torch.Tensor):\n    return tensor\n", lines=(1,), note="return missing"
        ),
        Example(
            "class Layer(nn.Module):\n    @staticmethod\n    def build(self, *args: int, **kwargs) -> None:\n        pass\n",
            lines=(3,),
            note="a staticmethod's first parameter is a parameter; **kwargs unannotated",
        ),
    )

    def visit(self, node: ast.FunctionDef | ast.AsyncFunctionDef, file: FileContext) -> None:
        if not is_public(node.name) or not all(
            isinstance(scope, ast.ClassDef) and is_public(scope.name) for scope in file.scopes
        ):
            return
        arguments = parameters(node)
        in_class = bool(file.scopes)
        decorators = {
            getattr(decorator, "id", getattr(decorator, "attr", "")) for decorator in node.decorator_list
        }
        if in_class and "staticmethod" not in decorators and (node.args.posonlyargs or node.args.args):
            arguments = arguments[1:]
        missing = [_display(argument, node) for argument in arguments if argument.annotation is None]
        if node.returns is None and node.name != "__init__":
            missing.append("return")
        if missing:
            qualname = ".".join([*(scope.name for scope in file.scopes), node.name])
            file.report(
                self, node, name=qualname, missing=", ".join(missing), context=qualname, subject=node.name
            )


def _display(argument: ast.arg, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    if argument is function.args.vararg:
        return f"*{argument.arg}"
    if argument is function.args.kwarg:
        return f"**{argument.arg}"
    return argument.arg
