"""Regular expressions from markers, matched with a time limit.

A marker's replacement is a regular expression written by whoever edits the file: `(\\w|\\w|\\w)*!` backtracks
without bound, and one such line would stall pre-commit and CI. The `regex` engine accepts a timeout; a
pattern that exceeds it is a `PatternTimeout`, which the checker reports at the marker's line.
"""

from __future__ import annotations

from functools import lru_cache

import regex

MATCH_TIMEOUT_S = 0.5


class PatternTimeout(ValueError):
    """A replacement's pattern took longer than `MATCH_TIMEOUT_S` to match (it backtracks without bound)."""


class BoundedPattern:
    def __init__(self, pattern: str):
        self.text = pattern
        self._compiled = regex.compile(pattern)

    def sub(self, replacement, text: str, count: int = 0) -> str:
        try:
            return self._compiled.sub(replacement, text, count=count, timeout=MATCH_TIMEOUT_S)
        except TimeoutError:
            raise PatternTimeout(
                f"the pattern {self.text!r} takes longer than {MATCH_TIMEOUT_S} s to match "
                "(it can backtrack without bound); simplify it"
            ) from None


@lru_cache(maxsize=1024)
def bounded(pattern: str) -> BoundedPattern:
    """The compiled pattern (`regex.error` if it is not a valid one)."""
    return BoundedPattern(pattern)
