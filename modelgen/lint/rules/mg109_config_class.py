"""MG109: the `...PreTrainedModel` class does not name its config class."""

from __future__ import annotations

import re

from modelgen.lint.context import ClassInfo, FileContext
from modelgen.lint.hierarchy import is_pretrained_name, last_segment, local_ancestors
from modelgen.lint.rule import Example, Rule


def names_config(info: ClassInfo) -> bool:
    """`config_class = XConfig`, or the v5 layout's class annotation `config: XConfig`."""
    return "config_class" in info.members or "config" in info.members


class MissingConfigClass(Rule):
    code = "MG109"
    name = "pretrained-names-config"
    title = "the ...PreTrainedModel class does not name its config class"
    message = "`{name}` does not name its config class: add `config_class = {prefix}Config` (or `config: {prefix}Config`)"
    rationale = (
        "Design rule 3: the config is always reachable as `model.config`, and the pre-trained base class names "
        "its config class so that `from_pretrained` builds the right config. Both layouts count: "
        "`config_class = XConfig` and the v5 class annotation `config: XConfig`. A `...PreTrainedModel` that "
        "derives from a local one inherits its config class."
    )
    fix_note = (
        "safe fix when the file imports exactly one `...Config` class from its own model's configuration "
        "module: `config_class = <that class>` is added as the class's first statement (not in a "
        "`# Copied from` copy: fix its source and let check-copies propagate it)"
    )
    node_types = ()
    valid = (
        Example(
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    config_class = BrandNewBertConfig\n"
        ),
        Example(
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    config: BrandNewBertConfig\n"
            "    base_model_prefix = 'model'\n",
            note="the v5 layout",
        ),
        Example(
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    config_class = BrandNewBertConfig\n\n\n"
            "class BrandNewBertVisionPreTrainedModel(BrandNewBertPreTrainedModel):\n    main_input_name = 'pixel_values'\n",
            note="inherited from a local pre-trained base",
        ),
        Example(
            "class BrandNewBertModel(BrandNewBertPreTrainedModel):\n    pass\n",
            note="not the pre-trained base",
        ),
    )
    invalid = (
        Example(
            "from .configuration_brand_new_bert import BrandNewBertConfig\n\n\n"
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    base_model_prefix = 'model'\n",
            lines=(4,),
            fixed="from .configuration_brand_new_bert import BrandNewBertConfig\n\n\n"
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    config_class = BrandNewBertConfig\n"
            "    base_model_prefix = 'model'\n",
        ),
        Example(
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    '''Base class.'''\n",
            lines=(1,),
            fixed=None,
            note="no config imported: nothing to name safely",
        ),
        Example(
            "from ..bert.modeling_bert import BertPreTrainedModel\n\n\n"
            "class BrandNewBertPretrainedModel(BertPreTrainedModel):\n    pass\n",
            lines=(4,),
            note="another model's config class is not this model's",
        ),
        Example(
            "from .configuration_brand_new_bert import BrandNewBertConfig, BrandNewBertTextConfig\n\n\n"
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    '''Base.'''\n",
            lines=(4,),
            fixed=None,
            note="two candidate configs: no fix",
        ),
    )

    def finish(self, file: FileContext) -> None:
        for info in file.classes.values():
            if not is_pretrained_name(info.name) or not info.bases:
                continue
            if names_config(info) or any(
                is_pretrained_name(ancestor.name) and names_config(ancestor)
                for ancestor in local_ancestors(file, info)
            ):
                continue
            prefix = re.split("Pre[Tt]rained", info.name)[0] or info.name
            file.report(self, info.node, name=info.name, prefix=prefix, context=info.name, subject=info.name)

    def fix(self, source: str, findings, path: str) -> str:
        from modelgen.lint.fixes import add_config_class

        classes = {finding.subject for finding in findings if finding.code == self.code}
        return add_config_class(source, classes, path)


def own_config_imports(imports: dict[str, str], model_folder: str) -> list[str]:
    """Local names of `...Config` classes imported from the file's own `configuration_<model>` module."""
    return sorted(
        name
        for name, origin in imports.items()
        if name.endswith("Config")
        and f".{model_folder}.configuration_" in f".{origin}"
        and last_segment(origin).endswith("Config")
    )
