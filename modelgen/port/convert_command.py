"""`modelgen convert`: an original checkpoint into a model of the repository, by TOML rules."""

from __future__ import annotations

from pathlib import Path

import click

from modelgen.cli import load_layout, repo_option
from modelgen.errors import ModelgenError


@click.command("convert")
@click.option("--rules", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The TOML rules (see the README).")
@click.option("--source", type=click.Path(path_type=Path), required=True,
              help="The checkpoint: .safetensors, an index JSON, .bin/.pt/.pth, or a folder of those.")
@click.option("--source-prefix", default=None, help="Nested state dict to use, e.g. model or state_dict.")
@click.option("--model-type", default=None, help="The model's type (folder) in the repository, e.g. bert.")
@click.option("--model-class", default=None, help="Class to build (default: the base model of --model-type).")
@click.option("--config", "config", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="config.json to build the model from (default: the config class's defaults).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override one config value.")
@click.option("--dtype", default="float32", show_default=True, help="The model's dtype.")
@repo_option
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="New folder for the converted model (config, safetensors, port_mapping.json).")
@click.option("--dry-run", is_flag=True, help="Print the mapping table and the problems; write nothing.")
@click.option("--reverse", is_flag=True,
              help="SOURCE is a folder this command wrote: map its weights back to the original layout.")
@click.option("--max-shard-size", default="5GB", show_default=True, help="Largest safetensors shard.")
def command(rules, source, source_prefix, model_type, model_class, config, overrides, dtype, repo, output,
            dry_run, reverse, max_shard_size) -> int:
    """Convert an original checkpoint with rules; every problem is listed at once and nothing is written."""
    from modelgen.port.api import convert_checkpoint, reverse_checkpoint
    from modelgen.port.convert import ConversionFailed
    from modelgen.smoke.tiny.config import parse_override

    if reverse:
        if output is None:
            raise click.UsageError("--reverse needs --output")
        try:
            files = reverse_checkpoint(source, output, max_shard_size)
        except ConversionFailed as failure:
            return _fail(failure)
        click.echo(f"wrote {', '.join(files)} to {output}")
        return 0
    if rules is None or model_type is None:
        raise click.UsageError("convert needs --rules and --model-type (or --reverse)")
    if output is None and not dry_run:
        raise click.UsageError("give --output, or --dry-run")
    parsed = {}
    for text in overrides:
        try:
            key, value = parse_override(text)
        except ValueError as error:
            raise click.UsageError(str(error)) from error
        parsed[key] = value
    layout = load_layout(repo)
    try:
        result = convert_checkpoint(layout, rules, source, model_type, output, model_class=model_class,
                                    config=config, overrides=parsed, source_prefix=source_prefix, dtype=dtype,
                                    max_shard_size=max_shard_size, dry_run=dry_run)
    except ConversionFailed as failure:
        return _fail(failure)
    if dry_run:
        for line in result.table:
            click.echo(line)
        if result.problems:
            return _fail(ConversionFailed(result.problems))
        click.echo(f"{len(result.table)} mappings, no problems (dry run: nothing written)")
        return 0
    click.echo(f"converted {len(result.table)} mappings into {output}: {', '.join(result.files)}")
    return 0


def _fail(failure) -> int:
    """Every problem on its own `error:` line, then the count; exit code 1."""
    for problem in failure.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"error: {failure}", err=True)
    return 1


__all__ = ["ModelgenError", "command"]
