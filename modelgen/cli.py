"""The `modelgen` command line. Each command lives in its own module and is imported only when run."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from modelgen import __version__
from modelgen.errors import ModelgenError, UsageError
from modelgen.repo import RepoLayout, find_repo_root
from modelgen.transaction import Interrupted, recover

# command name -> module defining a click command called `command`
COMMANDS = {
    "check-copies": "modelgen.copies.command",
    "smoke": "modelgen.smoke.command",
    "new": "modelgen.scaffold.command",
    "lint": "modelgen.lint.command",
    "convert": "modelgen.port.convert_command",
    "compare": "modelgen.port.compare_command",
    "modular": "modelgen.modular.command",
    "check-modular": "modelgen.modular.check_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(COMMANDS[name]).command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modelgen")
def cli() -> None:
    """Scaffold, keep in sync, lint and smoke-test models in a transformers-style library."""


repo_option = click.option(
    "--repo",
    "repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Root of the target repository (default: walk up from the current folder).",
)


def load_layout(repo: Path | None) -> RepoLayout:
    root = repo if repo is not None else find_repo_root(Path.cwd())
    if not root.is_dir():
        raise UsageError("no such folder", root)
    recover_interrupted(root)
    return RepoLayout.discover(root)


def recover_interrupted(root: Path) -> None:
    """Finish or roll back a change that a kill interrupted, before anything reads the tree."""
    for message in recover(root):
        click.echo(message, err=True)


def main() -> None:
    """Run the CLI. A command's callback returns its exit code; usage errors exit 2, input errors 1."""
    try:
        exit_code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except ModelgenError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2 if isinstance(error, UsageError) else 1)
    except OSError as error:  # a file that cannot be read or written: nothing was left half-written
        location = f"{error.filename}: " if error.filename else ""
        click.echo(f"error: {location}{error.strerror or error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Interrupted as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(128 + error.signum)
    sys.exit(exit_code if isinstance(exit_code, int) else 0)
