"""`modelgen lint`: check the library's modeling rules. Exit 0 clean, 1 findings, 2 usage errors."""

from __future__ import annotations

from pathlib import Path

import click

from modelgen.cli import load_layout, repo_option
from modelgen.lint.baseline import new_findings_only, read_baseline, write_baseline
from modelgen.lint.config import LintConfig, LintUsageError, load_config, parse_codes
from modelgen.lint.libraries import LIBRARIES
from modelgen.lint.output import render, sort_findings
from modelgen.lint.rule import Finding
from modelgen.lint.runner import lint_paths
from modelgen.lint.targets import default_targets, explicit_targets, target_globs
from modelgen.reporting import format_option

USAGE_ERROR = 2


@click.command("lint")
@repo_option
@click.option(
    "--select", default=None, metavar="CODES", help="Comma-separated rule codes to run (default: all)."
)
@click.option("--ignore", default=None, metavar="CODES", help="Comma-separated rule codes to skip.")
@format_option
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    "write_baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Record today's findings in this file and exit 0.",
)
@click.option("--no-cache", is_flag=True, help="Re-check every file instead of reusing cached results.")
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@click.option(
    "--explain", "explain_code", default=None, metavar="CODE", help="Explain one rule, with examples."
)
@click.option(
    "--fix", is_flag=True, help="Apply the safe fixes of the rules that have one, then report the rest."
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def command(
    repo: Path | None,
    select: str | None,
    ignore: str | None,
    output_format: str,
    baseline_file: Path | None,
    write_baseline_file: Path | None,
    no_cache: bool,
    list_rules: bool,
    explain_code: str | None,
    fix: bool,
    paths: tuple[Path, ...],
) -> int:
    """Check modeling and configuration files against the library's modeling rules.

    Default targets: models/*/modeling_*.py and models/*/configuration_*.py (PyTorch only), the globs of
    [tool.modelgen.lint] include/exclude, or a known library's (diffusers: its models and pipelines); or PATHs.
    Suppress a finding with `# modelgen: ignore[MG105]` on its line or alone on the line above.
    """
    try:
        if list_rules:
            from modelgen.lint.explain import rules_table

            click.echo(rules_table())
            return 0
        if explain_code is not None:
            from modelgen.lint.explain import explain_rule

            (code,) = parse_codes([explain_code], "--explain")
            click.echo(explain_rule(code))
            return 0
        layout = load_layout(repo)
        config = load_config(
            layout.settings.section("lint"), layout.settings.pyproject, select, ignore, LIBRARIES.get(layout.package)
        )
    except LintUsageError as error:
        click.echo(f"error: {error}", err=True)
        return USAGE_ERROR
    targets = explicit_targets(paths, layout) if paths else default_targets(layout)
    if not targets:
        where = " ".join(map(str, paths)) if paths else _default_description(layout)
        click.echo(f"error: no file to lint: {where} matched no file (set [tool.modelgen.lint] include)", err=True)
        return USAGE_ERROR
    relative = [layout.relative(path) for path in targets]
    findings = lint_paths(targets, relative, config, layout.root, use_cache=not no_cache)
    if write_baseline_file is not None:
        write_baseline(write_baseline_file, findings)
        click.echo(f"wrote {len(findings)} findings to {write_baseline_file}", err=True)
        return 0
    baseline = read_baseline(baseline_file) if baseline_file is not None else None
    if baseline is not None:
        findings = new_findings_only(findings, baseline)
    if fix:
        findings = _fix(findings, targets, relative, config, layout.root, no_cache, baseline)
    findings = sort_findings(findings)
    if findings or output_format == "json":
        click.echo(render(findings, output_format))
    if output_format == "text":
        click.echo(
            f"{len(findings)} finding{'s' if len(findings) != 1 else ''} in {len(targets)} files", err=True
        )
    return 1 if findings else 0


def _default_description(layout) -> str:
    globs = target_globs(layout)
    if globs is None:
        return f"{layout.relative(layout.models_dir)}/*/modeling_*.py and configuration_*.py"
    return "include " + ", ".join(globs.include) + (f" (exclude {', '.join(globs.exclude)})" if globs.exclude else "")


def _fix(
    findings: list[Finding],
    targets: list[Path],
    relative: list[str],
    config: LintConfig,
    root: Path,
    no_cache: bool,
    baseline,
) -> list[Finding]:
    """Apply the safe fixes atomically, then lint the changed files again and return every finding left."""
    from modelgen.lint.fixing import apply_fixes

    changed = apply_fixes(findings, dict(zip(relative, targets)), config, root)
    if not changed:
        return findings
    click.echo(f"fixed {len(changed)} file{'s' if len(changed) != 1 else ''}", err=True)
    paths = [targets[relative.index(name)] for name in changed]
    from modelgen.lint.copy_notes import drifted_copies_note

    if note := drifted_copies_note(root, paths):
        click.echo(note, err=True)
    refreshed = lint_paths(paths, changed, config, root, use_cache=not no_cache)
    if baseline is not None:
        refreshed = new_findings_only(refreshed, baseline)
    return [finding for finding in findings if finding.path not in set(changed)] + refreshed
