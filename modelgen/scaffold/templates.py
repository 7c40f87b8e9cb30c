"""The jinja2 templates of `new` (tests, docs page, conversion script, package `__init__.py`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    try:
        loader: jinja2.BaseLoader = jinja2.PackageLoader("modelgen.templates", ".")
    except (ModuleNotFoundError, ValueError):  # a source checkout whose `modelgen.templates` is not installed
        loader = jinja2.FileSystemLoader(Path(__file__).resolve().parents[2] / "templates")
    return jinja2.Environment(loader=loader, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
