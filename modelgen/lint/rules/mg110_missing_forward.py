"""MG110: an `nn.Module` subclass without a `forward` of its own or from a local base."""

from __future__ import annotations

import ast

from modelgen.lint.context import ClassInfo, FileContext, dotted_name
from modelgen.lint.hierarchy import (
    foreign_bases,
    is_module_root,
    is_pretrained_name,
    last_segment,
    local_ancestors,
    local_bases,
)
from modelgen.lint.rule import Example, Rule

_IMPORTS = "from torch import nn\n\n\n"


def is_abstract(info: ClassInfo) -> bool:
    """Pre-trained bases, mixins, ABCs and classes with abstract methods are not meant to run on their own."""
    if is_pretrained_name(info.name) or info.name.endswith("Mixin"):
        return True
    if any(last_segment(base) in {"ABC", "ABCMeta"} for base in info.bases):
        return True
    if any(dotted_name(keyword.value) in {"ABCMeta", "abc.ABCMeta"} for keyword in info.node.keywords):
        return True
    return any(
        isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(
            last_segment(dotted_name(decorator) or "") == "abstractmethod"
            for decorator in statement.decorator_list
        )
        for statement in info.node.body
    )


class MissingForward(Rule):
    code = "MG110"
    name = "module-has-forward"
    title = "an nn.Module subclass has no forward of its own or from a local base"
    message = "`{name}` is an `nn.Module` without a `forward`: write it out in the class"
    rationale = (
        "The forward pass is written out in the modeling file (design rules 4 and 6): a module whose `forward` "
        "comes from nowhere in the file either fails at call time or runs code the reader cannot see. Checked: "
        "classes that derive (directly or through local classes) from `nn.Module`, `GradientCheckpointingLayer` "
        "or a `...PreTrainedModel`, and from nothing else that could supply a `forward` (mixins aside). Not "
        "checked: pre-trained bases, mixins, abstract classes (ABC or `@abstractmethod`), classes that serve as "
        "a local base of another class (their subclasses are checked), and subclasses of concrete PyTorch "
        "layers such as `nn.Linear` or containers such as `nn.ModuleList`, which bring their own behaviour."
    )
    fix_note = "no safe fix: only a person can write the forward pass"
    node_types = ()
    valid = (
        Example(
            _IMPORTS
            + "class Layer(nn.Module):\n    def forward(self, hidden_states):\n        return hidden_states\n"
        ),
        Example(
            _IMPORTS
            + "class Attention(nn.Module):\n    def forward(self, hidden_states):\n        return hidden_states\n\n\n"
            "class SdpaAttention(Attention):\n    pass\n",
            note="forward from a local base",
        ),
        Example(
            _IMPORTS + "class Conv1D(nn.Linear):\n    pass\n\n\nclass Layers(nn.ModuleList):\n    pass\n\n\n"
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    config_class = BrandNewBertConfig\n",
            note="concrete torch layers, containers, pre-trained bases",
        ),
        Example(
            _IMPORTS
            + "class AttentionBase(nn.Module):\n    def project(self, hidden_states):\n        return hidden_states\n\n\n"
            "class Attention(AttentionBase):\n    def forward(self, hidden_states):\n        return hidden_states\n\n\n"
            "class EmbeddingsMixin(nn.Module):\n    pass\n",
            note="a local base class and a mixin",
        ),
    )
    invalid = (
        Example(
            _IMPORTS + "class Layer(nn.Module):\n    def __init__(self):\n        super().__init__()\n",
            lines=(4,),
        ),
        Example(
            "class BrandNewBertModel(BrandNewBertPreTrainedModel):\n    def __init__(self, config):\n"
            "        super().__init__(config)\n",
            lines=(1,),
            note="a model without forward",
        ),
        Example(
            "import torch\n\n\nclass DecoderLayer(GradientCheckpointingLayer):\n    pass\n\n\n"
            "class Block(torch.nn.Module):\n    def forward_features(self, hidden_states):\n        return hidden_states\n",
            lines=(4, 8),
        ),
    )

    def finish(self, file: FileContext) -> None:
        used_as_base = {base.name for info in file.classes.values() for base in local_bases(file, info)}
        for info in file.classes.values():
            if info.name in used_as_base or is_abstract(info):
                continue
            ancestry = [info, *local_ancestors(file, info)]
            if any("forward" in cls.members for cls in ancestry):
                continue
            foreign = foreign_bases(file, info)
            if not any(is_module_root(base) for base in foreign):
                continue
            if all(is_module_root(base) or _supplies_no_forward(base) for base in foreign):
                file.report(self, info.node, name=info.name, context=info.name, subject=info.name)


def _supplies_no_forward(base: str) -> bool:
    name = last_segment(base)
    return name.endswith("Mixin") or name in {"object", "ABC"}
