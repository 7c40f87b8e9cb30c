"""`modelgen compare ORIGINAL PORT`: run both on the same inputs and find the first module that differs."""

from __future__ import annotations

from pathlib import Path

import click

from modelgen.cli import load_layout, repo_option


@click.command("compare")
@click.argument("original")
@click.argument("port", required=False)
@click.option("--inputs", default=None, metavar="MODULE:FUNCTION",
              help="Arguments for each side (default: the token ids [0, 4, 5, 2, 3, 7, 9]).")
@click.option("--map", "map_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="TOML [[pair]] tables pairing module paths (original regex, port template).")
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="A convert mapping report (default: the port folder's port_mapping.json).")
@click.option("--atol", type=click.FloatRange(min=0), default=1e-3, show_default=True)
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Device of the original.")
@click.option("--port-device", type=click.Choice(["cpu", "cuda"]), default=None,
              help="Device of the port (default: --device).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a PNG of the divergence per module (needs matplotlib).")
@click.option("--save-trace", "save_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Save the original's trace (then PORT may be left out).")
@click.option("--path", "paths", multiple=True, help="Added to sys.path for module:function (repeatable).")
@repo_option
def command(original, port, inputs, map_path, mapping_path, atol, device, port_device, output_format, plot_path,
            save_path, paths, repo) -> int:
    """Compare ORIGINAL and PORT (each a trace file, a saved model folder or module:function)."""
    import json

    from modelgen.port.align import align, load_map, provenance_from_report
    from modelgen.port.compare import compare_traces
    from modelgen.port.report import plot, render_json, render_text
    from modelgen.port.sides import add_paths, resolve_side
    from modelgen.port.trace import save_trace

    if port is None and save_path is None:
        raise click.UsageError("give PORT, or --save-trace FILE to only record the original")
    add_paths(paths)
    user_map = load_map(map_path) if map_path else None
    original_side = resolve_side(original, "ORIGINAL", lambda: load_layout(repo))
    original_trace = _trace(original_side, inputs, "original", device)
    if save_path is not None:
        save_trace(original_trace, save_path)
        if port is None:
            click.echo(f"saved the trace of {original} ({len(original_trace.calls)} calls) to {save_path}")
            return 0
    port_side = resolve_side(port, "PORT", lambda: load_layout(repo))
    port_trace = _trace(port_side, inputs, "port", port_device or device)
    report = port_side.mapping_report
    if mapping_path is not None:
        report = json.loads(mapping_path.read_text(encoding="utf-8"))
    alignment = align(original_trace, port_trace, provenance_from_report(report), user_map)
    comparison = compare_traces(original_trace, port_trace, alignment, atol)
    click.echo(render_json(comparison) if output_format == "json" else render_text(comparison))
    if plot_path is not None:
        plot(comparison, plot_path)
    return 0 if comparison.agrees else 1


def _trace(side, inputs: str | None, name: str, device: str):
    from modelgen.port.sides import model_inputs
    from modelgen.port.trace import record_trace

    if side.trace is not None:
        return side.trace
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise click.UsageError("--device cuda: no CUDA device here")
    args, kwargs = model_inputs(inputs, name)
    model = side.model.to(device)
    args = tuple(_to(value, device) for value in args)
    kwargs = {key: _to(value, device) for key, value in kwargs.items()}
    return record_trace(model, args, kwargs)


def _to(value, device: str):
    import torch

    return value.to(device) if isinstance(value, torch.Tensor) else value
