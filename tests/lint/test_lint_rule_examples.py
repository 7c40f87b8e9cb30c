"""Every rule's own good and bad examples, collected from the rule modules: they are the rules' tests."""

from __future__ import annotations

import pytest

from modelgen.lint.engine import lint_source
from modelgen.lint.rule import RuleSettings
from modelgen.lint.rules import ALL_CODES, ALL_RULES
from modelgen.lint.rules.mg106_abbreviation import DEFAULT_ABBREVIATIONS

SETTINGS = RuleSettings(dict(DEFAULT_ABBREVIATIONS))


def _cases(kind: str):
    for rule in ALL_RULES:
        for index, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}")


def _lines(rule, example) -> tuple[int, ...]:
    findings = lint_source(example.code, example.path, [rule(SETTINGS)], ALL_CODES)
    return tuple(finding.line for finding in findings if finding.code == rule.code)


@pytest.mark.parametrize("rule, example", list(_cases("valid")))
def test_good_example_has_no_finding(rule, example):
    assert _lines(rule, example) == ()


@pytest.mark.parametrize("rule, example", list(_cases("invalid")))
def test_bad_example_is_reported_on_its_lines(rule, example):
    assert example.lines, "a bad example must say where it is reported"
    assert _lines(rule, example) == example.lines


@pytest.mark.parametrize("rule, example", [case for case in _cases("invalid") if case.values[0].has_fix()])
def test_fix_gives_the_expected_text(rule, example):
    instance = rule(SETTINGS)
    findings = [
        f for f in lint_source(example.code, example.path, [instance], ALL_CODES) if f.code == rule.code
    ]
    expected = example.fixed if example.fixed is not None else example.code
    assert instance.fix(example.code, findings, example.path) == expected


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_rule_has_three_good_and_three_bad_examples_and_its_texts(rule):
    assert len(rule.valid) >= 3 and len(rule.invalid) >= 3
    assert rule.name and rule.title and rule.rationale and rule.fix_note


def test_codes_are_unique_and_stable():
    codes = [rule.code for rule in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert codes == ["MG000", "MG001", *(f"MG1{number:02}" for number in range(1, 11))]


def test_linting_a_file_leaves_no_reference_cycles():
    """Workers run without the cycle collector: a cycle through the walk would keep every tree alive."""
    import gc

    from modelgen.lint.config import load_config

    rules = load_config({}, None).rules()
    source = "\n".join(example.code for rule in ALL_RULES for example in rule.invalid if rule.code != "MG000")
    lint_source(source.replace("\t", "    "), ALL_RULES[0].invalid[0].path, rules, ALL_CODES)  # warm caches
    gc.collect()
    gc.disable()
    try:
        lint_source(source.replace("\t", "    "), ALL_RULES[0].invalid[0].path, rules, ALL_CODES)
        assert gc.collect() == 0
    finally:
        gc.enable()
