"""Class decorators: the child's when it writes any, else the parent's (`@no_inherit_decorator`: none)."""

from __future__ import annotations

from modelgen.modular.merge import ClassMerge, ClassRule, chosen_decorators


class Decorators(ClassRule):
    name = "decorators"

    def apply(self, merge: ClassMerge) -> None:
        merge.decorators = chosen_decorators(merge.child.decorators, merge.parent.decorators)


RULE = Decorators()
