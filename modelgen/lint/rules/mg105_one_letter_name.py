"""MG105: a one-letter variable, parameter or attribute name."""

from __future__ import annotations

from modelgen.lint.bindings import Binding
from modelgen.lint.context import FileContext
from modelgen.lint.rule import (
    CONFIGURATION,
    EXAMPLE_CONFIGURATION_PATH,
    MODELING,
    MODULAR,
    OTHER,
    Example,
    Rule,
)


class OneLetterName(Rule):
    code = "MG105"
    name = "no-one-letter-names"
    title = "a one-letter variable, parameter or attribute name"
    message = "one-letter {kind} name `{name}`: name what it holds"
    rationale = (
        "Design rule 5: the code must be readable by a non-native English speaker, so no one-letter names "
        "except loop indices. `x`, `h`, `q` in a forward pass are exactly what the guide forbids. Allowed: loop "
        "and comprehension targets, lambda parameters (their scope is one expression, like a comprehension's), "
        "`_`, and import aliases such as `import torch.nn.functional as F` (a module name, not a variable). "
        "Each name is reported once per function, class or module, where it is first bound."
    )
    fix_note = "no safe fix: only a person can choose the descriptive name"
    applies_to = frozenset({MODELING, CONFIGURATION, MODULAR, OTHER})
    valid = (
        Example(
            "def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:\n"
            "    for i in range(3):\n        hidden_states = hidden_states * i\n"
            "    return [value for k, value in enumerate(hidden_states)]\n",
            note="loop and comprehension indices",
        ),
        Example(
            "def split(pairs: list) -> list:\n    first, _ = pairs\n    return sorted(pairs, key=lambda x: x[0])\n",
            note="`_` and lambda parameters",
        ),
        Example(
            "import torch.nn.functional as F\n\n\ndef scale(*args: int, **kwargs: int) -> int:\n"
            "    return F.relu(args[0])\n",
            note="an import alias",
        ),
        Example(
            "def forward(self, inputs: torch.Tensor) -> torch.Tensor:\n    return inputs.T\n",
            note="reading a one-letter attribute is not naming one",
        ),
    )
    invalid = (
        Example(
            "def forward(self, x: torch.Tensor) -> torch.Tensor:\n    h = self.dense(x)\n    h = h * 2\n    return h\n",
            lines=(1, 2),
        ),
        Example(
            "class Attention(nn.Module):\n    def __init__(self):\n        self.q = nn.Linear(4, 4)\n\n"
            "    def forward(self, hidden_states):\n        self.q = None\n",
            lines=(3,),
            note="an attribute, reported once for its class",
        ),
        Example(
            "def forward(hidden_states):\n    batch, t, channels = hidden_states.shape\n    try:\n        pass\n"
            "    except ValueError as e:\n        raise\n",
            lines=(2, 5),
        ),
        Example(
            "def initialise(self, d=4):\n    with open('f') as f:\n        pass\n",
            lines=(1, 2),
            path=EXAMPLE_CONFIGURATION_PATH,
        ),
        Example(
            "def count(values: list) -> int:\n    if (n := len(values)) > 2:\n        return n\n    return 0\n",
            lines=(2,),
            note="an assignment expression binds a variable too",
        ),
    )

    def wants_binding(self, name: str) -> bool:
        return len(name) == 1 and name.isalpha()

    def on_binding(self, binding: Binding, file: FileContext) -> None:
        name = binding.name
        if len(name) == 1 and name.isalpha():
            file.report(
                self,
                binding.node,
                kind=binding.kind,
                name=name,
                context=binding.context,
                subject=binding.subject,
            )
