"""The class expansion rules, in the order the engine applies them to each merge."""

from modelgen.modular.rules import (
    attributes,
    bases,
    class_docstring,
    decorators,
    methods,
    renamed_docs,
    super_calls,
)

CLASS_RULES = (
    renamed_docs.RULE,
    bases.RULE,
    methods.RULE,
    attributes.RULE,
    class_docstring.RULE,
    super_calls.RULE,
    decorators.RULE,
)
