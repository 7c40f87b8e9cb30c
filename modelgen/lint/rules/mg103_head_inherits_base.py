"""MG103: a head model inherits the base model instead of composing it."""

from __future__ import annotations

import re

from modelgen.lint.context import ClassInfo, FileContext
from modelgen.lint.hierarchy import is_pretrained_name, last_segment
from modelgen.lint.rule import Example, Rule

# `BertForMaskedLM` is a head of `Bert`; `Xformer` is not a head (`For` must start a CamelCase word).
HEAD_NAME = re.compile(r"^(?P<prefix>[A-Za-z0-9_]+?)For[A-Z0-9]")


def inherited_base_model(info: ClassInfo) -> str | None:
    """The base model a head class subclasses (`BertModel` for `BertForMaskedLM(BertModel)`), if it does."""
    if not HEAD_NAME.match(info.name):
        return None
    for base in info.bases:
        name = last_segment(base)
        if name.endswith("Model") and not is_pretrained_name(name) and not HEAD_NAME.match(name):
            return name
    return None


_HEADER = "from ...modeling_utils import PreTrainedModel\n\n\nclass BrandNewBertPreTrainedModel(PreTrainedModel):\n    config_class = BrandNewBertConfig\n\n\nclass BrandNewBertModel(BrandNewBertPreTrainedModel):\n    def forward(self, input_ids):\n        return input_ids\n\n\n"


class HeadInheritsBaseModel(Rule):
    code = "MG103"
    name = "heads-compose"
    title = "a head model inherits the base model instead of holding it"
    message = "`{name}` subclasses `{base}`: inherit `{prefix}PreTrainedModel` and hold a `{base}` attribute"
    rationale = (
        "Design rule 2: heads compose, they do not inherit. `XForMaskedLM` inherits `XPreTrainedModel` and holds "
        "an `XModel` as an attribute that its own forward calls, so the weights live under `x.` in every head "
        "and each head's forward reads top to bottom. A head is a class named `<Prefix>For<Task>`; the base model "
        "is any `...Model` class that is not a `...PreTrainedModel`."
    )
    fix_note = "no safe fix: composing the base model moves its weights under a new attribute prefix"
    node_types = ()
    valid = (
        Example(
            _HEADER
            + "class BrandNewBertForMaskedLM(BrandNewBertPreTrainedModel):\n    def __init__(self, config):\n"
            "        super().__init__(config)\n        self.bert = BrandNewBertModel(config)\n"
        ),
        Example(
            _HEADER
            + "class BrandNewBertForCausalLM(BrandNewBertPreTrainedModel, GenerationMixin):\n    pass\n"
        ),
        Example(
            _HEADER + "class BrandNewBertXformerModel(BrandNewBertModel):\n    pass\n",
            note="not a head: `For` does not start a word",
        ),
        Example(
            "class BrandNewBertForMaskedLM(BrandNewBertPretrainedModel):\n    pass\n",
            note="the older `Pretrained` spelling is the pre-trained base, not the base model",
        ),
    )
    invalid = (
        Example(_HEADER + "class BrandNewBertForMaskedLM(BrandNewBertModel):\n    pass\n", lines=(13,)),
        Example(
            "from ..bert.modeling_bert import BertModel\n\n\nclass BrandNewBertForQuestionAnswering(BertModel):\n    pass\n",
            lines=(4,),
            note="another model's base model, imported",
        ),
        Example("class Gpt2ForSequenceClassification(GenerationMixin, Gpt2Model):\n    pass\n", lines=(1,)),
        Example("class BrandNewBertFor3DSegmentation(models.BrandNewBertModel):\n    pass\n", lines=(1,)),
    )

    def finish(self, file: FileContext) -> None:
        for info in file.classes.values():
            base = inherited_base_model(info)
            if base is not None:
                prefix = HEAD_NAME.match(info.name).group("prefix")
                file.report(
                    self,
                    info.node,
                    name=info.name,
                    base=base,
                    prefix=prefix,
                    context=info.name,
                    subject=info.name,
                )
