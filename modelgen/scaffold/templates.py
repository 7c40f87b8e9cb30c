"""The jinja2 templates of `new` (tests, docs page, conversion script, package `__init__.py`).

A Python template only ever receives names (identifiers, dotted names, lists of them, display names) and
the license header of the old package (comment lines): `finalize` refuses any other value, so no text
from the user or the tree can become code through a template.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2

from modelgen.errors import ModelgenError

_SAFE_VALUE = re.compile(r"[^\"'\\\n\r#{}()\[\];=`]*")


@lru_cache(maxsize=2)
def environment(python: bool = False) -> jinja2.Environment:
    try:
        loader: jinja2.BaseLoader = jinja2.PackageLoader("modelgen.templates", ".")
    except (ModuleNotFoundError, ValueError):  # a source checkout whose `modelgen.templates` is not installed
        loader = jinja2.FileSystemLoader(Path(__file__).resolve().parents[2] / "templates")
    return jinja2.Environment(
        loader=loader,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_python_safe if python else None,
    )


def render(name: str, **context) -> str:
    return environment(name.endswith(".py.j2")).get_template(name).render(**context)


def _python_safe(value):
    """A value that cannot change the syntax around it: plain text without quotes, brackets or line breaks,
    or a block of comment lines."""
    text = str(value)
    lines = text.splitlines()
    if lines and all(not line.strip() or line.lstrip().startswith("#") for line in lines) and text.lstrip().startswith("#"):
        return value
    if _SAFE_VALUE.fullmatch(text):
        return value
    raise ModelgenError(f"refusing to write {text[:60]!r} into generated Python; nothing was written")
