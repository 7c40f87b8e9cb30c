"""The effective lint configuration: `[tool.modelgen.lint]` of the target repository plus the command line.

```toml
[tool.modelgen.lint]
select = ["MG101", "MG105"]              # default: every rule
ignore = ["MG107"]
include = ["src/diffusers/models/**/*.py"]  # the files to check (default: per library, modelgen.lint.targets)
exclude = ["*/__init__.py"]              # `*` crosses folders here
per-file-ignores = { "src/*/models/legacy_*/*" = ["MG105"] }   # globs relative to the repository root
abbreviations = { act = "activation" }   # replaces the default list
extend-abbreviations = { hdn = "hidden" }  # adds to it
```

An unknown key, or a code that names no rule, is a usage error (exit 2) rather than being ignored.
`--select` replaces the configured selection; `--ignore` adds to the configured ignores.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from modelgen.cache import combined_hash
from modelgen.lint.libraries import LibraryDefaults
from modelgen.lint.rule import Rule, RuleSettings
from modelgen.lint.rules import ALL_CODES, ALL_RULES
from modelgen.lint.rules.mg106_abbreviation import DEFAULT_ABBREVIATIONS

# `include` and `exclude` choose the files (modelgen.lint.targets); the others, the rules.
KNOWN_KEYS = frozenset({"select", "ignore", "per-file-ignores", "abbreviations", "extend-abbreviations", "include", "exclude"})


class LintUsageError(Exception):
    """Bad configuration or options: reported on one line, exit status 2."""


@dataclass(frozen=True)
class LintConfig:
    codes: frozenset[str]  # the active rules
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    settings: RuleSettings = field(default_factory=lambda: RuleSettings(dict(DEFAULT_ABBREVIATIONS)))

    def rules(self) -> list[Rule]:
        """The active rules, built once and reused for every file (rules keep per-file state in the file)."""
        return self._rules

    @cached_property
    def _rules(self) -> list[Rule]:
        return [rule(self.settings) for rule in ALL_RULES if rule.code in self.codes]

    def cache_key(self) -> str:
        """What changes a file's findings besides its content (the version is part of the cache's own key)."""
        return combined_hash(",".join(sorted(self.codes)), self.settings.cache_key())

    def ignored_codes(self, relative_path: str) -> frozenset[str]:
        ignored: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatchcase(relative_path, pattern):
                ignored |= codes
        return frozenset(ignored)


def parse_codes(value: object, origin: str) -> frozenset[str]:
    """A list of codes (or a comma-separated string); every code must name a rule."""
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise LintUsageError(f"{origin}: expected a list of rule codes")
    codes = frozenset(code.strip().upper() for code in value if code.strip())
    unknown = sorted(codes - ALL_CODES)
    if unknown:
        raise LintUsageError(
            f"{origin}: unknown rule code {', '.join(unknown)} (see `modelgen lint --list-rules`)"
        )
    return codes


def load_config(
    section: dict[str, Any],
    pyproject: Path | None,
    select: str | None = None,
    ignore: str | None = None,
    library: LibraryDefaults | None = None,
) -> LintConfig:
    """`library`: the defaults of a known library (modelgen.lint.libraries), which the section overrides."""
    where = f"{pyproject}: [tool.modelgen.lint]" if pyproject else "[tool.modelgen.lint]"
    unknown_keys = sorted(set(section) - KNOWN_KEYS)
    if unknown_keys:
        raise LintUsageError(
            f"{where}: unknown key {', '.join(unknown_keys)} (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    default_codes = ALL_CODES - library.ignore if library else ALL_CODES
    codes = parse_codes(section["select"], f"{where} select") if "select" in section else default_codes
    if select is not None:
        codes = parse_codes(select, "--select")
    ignored = parse_codes(section.get("ignore", []), f"{where} ignore")
    if ignore is not None:
        ignored |= parse_codes(ignore, "--ignore")
    for key in ("include", "exclude"):
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(pattern, str) and pattern for pattern in value):
            raise LintUsageError(f"{where} {key}: expected a list of globs relative to the repository root")
    per_file = section.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise LintUsageError(f"{where} per-file-ignores: expected a table of glob = [codes]")
    per_file_ignores = tuple(
        (pattern, parse_codes(value, f"{where} per-file-ignores {pattern!r}"))
        for pattern, value in per_file.items()
    )
    default_abbreviations = {
        word: spelt for word, spelt in DEFAULT_ABBREVIATIONS.items() if not library or word not in library.not_abbreviations
    }
    abbreviations = _abbreviations(
        section.get("abbreviations", default_abbreviations), f"{where} abbreviations"
    )
    abbreviations.update(
        _abbreviations(section.get("extend-abbreviations", {}), f"{where} extend-abbreviations")
    )
    framework_names = library.framework_names if library else frozenset()
    return LintConfig(codes - ignored, per_file_ignores, RuleSettings(abbreviations, framework_names))


def _abbreviations(value: object, origin: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) and key.isidentifier() and item.isidentifier()
        for key, item in value.items()
    ):
        raise LintUsageError(f'{origin}: expected a table of abbreviation = "spelt_out_name"')
    return {key.lower(): item for key, item in value.items()}
