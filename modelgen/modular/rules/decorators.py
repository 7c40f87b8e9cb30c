"""Class decorators: the child's when it writes any, else the parent's."""

from __future__ import annotations

from modelgen.modular.merge import ClassMerge, ClassRule


class Decorators(ClassRule):
    name = "decorators"

    def apply(self, merge: ClassMerge) -> None:
        merge.decorators = list(merge.child.decorators or merge.parent.decorators)


RULE = Decorators()
