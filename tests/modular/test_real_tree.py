"""The 5.23.0 release reproduced: every modular file expanded and compared with the files the release ships.

The floor is the count `benchmarks/modular_release.py` measured; a change to the engine may raise it, never
lower it. check-modular on the pristine tree: no finding once the baseline holds the files not reproduced.
"""

from __future__ import annotations

import pytest

from modelgen.modular import expander_for
from modelgen.modular.consistency import compare, generated_files, modular_files
from modelgen.repo import RepoLayout

IDENTICAL_FLOOR = 447  # measured at 37658a8: benchmarks/results/modular_release_5.23.0.json


@pytest.mark.real_tree
def test_release_reproduction_does_not_drop(pristine_523):
    layout = RepoLayout.discover(pristine_523)
    shipped = generated_files(layout)
    comparisons = compare(layout, expander_for(layout), modular_files(layout))
    identical = sum(item.identical for item in comparisons if item.generated in shipped)
    assert len(shipped) == 667
    assert identical >= IDENTICAL_FLOOR
