"""MG106: an abbreviated name from a configurable list (`act` -> `activation`)."""

from __future__ import annotations

import ast
import re

from modelgen.lint.bindings import ATTRIBUTE, PARAMETER, VARIABLE, Binding
from modelgen.lint.context import FileContext
from modelgen.lint.hierarchy import is_pretrained_name
from modelgen.lint.rule import (
    CONFIGURATION,
    EXAMPLE_CONFIGURATION_PATH,
    MODELING,
    MODULAR,
    OTHER,
    Example,
    Finding,
    Rule,
)

# Abbreviations the guide's "no abbreviations (`activation`, not `act`)" clearly covers; a repository sets
# its own with `abbreviations` (replaces) or `extend-abbreviations` (adds) in [tool.modelgen.lint].
DEFAULT_ABBREVIATIONS = {
    "act": "activation",
    "attn": "attention",
    "bsz": "batch_size",
    "cfg": "config",
    "ctx": "context",
    "emb": "embedding",
    "embs": "embeddings",
    "img": "image",
    "len": "length",
    "prev": "previous",
    "seq": "sequence",
    "src": "source",
    "tgt": "target",
    "tmp": "temporary",
}

_TRAILING_DIGITS = re.compile(r"^(?P<word>[a-z]+)(?P<digits>\d*)$")


def expand(name: str, abbreviations: dict[str, str]) -> tuple[list[str], str]:
    """The abbreviated words of a snake_case name and the name spelt out: `attn_weights` -> `attention_weights`."""
    found, words = [], []
    for word in name.split("_"):
        match = _TRAILING_DIGITS.match(word.lower())
        if match and match.group("word") in abbreviations:
            found.append(match.group("word"))
            expansion = abbreviations[match.group("word")] + match.group("digits")
            words.append(expansion.upper() if word.isupper() else expansion)
        else:
            words.append(word)
    return found, "_".join(words)


