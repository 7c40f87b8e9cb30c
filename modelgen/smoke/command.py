"""`modelgen smoke`: instantiate every model class from a tiny config and run a forward pass."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from modelgen.cli import load_layout, repo_option
from modelgen.errors import ModelgenError
from modelgen.reporting import format_option
from modelgen.smoke.report import render_github, render_json, render_text
from modelgen.smoke.runner import (
    DEFAULT_TIMEOUT,
    WORKER_DESIGNS,
    ModelResult,
    pytorch_model_types,
    resolve_device,
    run_smoke,
)
from modelgen.smoke.tiny.config import parse_override


@click.command("smoke")
@repo_option
@click.option("--all", "all_models", is_flag=True, help="Every model with a PyTorch modeling file.")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu", show_default=True,
              help="auto picks cuda when a GPU is present.")
@click.option("--compare-devices", is_flag=True,
              help="Also run on the CPU with the same weights and inputs; outputs must agree within 1e-3.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override one tiny-config value (dotted for sub-configs: text_config.hidden_size=64).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Models run in parallel.")
@click.option("--timeout", type=click.FloatRange(min=1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds per model before its worker is killed.")
@click.option("--python", "python", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Interpreter for the workers (a venv matching the tree); default: this one.")
@click.option("--workers", type=click.Choice(WORKER_DESIGNS), default=None,
              help="How each model's process starts: forked from a server that imported torch and the tree once "
                   "(fork-server, the default on Linux on the CPU), or a fresh interpreter (spawn).")
@format_option
@click.argument("model_types", nargs=-1)
def command(repo: Path | None, all_models: bool, device: str, compare_devices: bool, overrides: tuple[str, ...],
            jobs: int, timeout: float, python: str | None, workers: str | None, output_format: str,
            model_types: tuple[str, ...]) -> int:
    """Smoke-test MODEL_TYPE... (or --all): build each class from a tiny config and check one forward pass."""
    layout = load_layout(repo)
    if all_models == bool(model_types):
        raise click.UsageError("give MODEL_TYPE... or --all (not both)")
    parsed = {}
    for text in overrides:
        try:
            key, value = parse_override(text)
        except ValueError as error:
            raise ModelgenError(str(error)) from error
        parsed[key] = value
    selected = pytorch_model_types(layout) if all_models else list(model_types)
    device = resolve_device(device, compare_devices, python)
    progress = _ProgressBar() if all_models or len(selected) > 1 else None
    results = run_smoke(layout, selected, device=device, jobs=jobs, timeout=timeout, overrides=parsed,
                        python=python, compare_devices=compare_devices, progress=progress, workers=workers)
    if progress is not None:
        progress.finish()
    if output_format == "json":
        click.echo(render_json(results))
    elif output_format == "github":
        paths = {model_type: _modeling_path(layout, model_type) for model_type in selected}
        click.echo(render_github(results, paths))
    else:
        click.echo(render_text(results))
    return 1 if any(result.status == "fail" for result in results) else 0


def _modeling_path(layout, model_type: str) -> str:
    candidate = layout.model_dir(model_type) / f"modeling_{model_type}.py"
    return layout.relative(candidate if candidate.is_file() else layout.model_dir(model_type))


class _ProgressBar:
    """`[#####.....] 12/250 bert` on stderr: redrawn in place on a terminal, one line per model otherwise."""

    WIDTH = 30

    def __init__(self):
        self.interactive = sys.stderr.isatty()

    def __call__(self, done: int, total: int, result: ModelResult) -> None:
        filled = self.WIDTH * done // total
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} {result.model_type} {result.status}"
        if self.interactive:
            sys.stderr.write("\r\033[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.interactive:
            sys.stderr.write("\n")
            sys.stderr.flush()
