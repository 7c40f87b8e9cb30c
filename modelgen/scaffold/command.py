"""`modelgen new --like MODEL_TYPE --name NewName`: scaffold a new model from an existing one."""

from __future__ import annotations

import sys

import click

from modelgen.cli import load_layout, repo_option
from modelgen.errors import UsageError


def interactive() -> bool:
    """Prompts only where a person can answer them."""
    return sys.stdin.isatty()


def _missing(value: str | None, prompt: str, option: str) -> str:
    if value:
        return value
    if interactive():
        return click.prompt(prompt)
    raise UsageError(f"missing {option} (no terminal to ask in)")


@click.command("new")
@click.option("--like", "like", help="Model type (folder) of the existing model to start from, e.g. bert.")
@click.option("--name", "name", help="Class prefix of the new model, e.g. BrandNewBert.")
@click.option("--checkpoint", default=None, help="Checkpoint id of the new model, e.g. org/brand-new-bert-base.")
@repo_option
@click.option("--dry-run", is_flag=True, help="Print the files to create and a diff of every edit; write nothing.")
@click.option("--copy-tokenizer", is_flag=True, help="Copy the tokenizer and processors instead of reusing them.")
@click.option("--no-tests", is_flag=True, help="Do not copy or generate tests.")
@click.option("--modular", is_flag=True, help="Write a minimal modular_<name>.py and its expansion (5.x trees).")
def command(like, name, checkpoint, repo, dry_run, copy_tokenizer, no_tests, modular) -> int:
    """Create a new model from an existing one, with `# Copied from` markers, registered everywhere."""
    from modelgen.scaffold.inputs import checkpoint_id
    from modelgen.scaffold.plan import NewModelRequest, plan_new_model

    layout = load_layout(repo)
    if modular:
        from modelgen.modular.consistency import modular_files

        if not modular_files(layout):
            raise click.UsageError("--modular needs a tree whose models have modular_<model>.py files; this one has none")
    like = _missing(like, "Model to start from (model type, e.g. bert)", "--like")
    name = _missing(name, "Name of the new model (class prefix, e.g. BrandNewBert)", "--name")
    if checkpoint is not None:
        checkpoint = checkpoint_id(checkpoint)
    request = NewModelRequest(like, name, checkpoint, copy_tokenizer, with_tests=not no_tests, modular=modular)
    plan = plan_new_model(layout, request)
    created = [layout.relative(path) for path in plan.changes.created_paths()]
    edited = [layout.relative(path) for path in plan.changes.changed_paths() if layout.relative(path) not in created]
    if dry_run:
        click.echo(f"would create {len(created)} files:")
        for path in created:
            click.echo(f"  {path}")
        click.echo(f"would edit {len(edited)} files:")
        click.echo(plan.changes.diff(), nl=False)
        return 0
    plan.changes.write()
    click.echo(f"created {plan.new.prefix} ({plan.new.model_type}) like {plan.old.folder}: "
               f"{len(created)} files created, {len(edited)} edited")
    for path in created + edited:
        click.echo(f"  {path}")
    if plan.dropped_exports:
        click.echo(f"note: {len(plan.dropped_exports)} names are not exported by the new model, since the "
                   f"tree already exports them (the copies keep them for internal use): "
                   f"{', '.join(plan.dropped_exports)}", err=True)
    for problem in plan.skipped:
        click.echo(f"note: {problem}", err=True)
    if plan.unmarked:
        click.echo(f"note: {len(plan.unmarked)} copied definitions carry no `# Copied from` marker "
                   f"(no replacement reproduced them): {', '.join(plan.unmarked[:5])}", err=True)
    return 0
