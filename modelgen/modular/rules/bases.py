"""The result keeps the parent's bases, except that a child's extra base sharing a capitalised suffix with a
parent base replaces it (`class XModel(LlamaModel, XPreTrainedVisionModel)` swaps `XPreTrainedModel`)."""

from __future__ import annotations

import libcst as cst

from modelgen.modular.merge import ClassMerge, ClassRule, common_partial_suffix


class Bases(ClassRule):
    name = "bases"

    def apply(self, merge: ClassMerge) -> None:
        extra = [base for base in merge.child_bases if base != merge.super_class]
        merge.bases = [self._switched(base, extra) for base in merge.parent.bases]

    @staticmethod
    def _switched(base: cst.Arg, extra: list[str]) -> cst.Arg:
        if not isinstance(base.value, cst.Name):
            return base
        for candidate in extra:
            suffix = common_partial_suffix(base.value.value, candidate)
            if suffix and suffix[0].isupper():
                return base.with_changes(value=base.value.with_changes(value=candidate))
        return base


RULE = Bases()
