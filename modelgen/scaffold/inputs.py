"""The user's values that reach generated code: validated before use, never interpolated raw.

A checkpoint id is a Hugging Face Hub repository id, `org/name` of ASCII letters, digits, `-`, `_` and `.`
(no `--` or `..`, no leading or trailing `-` or `.`, at most 96 characters per part), as the Hub accepts.
"""

from __future__ import annotations

import re

from modelgen.errors import UsageError

_HUB_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
_HUB_ID = re.compile(rf"{_HUB_PART}/{_HUB_PART}")


def checkpoint_id(value: str) -> str:
    if not _HUB_ID.fullmatch(value) or "--" in value or ".." in value or value.endswith(".git"):
        raise UsageError(
            f"--checkpoint {value!r} is not a Hub repository id (ORG/NAME of ASCII letters, digits, '-', '_', '.')"
        )
    return value
