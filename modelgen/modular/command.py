"""`modelgen modular expand`: write the files generated from modular files (all of them, or those given)."""

from __future__ import annotations

from pathlib import Path

import click

from modelgen.cli import load_layout, repo_option


@click.group("modular")
def command() -> None:
    """Expand `modular_<model>.py` files into the standalone files the library ships."""


@command.command("expand")
@repo_option
@click.option("--dry-run", is_flag=True, help="List the files that would change; write nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of every change.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def expand(repo, dry_run, show_diff, paths) -> int:
    """Expand each modular file given (default: every modular file of the repository) and write its files.

    Nothing is written when any modular file fails to expand: each failure is reported as `path:line: problem`.
    """
    from modelgen.changeset import ChangeSet
    from modelgen.errors import ModelgenError
    from modelgen.formatting import fix_and_format_modules
    from modelgen.modular import expander_for
    from modelgen.modular.banner import generated_from
    from modelgen.modular.consistency import modular_files

    layout = load_layout(repo)
    modulars = _modular_paths(layout, paths) if paths else modular_files(layout)
    expander = expander_for(layout)
    targets, texts, failures = [], [], []
    for modular in modulars:
        try:
            expansion = expander.expand(modular)
        except ModelgenError as error:
            failures.append(str(error))
            continue
        for name, text in expansion.outputs.items():
            target = modular.parent / name
            if target.is_file() and generated_from(target.read_text(encoding="utf-8")) is None:
                failures.append(
                    f"{layout.relative(target)}: written by hand, not overwritten by the expansion"
                )
                continue
            targets.append(target)
            texts.append(text)
    for failure in failures:
        click.echo(f"error: {failure}", err=True)
    if failures:
        return 1
    changes = ChangeSet(layout.root)
    for target, text in zip(
        targets, fix_and_format_modules(texts, layout.settings, [t.name for t in targets])
    ):
        changes.set(target, text)
    if show_diff:
        click.echo(changes.diff(), nl=False)
    changed = changes.changed_paths()
    if not dry_run:
        changes.write()
    verb = "would write" if dry_run else "wrote"
    for path in changed:
        click.echo(f"{verb} {layout.relative(path)}", err=True)
    click.echo(
        f"{len(modulars)} modular file(s) expanded, {len(changed)} file(s) {verb.split()[-1]}", err=True
    )
    return 0


def _modular_paths(layout, paths: list[Path]) -> list[Path]:
    """Modular files named directly, or the modular file of a model folder given."""
    from modelgen.errors import ModelgenError

    found = []
    for path in paths:
        if path.is_dir():
            inside = sorted(path.glob("modular_*.py"))
            if not inside:
                raise click.UsageError(f"{path}: no modular_*.py file in this folder")
            found += inside
        elif path.is_file() and path.name.startswith("modular_") and path.suffix == ".py":
            found.append(path.resolve())
        elif not path.exists():
            raise ModelgenError("no such file", path)
        else:
            raise click.UsageError(f"{path}: not a modular_<model>.py file")
    return found
