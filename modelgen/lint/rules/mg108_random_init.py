"""MG108: random weight initialisation outside `_init_weights`."""

from __future__ import annotations

import ast

from modelgen.lint.context import FileContext, dotted_name
from modelgen.lint.rule import MODELING, MODULAR, OTHER, Example, Rule

# Random in-place initialisers (torch.nn.init and the library's `initialization` module use the same names).
RANDOM_INITIALISERS = frozenset(
    {
        "normal_",
        "uniform_",
        "trunc_normal_",
        "xavier_uniform_",
        "xavier_normal_",
        "kaiming_uniform_",
        "kaiming_normal_",
        "orthogonal_",
        "sparse_",
        "lecun_normal_",
        "variance_scaling_",
        "trunc_normal_tf_",
        "default_flax_embed_init_",
        "bernoulli_",
        "random_",
        "exponential_",
        "geometric_",
        "log_normal_",
        "cauchy_",
    }
)
RANDOM_TENSORS = frozenset(
    {"torch.randn", "torch.rand", "torch.randint", "torch.randn_like", "torch.rand_like"}
)
PARAMETER_CLASSES = frozenset({"torch.nn.Parameter", "nn.Parameter", "torch.nn.parameter.Parameter"})
INIT_FUNCTION = "_init_weights"


def is_initialisation_module(dotted: str) -> bool:
    """`torch.nn.init`, or the library's own `initialization` module (v5: `from ... import initialization as init`)."""
    last = dotted.rsplit(".", 1)[-1]
    return dotted in {"torch.nn.init", "nn.init"} or last == "initialization"


def _weight_like(receiver: ast.AST) -> bool:
    """An attribute chain (`module.weight`, `self.proj.weight.data`) or a name that says it holds a parameter."""
    if isinstance(receiver, ast.Attribute) and receiver.attr == "data":
        receiver = receiver.value
    if isinstance(receiver, ast.Attribute):
        return dotted_name(receiver) is not None
    if isinstance(receiver, ast.Name):
        name = receiver.id.lower()
        return any(word in name for word in ("weight", "bias", "param", "embed"))
    return False


def _reachable(start: str, functions: dict[str, list[ast.AST]]) -> set[str]:
    """`start` and the names of the functions of the file it calls, directly or through each other (by name)."""
    seen = {start}
    pending = [start]
    while pending:
        for function in functions.get(pending.pop(), ()):
            for node in ast.walk(function):
                if node.__class__ is ast.Call:
                    callee = (
                        node.func.attr
                        if node.func.__class__ is ast.Attribute
                        else getattr(node.func, "id", None)
                    )
                    if callee in functions and callee not in seen:
                        seen.add(callee)
                        pending.append(callee)
    return seen


