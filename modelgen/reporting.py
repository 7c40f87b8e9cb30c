"""Output formats shared by the checking commands: plain text, JSON, and GitHub workflow annotations."""

from __future__ import annotations

import click

OUTPUT_FORMATS = ("text", "json", "github")

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(OUTPUT_FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)


def github_annotation(path: str, line: int, message: str, title: str, column: int | None = None) -> str:
    """One `::error` workflow command (https://docs.github.com/actions: workflow commands)."""
    location = f"file={_escape_property(path)},line={line}"
    if column is not None:
        location += f",col={column}"
    return f"::error {location},title={_escape_property(title)}::{_escape_data(message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")
