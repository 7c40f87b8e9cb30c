"""MG102: a modeling file imports from another model's modeling module."""

from __future__ import annotations

import ast

from modelgen.lint.context import FileContext
from modelgen.lint.rule import Example, Rule
from modelgen.lint.targets import NOT_MODELS  # importing from `auto` is not reusing another model


def foreign_modeling_module(dotted: str, own_model: str) -> str | None:
    """`bert` if `dotted` is `...models.bert.modeling_bert[...]` and `bert` is not `own_model`."""
    parts = dotted.split(".")
    for index in range(len(parts) - 2):
        if parts[index] == "models" and parts[index + 2].startswith("modeling_"):
            model = parts[index + 1]
            return model if model != own_model and model not in NOT_MODELS else None
    return None


class CrossModelImport(Rule):
    code = "MG102"
    name = "self-contained-modeling"
    title = "a modeling file imports from another model's modeling module"
    message = (
        "imports `{module}` from the model `{model}`: copy the code with a `# Copied from` comment instead"
    )
    rationale = (
        "Design rule 4: the forward pass is written entirely in the model's own modeling file, independent of "
        "other models' modeling files, so that a change to one model never silently changes another. Reused "
        "blocks are copied and marked `# Copied from transformers.models.<model>.modeling_<model>.<Name>`, "
        "which `modelgen check-copies` keeps in sync. Configuration and auto imports are fine (a multimodal "
        "model composes its sub-models' configs), and so are imports under `if TYPE_CHECKING:`, which the "
        "forward pass never executes."
    )
    fix_note = "no safe fix: the imported code must be copied in with a `# Copied from` comment"
    node_types = (ast.ImportFrom, ast.Import)
    valid = (
        Example(
            "from ..bert.configuration_bert import BertConfig\nfrom ..clip.configuration_clip import CLIPVisionConfig\n",
            note="config imports in a multimodal model",
        ),
        Example("from ..auto import AutoModel\nfrom ..auto.modeling_auto import AutoModelForCausalLM\n"),
        Example(
            "from ...modeling_utils import PreTrainedModel\nfrom .configuration_brand_new_bert import BrandNewBertConfig\n"
        ),
        Example(
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from ..bert.modeling_bert import BertModel\n",
            note="only for type checkers",
        ),
        Example(
            "from .modeling_data2vec_text import Data2VecTextModel\n",
            path="src/transformers/models/data2vec/modeling_data2vec_audio.py",
            note="the same model's other modeling file",
        ),
    )
    invalid = (
        Example("from ..bert.modeling_bert import BertSelfOutput\n", lines=(1,)),
        Example("from transformers.models.bert.modeling_bert import BertModel\n", lines=(1,)),
        Example("from ..bert import modeling_bert\n", lines=(1,)),
        Example("import transformers.models.llama.modeling_llama\n", lines=(1,)),
        Example(
            "def forward(self):\n    from ...models.bert.modeling_bert import BertModel\n",
            lines=(2,),
            note="a lazy import is still a dependency",
        ),
    )

    def visit(self, node: ast.ImportFrom | ast.Import, file: FileContext) -> None:
        if file.type_checking_depth:
            return
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            module = file.resolve_module(node.module, node.level)
            candidates = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        for dotted in candidates:
            model = foreign_modeling_module(dotted, file.model_folder)
            if model is not None:
                file.report(self, node, module=dotted, model=model, subject=dotted[dotted.find("models.") :])
                return
