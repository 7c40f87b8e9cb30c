"""Every hostile input of issue 14: a one-line error (or note) and the right exit code, no traceback, no hang,
no file changed (or, for a `--fix` that must write, the file's metadata kept)."""

from __future__ import annotations

import pytest

from .hostile_cases import CASES, run_case


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case):
    outcome = run_case(case)
    if outcome.startswith("n/a"):
        pytest.skip(outcome)
    assert outcome == "ok"