class AbbreviatedName(Rule):
    code = "MG106"
    name = "no-abbreviations"
    title = "an abbreviated name from the configured list"
    message = "abbreviated {kind} name `{name}`: write `{expanded}`"
    rationale = (
        "Design rule 5: descriptive names, no abbreviations (`activation`, not `act`). Words of a snake_case "
        "name are looked up in the abbreviation list (`[tool.modelgen.lint] abbreviations` replaces the default "
        "list, `extend-abbreviations` adds to it). Names are checked where they are bound: variables, parameters "
        "and `self.` attributes. Exempt: a configuration class's `__init__` parameters and attributes, which "
        "are `config.json` keys shared across the library (`hidden_act`) and fixed by existing checkpoints, and "
        "class attributes of a pre-trained class, which override `PreTrainedModel`'s (`_supports_flash_attn`)."
    )
    fix_note = (
        "safe fix for local variables of a function: renamed consistently within the function (libcst scope "
        "analysis), unless the new name is already used there or in a nested scope, or the code is a "
        "`# Copied from` copy (fix the source; check-copies propagates it); parameters and attributes are part "
        "of an API or a checkpoint's parameter names and are never renamed"
    )
    applies_to = frozenset({MODELING, CONFIGURATION, MODULAR, OTHER})
    valid = (
        Example(
            "def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:\n"
            "    activation = self.activation_fn\n    return activation(hidden_states)\n"
        ),
        Example(
            "def forward(self, hidden_states):\n    return self.act(hidden_states) + config.hidden_act\n",
            note="uses of a name are not reported, only where it is bound",
        ),
        Example(
            "class BrandNewBertConfig(PretrainedConfig):\n    def __init__(self, hidden_act='gelu', **kwargs):\n"
            "        self.hidden_act = hidden_act\n",
            path=EXAMPLE_CONFIGURATION_PATH,
            note="config keys are fixed by checkpoints",
        ),
        Example(
            "def forward(self, actions, attention_mask, contact):\n    exact = actions\n",
            note="only whole words are abbreviations",
        ),
        Example(
            "class BrandNewBertPreTrainedModel(PreTrainedModel):\n    _supports_flash_attn = True\n",
            note="an override of a PreTrainedModel flag",
        ),
    )
    invalid = (
        Example(
            "def forward(self, hidden_states):\n    attn_weights = hidden_states.softmax(-1)\n"
            "    return attn_weights @ hidden_states\n",
            lines=(2,),
            fixed="def forward(self, hidden_states):\n    attention_weights = hidden_states.softmax(-1)\n"
            "    return attention_weights @ hidden_states\n",
        ),
        Example(
            "class Layer(nn.Module):\n    def __init__(self, config):\n        super().__init__()\n"
            "        self.act = ACT2FN[config.hidden_act]\n",
            lines=(4,),
            fixed=None,
            note="an attribute: reported, not renamed",
        ),
        Example(
            "def forward(self, hidden_states, attn_mask=None):\n    bsz, seq_len = hidden_states.shape\n"
            "    attention = 1\n    return [attention for attention in range(bsz)]\n",
            lines=(1, 2, 2),
            fixed="def forward(self, hidden_states, attn_mask=None):\n    batch_size, sequence_length = "
            "hidden_states.shape\n    attention = 1\n    return [attention for attention in range(batch_size)]\n",
        ),
        Example(
            "def attend(hidden_states):\n    attention = 0\n    attn = hidden_states\n"
            "    return attn + attention\n",
            lines=(3,),
            fixed=None,
            note="no fix: `attention` is already taken in the function",
        ),
        Example(
            "@auto_docstring\n# Copied from transformers.models.bert.modeling_bert.BertLayer\nclass Layer(nn.Module):\n"
            "    def forward(self, hidden_states):\n        attn_output = hidden_states\n        return attn_output\n",
            lines=(5,),
            fixed=None,
            note="no fix inside a `# Copied from` copy",
        ),
    )

    def __init__(self, settings):
        super().__init__(settings)
        self._expansions: dict[str, tuple[list[str], str]] = {}  # the same names recur in every file

    def _expand(self, name: str) -> tuple[list[str], str]:
        result = self._expansions.get(name)
        if result is None:
            result = self._expansions[name] = expand(name, self.settings.abbreviations)
        return result

    def wants_binding(self, name: str) -> bool:
        return bool(self._expand(name)[0])

    def on_binding(self, binding: Binding, file: FileContext) -> None:
        found, expanded = self._expand(binding.name)
        if (
            not found
            or (file.kind == CONFIGURATION and _is_config_key(binding))
            or _is_pretrained_flag(binding)
            or (binding.kind == VARIABLE and binding.name in self.settings.framework_names)
        ):
            return
        file.report(
            self,
            binding.node,
            kind=binding.kind,
            name=binding.name,
            expanded=expanded,
            context=binding.context,
            subject=binding.subject,
        )

    def fix(self, source: str, findings: list[Finding], path: str) -> str:
        from modelgen.lint.fixes import rename_local_variables

        names = {(finding.context, finding.subject) for finding in findings if finding.code == self.code}
        renames = {key: expand(key[1], self.settings.abbreviations)[1] for key in names if "." not in key[1]}
        return rename_local_variables(source, renames)


def _is_pretrained_flag(binding: Binding) -> bool:
    """Class attributes of a pre-trained class override `PreTrainedModel`'s (`_supports_flash_attn = True`)."""
    return (
        binding.kind == VARIABLE
        and isinstance(binding.scope, ast.ClassDef)
        and is_pretrained_name(binding.scope.name)
    )


def _is_config_key(binding: Binding) -> bool:
    if binding.kind == ATTRIBUTE:
        return True
    return (
        binding.kind == PARAMETER
        and isinstance(binding.scope, ast.FunctionDef)
        and binding.scope.name == "__init__"
    )
