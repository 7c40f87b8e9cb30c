"""Merging a child's docstring into its parent's, for classes and for methods.

A child docstring that documents arguments (`Args:`), or an indented `Returns:` section, is complete and
replaces the parent's. Otherwise it is a fragment: a fragment holding an example (```...```) replaces the
parent's example; any other fragment that the parent's docstring does not already contain is appended to it.
"""

from __future__ import annotations

import re


def _indent_after_opening(docstring: str) -> int:
    match = re.search(r'(?:"""|\'\'\'|```)\n(\s+)', docstring)
    return len(match.group(1)) if match else 0


def is_complete(docstring: str) -> bool:
    body = docstring.split('"""', 1)[1]
    if re.search(r"\n\s*Args:\n", body):
        return True
    returns = re.search(r"\n([^\S\n]*)Returns:\n", body)
    if returns is not None:
        indent = returns.group(1)
        stripped = body.strip("\n")
        if stripped.startswith(indent + " " * 4) or stripped.startswith(indent + "\t"):
            return True
    return False


def merge_docstrings(parent: str, child: str) -> str:
    if is_complete(child):
        return child
    level = _indent_after_opening(parent)
    parent_parts = parent.split("```")
    if "```" in child and len(parent_parts) > 1:
        child_parts = child.lstrip('r"').split("```")
        if len(child_parts) != 3:
            return child
        parent_parts[1] = child_parts[1]
        return "".join(
            [
                parent_parts[0].rstrip(" \n") + child_parts[0],
                f"\n{level * ' '}```",
                parent_parts[1],
                "```",
                parent_parts[2],
            ]
        )
    if child in parent:
        return child
    if re.search(r"\n\s*.*\(.*\)\:\n\s*\w", child):
        child = child.replace("\n    ", "\n        ")
    return parent.rstrip('"') + "\n" + child.lstrip('r"\n')
