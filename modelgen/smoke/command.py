"""`modelgen smoke`: instantiate every model class from a tiny config and run a forward pass."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from modelgen.cli import load_layout, repo_option
from modelgen.reporting import format_option
from modelgen.smoke.baseline import compare_with_baseline, read_baseline, write_baseline
from modelgen.smoke.report import render_github, render_json, render_text
from modelgen.smoke.runner import (
    DEFAULT_TIMEOUT,
    WORKER_DESIGNS,
    ModelResult,
    pytorch_model_types,
    resolve_device,
    run_smoke,
)
from modelgen.smoke.shards import parse_shard, shard_of
from modelgen.smoke.tiny.config import parse_override
from modelgen.smoke.verdicts import is_blocking

DEFAULT_ATOL = 1e-5  # as `checks.DEFAULT_ATOL` (not imported: the checks import torch)


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
@click.option("--atol", type=click.FloatRange(min=0), default=DEFAULT_ATOL, show_default=True,
              help="Tolerance of the determinism and save/load comparisons (the exact difference is in the JSON).")
@click.option("--strict", is_flag=True, help="Findings fail the run too (exit 1), not only failures.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fail only on fails and findings not in this baseline; list its entries that now pass.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Record every non-pass verdict of this run in FILE (then exit 0).")
@click.option("--shard", default=None, metavar="K/N",
              help="Run only the K-th of N deterministic slices of the selected models (a CI matrix).")
@click.option("--workers", type=click.Choice(WORKER_DESIGNS), default=None,
              help="How each model's process starts: forked from a server that imported torch and the tree once "
                   "(fork-server, the default on Linux on the CPU), or a fresh interpreter (spawn).")
@format_option
@click.argument("model_types", nargs=-1)
def command(repo: Path | None, all_models: bool, device: str, compare_devices: bool, overrides: tuple[str, ...],
            jobs: int, timeout: float, python: str | None, workers: str | None, atol: float, strict: bool, baseline_file: Path | None,
            write_baseline_file: Path | None, shard: str | None, output_format: str,
            model_types: tuple[str, ...]) -> int:
    """Smoke-test MODEL_TYPE... (or --all): build each class from a tiny config and check one forward pass.

    Each class gets pass, fail, finding (with its kind) or skip; exit 1 on any fail, and on findings with --strict."""
    layout = load_layout(repo)
    if all_models == bool(model_types):
        raise click.UsageError("give MODEL_TYPE... or --all (not both)")
    if baseline_file is not None and write_baseline_file is not None:
        raise click.UsageError("give --baseline or --write-baseline (not both)")
    try:
        shard_index = parse_shard(shard) if shard is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from error
    baseline = read_baseline(baseline_file) if baseline_file is not None else None
    parsed = {}
    for text in overrides:
        try:
            key, value = parse_override(text)
        except ValueError as error:  # a usage error: one line, exit 2, nothing run
            click.echo(f"error: {error}", err=True)
            return 2
        parsed[key] = value
    selected = pytorch_model_types(layout) if all_models else list(model_types)
    if shard_index is not None:
        selected = shard_of(selected, *shard_index)
    device = resolve_device(device, compare_devices, python)
    progress = _ProgressBar() if all_models or len(selected) > 1 else None
    results = run_smoke(layout, selected, device=device, jobs=jobs, timeout=timeout, overrides=parsed,
                        python=python, compare_devices=compare_devices, progress=progress, atol=atol,
                        workers=workers)
    if progress is not None:
        progress.finish()
    usage = next((result for result in results if result.usage_error), None)
    if usage is not None:  # a --set key or value the config does not take: the user's typo, nothing was checked
        click.echo(f"error: {usage.model_type}: {usage.usage_error}", err=True)
        return 2
    if write_baseline_file is not None:
        write_baseline(write_baseline_file, results)
    new, fixed = compare_with_baseline(results, baseline) if baseline is not None else (None, [])
    if output_format == "json":
        extra = {"baseline": {"new": new, "now_pass": fixed}} if baseline is not None else None
        click.echo(render_json(results, extra))
    elif output_format == "github":
        paths = {model_type: _modeling_path(layout, model_type) for model_type in selected}
        click.echo(render_github(results, paths))
    else:
        click.echo(render_text(results))
    if baseline is not None:
        if output_format != "json":
            _echo_baseline(new, fixed, baseline_file)
        return 1 if any(entry["verdict"] in ("fail", "finding") for entry in new) else 0  # a new skip is no defect
    if write_baseline_file is not None:
        click.echo(f"wrote the baseline {write_baseline_file}", err=True)
        return 0
    return 1 if any(is_blocking(result.status, strict) for result in results) else 0


def _echo_baseline(new: list[dict], fixed: list[dict], baseline_file: Path) -> None:
    """What the baseline does not hold (what fails the run), then its entries that now pass (to delete)."""
    lines = [f"baseline {baseline_file}: {len(new)} new, {len(fixed)} now pass"]
    lines += [f"  new {entry['verdict']}: {entry['model']} {entry['class']} {entry['check']}"
              f"{' ' + entry['kind'] if entry.get('kind') else ''}: {entry['message']}" for entry in new]
    lines += [f"  now pass: {entry['model']} {entry['class']} {entry['check']}"
              f"{' ' + entry['kind'] if entry.get('kind') else ''}" for entry in fixed]
    click.echo("\n".join(lines))


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
