"""`modelgen check-modular`: every generated file equals the expansion of its modular file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from modelgen.cli import load_layout, repo_option
from modelgen.reporting import format_option, github_annotation


@click.command("check-modular")
@repo_option
@click.option("--fix", is_flag=True, help="Rewrite every generated file that differs from its expansion.")
@click.option("--diff", "show_diff", is_flag=True, help="Show a unified diff (file on disk -> expansion).")
@format_option
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Files this converter does not reproduce (written by --write-baseline): reported as notes while unchanged.",
)
@click.option(
    "--write-baseline",
    "write_baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Record every generated file that differs now, with its cause, and exit 0.",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def command(repo, fix, show_diff, output_format, baseline_file, write_baseline_file, paths) -> int:
    """Check that each file generated from a modular file equals its expansion (exit 0 yes, 1 no, 2 usage).

    With PATHS (as pre-commit passes them), check the modular files given, the generated files given, and every
    generated file whose expansion reads a given file (editing `modeling_llama.py` checks every model whose
    modular file inherits from Llama, and the models built on those).
    """
    from modelgen.modular import expander_for
    from modelgen.modular.check import affected_modulars, check, read_baseline, write_baseline
    from modelgen.modular.consistency import modular_files

    layout = load_layout(repo)
    if paths:
        missing = [path for path in paths if not path.exists()]
        if missing:
            raise click.UsageError(f"{missing[0]}: no such file")
        modulars = affected_modulars(layout, [path for path in paths if path.suffix == ".py"])
    else:
        modulars = modular_files(layout)
    if not modulars and not paths:
        click.echo("no modular files in this repository", err=True)
        return 0
    baseline = read_baseline(baseline_file)
    report = check(
        layout, expander_for(layout), modulars, fix=fix and write_baseline_file is None, baseline=baseline
    )
    if write_baseline_file is not None:
        count = write_baseline(write_baseline_file, layout, report.comparisons)
        click.echo(f"wrote {write_baseline_file}: {count} file(s) not reproduced", err=True)
        return 0
    _print(report, output_format, show_diff, fix)
    return 0 if report.consistent else 1


def _print(report, output_format: str, show_diff: bool, fixed: bool) -> None:
    if output_format == "json":
        data = {
            "checked": report.checked,
            "findings": [finding.to_json(show_diff) for finding in report.findings],
            "notes": [note.to_json(False) for note in report.notes],
        }
        if fixed:
            data["fixed_files"] = report.written
        click.echo(json.dumps(data, indent=2))
        return
    for finding in report.findings:
        if output_format == "github":
            click.echo(github_annotation(finding.path, finding.line, finding.message, "check-modular"))
        else:
            click.echo(f"{finding.path}:{finding.line}: {finding.message}")
        if show_diff and finding.diff:
            click.echo(finding.diff.rstrip("\n"))
    for note in report.notes:
        click.echo(f"{note.path}:{note.line}: note: {note.message}", err=True)
    for path in report.written:
        click.echo(f"fixed {path}", err=True)
    click.echo(
        f"{report.checked} generated file(s) checked, {len(report.findings)} differ(s), "
        f"{len(report.notes)} not reproducible (baseline)",
        err=True,
    )
