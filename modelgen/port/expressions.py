"""Sizes written as arithmetic over config values (`"num_key_value_heads * head_dim"`), evaluated safely."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

_OPERATORS: dict[type, Callable[[int, int], int]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
}


def check_expression(value: Any) -> None:
    """Raise ValueError when `value` is neither an integer nor an expression this evaluator accepts."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"expected an integer or an expression over config values, got {value!r}")
    if isinstance(value, str):
        try:
            tree = ast.parse(value, mode="eval")
        except SyntaxError as error:
            raise ValueError(f"not an expression: {value!r}") from error
        for node in ast.walk(tree):
            allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.Constant, ast.Name, ast.Load,
                       *_OPERATORS)
            if not isinstance(node, allowed) or (isinstance(node, ast.Constant) and type(node.value) is not int):
                raise ValueError(f"{value!r}: only integers, config names and + - * // are allowed")


def evaluate(value: int | str, lookup: Callable[[str], Any]) -> int:
    """The integer `value` stands for; `lookup(name)` reads a config value (KeyError when there is none)."""
    if isinstance(value, int):
        return value
    return _evaluate(ast.parse(value, mode="eval").body, lookup, value)


def _evaluate(node: ast.AST, lookup: Callable[[str], Any], text: str) -> int:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        found = lookup(node.id)
        if isinstance(found, bool) or not isinstance(found, int):
            raise TypeError(f"{text!r}: config value {node.id} is {found!r}, not an integer")
        return found
    if isinstance(node, ast.UnaryOp):
        return -_evaluate(node.operand, lookup, text)
    assert isinstance(node, ast.BinOp)
    return _OPERATORS[type(node.op)](_evaluate(node.left, lookup, text), _evaluate(node.right, lookup, text))
