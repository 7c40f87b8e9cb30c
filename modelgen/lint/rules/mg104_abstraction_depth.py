"""MG104: more than two levels of abstraction among a file's model classes."""

from __future__ import annotations

from modelgen.lint.context import FileContext
from modelgen.lint.hierarchy import is_model_class, local_bases
from modelgen.lint.rule import Example, Rule
from modelgen.lint.rules.mg103_head_inherits_base import inherited_base_model

_PRETRAINED = (
    "from ...modeling_utils import PreTrainedModel\n\n\n"
    "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    config_class = BrandNewBertConfig\n\n\n"
)


class AbstractionDepth(Rule):
    code = "MG104"
    name = "two-levels-of-abstraction"
    title = "a model class derives from a local class that derives from another local model class"
    message = "`{name}` → `{base}` → `{grandbase}`: more than two levels of abstraction"
    rationale = (
        "Design rule 1: `XModel` inherits `XPreTrainedModel`, which inherits `PreTrainedModel`, and that is all. "
        "A model class (one of the `PreTrainedModel` family) whose local base class itself derives from another "
        "local model class makes the reader chase behaviour through three files' worth of classes. Local means "
        "defined in the same file; a head that subclasses the base model is reported by MG103 instead."
    )
    fix_note = "no safe fix: flattening a hierarchy means rewriting the inherited methods into the class"
    node_types = ()
    valid = (
        Example(_PRETRAINED + "class BrandNewBertModel(BrandNewBertPreTrainedModel):\n    pass\n"),
        Example(
            _PRETRAINED
            + "class BrandNewBertForMaskedLM(BrandNewBertPreTrainedModel, GenerationMixin):\n    pass\n"
        ),
        Example(
            "from torch import nn\n\n\nclass Attention(nn.Module):\n    pass\n\n\nclass SdpaAttention(Attention):\n"
            "    pass\n\n\nclass FlashAttention(SdpaAttention):\n    pass\n",
            note="layers are not model classes",
        ),
        Example(
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    config: BrandNewBertConfig\n\n\n"
            "class BrandNewBertForTokenClassification(GenericForTokenClassification, BrandNewBertPreTrainedModel):\n"
            "    pass\n",
            note="v5 generic heads",
        ),
    )
    invalid = (
        Example(
            _PRETRAINED + "class BrandNewBertModel(BrandNewBertPreTrainedModel):\n    pass\n\n\n"
            "class BrandNewBertEncoderModel(BrandNewBertModel):\n    pass\n",
            lines=(12,),
        ),
        Example(
            _PRETRAINED + "class BrandNewBertBase(BrandNewBertPreTrainedModel):\n    pass\n\n\n"
            "class BrandNewBertModel(BrandNewBertBase):\n    pass\n\n\nclass BrandNewBertVisionModel(BrandNewBertBase):\n"
            "    pass\n",
            lines=(12, 16),
        ),
        Example(
            _PRETRAINED + "class BrandNewBertForMaskedLM(BrandNewBertPreTrainedModel):\n    pass\n\n\n"
            "class BrandNewBertForCausalLM(BrandNewBertForMaskedLM):\n    pass\n",
            lines=(12,),
        ),
    )

    def finish(self, file: FileContext) -> None:
        for info in file.classes.values():
            if not is_model_class(file, info) or inherited_base_model(info) is not None:
                continue
            for base in local_bases(file, info):
                grandbase = next((cls for cls in local_bases(file, base) if is_model_class(file, cls)), None)
                if grandbase is not None:
                    file.report(
                        self,
                        info.node,
                        name=info.name,
                        base=base.name,
                        grandbase=grandbase.name,
                        context=info.name,
                        subject=info.name,
                    )
                    break
