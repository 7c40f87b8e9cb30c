"""MG101: a class subclasses `nn.Sequential`."""

from __future__ import annotations

import ast

from modelgen.lint.context import FileContext
from modelgen.lint.rule import MODELING, MODULAR, OTHER, Example, Rule

SEQUENTIAL = frozenset({"torch.nn.Sequential", "torch.nn.modules.container.Sequential", "nn.Sequential"})

_IMPORTS = "from torch import nn\n\n"


class SequentialSubclass(Rule):
    code = "MG101"
    name = "no-sequential-subclass"
    title = "a class subclasses nn.Sequential"
    message = "`{name}` subclasses `nn.Sequential`: subclass `nn.Module` and write `forward` out"
    rationale = (
        "The guide (design rule 6) forbids `nn.Sequential` subclasses: the forward pass of a Sequential is "
        "hidden in PyTorch, so nobody can drop a print or a breakpoint into it. Subclass `nn.Module`, hold the "
        "layers as named attributes and write `forward` explicitly."
    )
    fix_note = (
        "no safe fix: turning the class into an `nn.Module` renames its parameters (`0.weight` becomes "
        "`<attribute>.weight`), which breaks loading existing checkpoints"
    )
    applies_to = frozenset({MODELING, MODULAR, OTHER})
    node_types = (ast.ClassDef,)
    valid = (
        Example(
            _IMPORTS
            + "class Block(nn.Module):\n    def forward(self, hidden_states):\n        return hidden_states\n"
        ),
        Example(
            _IMPORTS + "class Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.layers = nn.Sequential(nn.Linear(2, 2))\n",
            note="holding an nn.Sequential as an attribute is fine",
        ),
        Example(
            "from torch import nn\n\nclass Sequential:\n    pass\n\nclass Block(Sequential):\n    pass\n",
            note="a local class that happens to be called Sequential",
        ),
        Example("import torch\n\nclass Block(torch.nn.ModuleList):\n    pass\n"),
    )
    invalid = (
        Example(_IMPORTS + "class Block(nn.Sequential):\n    pass\n", lines=(3,)),
        Example("import torch\n\nclass Block(torch.nn.Sequential):\n    pass\n", lines=(3,)),
        Example("from torch.nn import Sequential\n\nclass Block(Sequential):\n    pass\n", lines=(3,)),
        Example(
            "import torch.nn as nn\n\nclass Outer:\n    class Inner(nn.Sequential):\n        pass\n",
            lines=(4,),
            note="nested classes too",
        ),
    )

    def visit(self, node: ast.ClassDef, file: FileContext) -> None:
        for base in node.bases:
            resolved = file.resolve(base)
            if resolved in SEQUENTIAL:
                file.report(self, node, name=node.name, subject=node.name)
                return
