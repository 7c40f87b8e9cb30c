"""A child named differently from its renamed parent (`ColPaliForRetrieval(PaliGemmaForConditionalGeneration)`)
gets the parent's docstrings and comments renamed from the parent's prefix to its own (code names stay)."""

from __future__ import annotations

from modelgen.modular.merge import ClassMerge, ClassRule, common_partial_suffix


class RenamedDocs(ClassRule):
    name = "renamed-docs"

    def apply(self, merge: ClassMerge) -> None:
        new_name = merge.child.name.value
        if new_name == merge.renamed_super:
            return
        suffix = common_partial_suffix(new_name, merge.renamed_super)
        old_prefix, new_prefix = merge.renamed_super.replace(suffix, ""), new_name.replace(suffix, "")
        merge.parent = merge.rename_docs(old_prefix, new_prefix, merge.parent)


RULE = RenamedDocs()
