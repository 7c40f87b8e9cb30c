"""`--list-rules` and `--explain CODE`: the rules' own texts and examples."""

from __future__ import annotations

import textwrap

from modelgen.lint.rules import ALL_RULES, RULES_BY_CODE


def rules_table() -> str:
    rows = [
        f"{rule.code}  {rule.name:<28} {'fix ' if rule.has_fix() else '    '}{rule.title}"
        for rule in ALL_RULES
    ]
    return "\n".join(["code   name                         fix title", *rows])


def explain_rule(code: str) -> str:
    rule = RULES_BY_CODE[code]
    parts = [
        f"{rule.code} {rule.name}: {rule.title}",
        "",
        textwrap.fill(rule.rationale, width=100),
        "",
        "Fix: " + (rule.fix_note if rule.fix_note else "no safe fix"),
    ]
    for heading, examples in (("Good", rule.valid), ("Bad", rule.invalid)):
        for example in examples:
            note = f"  ({example.note})" if example.note else ""
            parts.extend(["", f"{heading}:{note}", textwrap.indent(example.code.rstrip("\n"), "    ")])
    return "\n".join(parts)