class RandomInitialisation(Rule):
    code = "MG108"
    name = "init-in-init-weights"
    title = "random weight initialisation outside _init_weights"
    message = "random initialisation `{call}` outside `_init_weights`: move it into the pre-trained model's `_init_weights`"
    rationale = (
        "Design rule 8: all random initialisation happens in `_init_weights` of the `...PreTrainedModel`, driven "
        "by config values, so that loading a checkpoint never wastes time drawing random numbers and every "
        "parameter's initialisation is in one place. Reported: `nn.init.<random>(...)` / `init.<random>(...)` "
        "(torch's or the library's `initialization` module) on weights, in-place random methods (`normal_`, "
        "`uniform_`, ...) on weights or other attribute chains, and `nn.Parameter(torch.randn(...))`. Helpers "
        "that `_init_weights` calls (by name, in the same file) count as part of it. Deterministic "
        "initialisers (`zeros_`, `ones_`, `constant_`) are not random, and random draws in `forward` that are "
        "not initialisation (`torch.randn` noise) are not reported."
    )
    fix_note = "no safe fix: moving initialisation into `_init_weights` needs the module type it applies to"
    applies_to = frozenset({MODELING, MODULAR, OTHER})
    node_types = (ast.Call, ast.FunctionDef, ast.AsyncFunctionDef)
    expression_triggers = (*sorted(RANDOM_INITIALISERS), "Parameter")
    valid = (
        Example(
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    def _init_weights(self, module):\n"
            "        if isinstance(module, nn.Linear):\n            module.weight.data.normal_(mean=0.0, std=0.02)\n"
            "            nn.init.xavier_uniform_(module.weight)\n"
        ),
        Example(
            "from ... import initialization as init\n\n\nclass BrandNewBertPreTrainedModel(PreTrainedModel):\n"
            "    @torch.no_grad()\n    def _init_weights(self, module):\n        init.normal_(module.weight, std=0.02)\n",
            note="the v5 layout's initialisation module",
        ),
        Example(
            "def trunc_normal_(tensor, mean=0.0, std=1.0):\n    tensor.uniform_(-1, 1)\n    return tensor\n",
            note="defining an initialiser is not initialising weights",
        ),
        Example(
            "def _init_child(child, std):\n    nn.init.normal_(child.weight, std=std)\n\n\n"
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    def _init_weights(self, module):\n"
            "        _init_child(module.dense, 0.02)\n",
            note="a helper that _init_weights calls",
        ),
        Example(
            "class Layer(nn.Module):\n    def __init__(self):\n        nn.init.zeros_(self.proj.bias)\n"
            "        self.scale = nn.Parameter(torch.ones(4))\n\n    def forward(self, hidden_states):\n"
            "        return hidden_states + torch.randn_like(hidden_states)\n",
            note="not random / not init",
        ),
    )
    invalid = (
        Example(
            "class Layer(nn.Module):\n    def __init__(self):\n        self.proj = nn.Linear(4, 4)\n"
            "        nn.init.xavier_uniform_(self.proj.weight)\n",
            lines=(4,),
        ),
        Example(
            "class Layer(nn.Module):\n    def reset_parameters(self):\n        self.weight.data.uniform_(-0.1, 0.1)\n",
            lines=(3,),
        ),
        Example(
            "import torch\n\n\nclass Layer(nn.Module):\n    def __init__(self, dim):\n"
            "        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))\n",
            lines=(6,),
        ),
        Example(
            "from torch.nn.init import trunc_normal_\n\n\ndef build(layer):\n    trunc_normal_(layer.weight)\n"
            "    torch.nn.init.kaiming_normal_(layer.weight)\n",
            lines=(5, 6),
        ),
        Example(
            "class Layer(nn.Module):\n    def __init__(self, dim: int = 4):\n        self.projection = nn.Linear(\n"
            "            dim,\n            dim,\n        )\n        self.gate = (\n            nn.Parameter(\n"
            "                torch.rand(dim)\n            )\n        )\n",
            lines=(8,),
            note="a call spread over several lines",
        ),
    )

    def visit(self, node: ast.AST, file: FileContext) -> None:
        state = file.state.get(self.code)
        if state is None:
            state = file.state[self.code] = {"functions": {}, "candidates": []}
        if node.__class__ is not ast.Call:
            state["functions"].setdefault(node.name, []).append(node)
            return
        function = node.func
        name = function.attr if function.__class__ is ast.Attribute else getattr(function, "id", None)
        if name in RANDOM_INITIALISERS:
            call = self._random_initialiser_call(node, file)
        elif name == "Parameter":
            call = self._random_parameter(node, file)
        else:
            return
        if call is not None:
            enclosing = {
                scope.name
                for scope in file.scopes
                if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
            state["candidates"].append((node, call, enclosing, file.qualname()))

    def finish(self, file: FileContext) -> None:
        """Report the candidates outside `_init_weights` and outside the local functions it calls."""
        state = file.state.get(self.code)
        if not state or not state["candidates"]:
            return
        reachable = _reachable(INIT_FUNCTION, state["functions"])
        for node, call, enclosing, context in state["candidates"]:
            if not enclosing & reachable:
                file.report(self, node, call=call, context=context, subject=call)

    def _random_initialiser_call(self, node: ast.Call, file: FileContext) -> str | None:
        function = node.func
        if isinstance(function, ast.Name):
            origin = file.imports.get(function.id, "")
            if not is_initialisation_module(origin.rpartition(".")[0]):
                return None
            return function.id if not node.args or _weight_like(node.args[0]) else None
        resolved_receiver = file.resolve(function.value)
        if resolved_receiver is not None and is_initialisation_module(resolved_receiver):
            target = node.args[0] if node.args else None
            return (
                f"{dotted_name(function.value)}.{function.attr}"
                if target is None or _weight_like(target)
                else None
            )
        if _weight_like(function.value):
            return f"{dotted_name(function.value) or '...'}.{function.attr}"
        return None

    def _random_parameter(self, node: ast.Call, file: FileContext) -> str | None:
        if file.resolve(node.func) not in PARAMETER_CLASSES or not node.args:
            return None
        argument = node.args[0]
        if isinstance(argument, ast.Call) and file.resolve(argument.func) in RANDOM_TENSORS:
            return f"nn.Parameter({dotted_name(argument.func)}(...))"
        return None
