"""`--fix`: apply every safe fix to the files with findings, all files written atomically or none."""

from __future__ import annotations

import ast
from pathlib import Path

from modelgen.changeset import ChangeSet
from modelgen.files import read_text
from modelgen.lint.config import LintConfig
from modelgen.lint.rule import Finding


def fixed_source(source: str, findings: list[Finding], relative: str, config: LintConfig) -> str:
    """The text after each fixable rule's fix for its findings; unchanged if a fix would not parse."""
    for rule in config.rules():
        mine = [finding for finding in findings if finding.code == rule.code]
        if mine and rule.has_fix():
            candidate = rule.fix(source, mine, relative)
            try:
                ast.parse(candidate)
            except SyntaxError:
                continue
            source = candidate
    return source


def apply_fixes(findings: list[Finding], files: dict[str, Path], config: LintConfig, root: Path) -> list[str]:
    """Fix the files, and return the relative paths of those that changed."""
    fixable = {rule.code for rule in config.rules() if rule.has_fix()}
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code in fixable:
            by_path.setdefault(finding.path, []).append(finding)
    changes = ChangeSet(root)
    changed = []
    for relative, mine in sorted(by_path.items()):
        path = files[relative]
        source = read_text(path)
        new = fixed_source(source, mine, relative, config)
        if new != source:
            changes.set(path, new)
            changed.append(relative)
    changes.write()
    return changed
