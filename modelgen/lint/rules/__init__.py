"""Every lint rule, one module each; `ALL_RULES` is the registry in code order."""

from __future__ import annotations

from modelgen.lint.rule import Rule
from modelgen.lint.rules.mg101_sequential_subclass import SequentialSubclass
from modelgen.lint.rules.mg102_cross_model_import import CrossModelImport
from modelgen.lint.rules.mg103_head_inherits_base import HeadInheritsBaseModel
from modelgen.lint.rules.mg104_abstraction_depth import AbstractionDepth
from modelgen.lint.rules.mg105_one_letter_name import OneLetterName
from modelgen.lint.rules.mg106_abbreviation import AbbreviatedName
from modelgen.lint.rules.mg107_untyped_signature import UntypedSignature
from modelgen.lint.rules.mg108_random_init import RandomInitialisation
from modelgen.lint.rules.mg109_config_class import MissingConfigClass
from modelgen.lint.rules.mg110_missing_forward import MissingForward
from modelgen.lint.suppression import UnknownSuppressionCode
from modelgen.lint.syntax import SyntaxErrorRule

ALL_RULES: tuple[type[Rule], ...] = (
    SyntaxErrorRule,
    UnknownSuppressionCode,
    SequentialSubclass,
    CrossModelImport,
    HeadInheritsBaseModel,
    AbstractionDepth,
    OneLetterName,
    AbbreviatedName,
    UntypedSignature,
    RandomInitialisation,
    MissingConfigClass,
    MissingForward,
)
RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
ALL_CODES = frozenset(RULES_BY_CODE)
