"""Rules files: every mistake is one `path:line: problem`."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelgen.errors import ModelgenError
from modelgen.port.rules import parse_rules

PATH = Path("rules.toml")


def test_rules_keep_their_order_lines_and_operations():
    text = "# header\n\n[[rule]]\nsource = 'a\\.(\\d+)'\ntarget = 'b.{1}'\n\n[[rule]]\nsource = 'c'\n" \
           "target = ['d', 'e']\nsplit = {dim = 0, chunks = 2}\ntranspose = true\n"
    rules = parse_rules(text, PATH).rules
    assert [(rule.index, rule.line) for rule in rules] == [(1, 3), (2, 7)]
    assert [operation.name for operation in rules[1].operations] == ["split", "transpose"]
    assert rules[0].render(rules[0].pattern.fullmatch("a.12")) == ("b.12",)


@pytest.mark.parametrize(("text", "expected"), [
    ("[[rule]]\nsource = 'a'\n", "rules.toml:1: rule 1: needs target"),
    ("[[rule]]\nsource = 'a'\ntarget = 'b'\n\n[[rule]]\nsource = '('\ntarget = 'x'\n",
     "rules.toml:5: rule 2: source is not a regular expression"),
    ("[[rule]]\nsource = 'a'\ntarget = 'b.{2}'\n", "rules.toml:1: rule 1: target 'b.{2}' uses group {2}"),
    ("[[rule]]\nsource = 'a'\ntarget = 'b'\nrename = 1\n", "rules.toml:1: rule 1: unknown key 'rename'"),
    ("[[rule]]\nsource = 'a'\ntarget = 'b'\ndrop = true\n", "rules.toml:1: rule 1: a drop rule has no target"),
    ("[[rule]]\nsource = 'a'\ntarget = 'b'\nsplit = {dim = 0}\n", "rules.toml:1: rule 1: split takes"),
    ("[[rule]]\nsource = 'a\ntarget = 'b'\n", "rules.toml:2: invalid TOML"),
    ("[rules]\n", "rules.toml:1: unknown top-level key 'rules'"),
])
def test_mistakes_are_reported_with_their_line(text, expected):
    with pytest.raises(ModelgenError) as caught:
        parse_rules(text, PATH)
    assert str(caught.value).startswith(expected), str(caught.value)


def test_gathering_rules_order_sources_by_the_unused_group_as_numbers():
    rule = parse_rules("[[rule]]\nsource = 'e\\.(\\d+)\\.w'\ntarget = 'w'\nstack = 0\n", PATH).rules[0]
    keys = ["e.10.w", "e.2.w", "e.1.w"]
    assert sorted(keys, key=lambda key: rule.order_key(rule.pattern.fullmatch(key))) == ["e.1.w", "e.2.w", "e.10.w"]
