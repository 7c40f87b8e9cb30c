"""`modelgen check-copies`: verify (and with --fix, repair) every `# Copied from` block."""

from __future__ import annotations

import json
from pathlib import Path

import click

from modelgen.cli import load_layout, repo_option
from modelgen.reporting import format_option, github_annotation


@click.command("check-copies")
@repo_option
@click.option("--fix", is_flag=True, help="Rewrite every drifted copy from its source (what `make fix-copies` runs); with PATHS, only the copies they concern.")
@click.option("--diff", "show_diff", is_flag=True, help="Show a unified diff of each drifted copy (expected vs actual).")
@format_option
@click.option("--no-cache", is_flag=True, help="Ignore and do not update the result cache.")
@click.option("--strict-markers", is_flag=True, help="Report misspelt markers as errors, not notes.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def command(repo, fix, show_diff, output_format, no_cache, strict_markers, paths) -> int:
    """Check that every `# Copied from` block matches its source after the marker's replacements.

    With PATHS (as pre-commit passes them), check the markers in those files and every copy, anywhere in
    the repository, whose source lives in those files; with --fix, repair exactly those (and the copies of
    the blocks the fix rewrites), nothing else.
    """
    from modelgen.copies.checker import CopyChecker

    layout = load_layout(repo)
    checker = CopyChecker(layout, use_cache=not no_cache, strict_markers=strict_markers)
    python_paths = [path for path in paths if path.suffix == ".py"] if paths else None
    report = checker.fix(python_paths) if fix else checker.check(python_paths)
    _print(report, output_format, show_diff, fix)
    return 0 if report.consistent else 1


def _print(report, output_format: str, show_diff: bool, fixed: bool) -> None:
    if output_format == "json":
        data = {
            "checked": report.checked,
            "findings": [finding.to_json(with_diff=show_diff) for finding in report.findings],
            "notes": [note.to_json() for note in report.notes],
        }
        if fixed:
            data["fixed_files"] = report.written
        click.echo(json.dumps(data, indent=2))
        return
    for finding in report.findings:
        if output_format == "github":
            click.echo(github_annotation(finding.path, finding.line, finding.message, f"check-copies {finding.kind}"))
        else:
            click.echo(f"{finding.path}:{finding.line}: {finding.message}")
        if show_diff and finding.diff:
            click.echo(finding.diff.rstrip("\n"))
    for note in report.notes:
        click.echo(f"{note.path}:{note.line}: note: {note.message}", err=True)
    for path in report.written:
        click.echo(f"fixed {path}", err=True)
    drifted = sum(finding.kind == "drift" for finding in report.findings)
    if drifted and not fixed:
        click.echo(f"run `modelgen check-copies --fix` to repair the {drifted} drifted cop{'y' if drifted == 1 else 'ies'}", err=True)
    summary = f"{report.checked} copies checked, {len(report.findings)} problem(s)"
    click.echo(summary if output_format == "text" else summary, err=output_format != "text")
