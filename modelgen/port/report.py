"""The comparison as text, as JSON, and as a plot of the divergence along the execution order."""

from __future__ import annotations

import json
from pathlib import Path

from modelgen.port.compare import Comparison


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"


def render_text(comparison: Comparison) -> str:
    lines = [f"{'original':<40} {'port':<48} {'shape':<16} {'max diff':>9} {'mean diff':>9} {'input diff':>10}"]
    for result in comparison.results:
        flag = " !" if result.max_difference is not None and result.max_difference > comparison.atol else ""
        lines.append(f"{result.pair.original.label:<40} {result.pair.port.label:<48} {result.shape!s:<16} "
                     f"{_number(result.max_difference):>9} {_number(result.mean_difference):>9} "
                     f"{_number(result.input_difference):>10}{flag}")
    alignment = comparison.alignment
    lines.append(f"{len(comparison.results)} aligned pairs; without a counterpart: "
                 f"{len(alignment.unaligned_original)} original calls, {len(alignment.unaligned_port)} port calls")
    for side, calls in (("original", alignment.unaligned_original), ("port", alignment.unaligned_port)):
        if calls:
            names = ", ".join(call.label for call in calls[:12])
            lines.append(f"  unaligned {side}: {names}{', ...' if len(calls) > 12 else ''}")
    divergence = comparison.divergence
    if divergence is None:
        lines.append(f"no module diverges beyond {comparison.atol:g}")
    else:
        pair = divergence.result.pair
        lines.append(f"first divergence: {pair.original.label} -> {pair.port.label} "
                     f"(max diff {_number(divergence.result.max_difference)}): {divergence.verdict}; "
                     f"{divergence.reason}")
        if divergence.port_unaligned_between:
            lines.append(f"  {divergence.inside_label}: {', '.join(divergence.port_unaligned_between[:8])}")
    verdict = "agree" if comparison.agrees else "DIFFER"
    lines.append(f"final outputs {verdict}: max diff {_number(comparison.final.max_difference)} "
                 f"(tolerance {comparison.atol:g})")
    return "\n".join(lines)


def as_dict(comparison: Comparison) -> dict:
    divergence = comparison.divergence
    alignment = comparison.alignment
    return {
        "atol": comparison.atol, "agree": comparison.agrees, "final": comparison.final.as_dict(),
        "pairs": [result.as_dict() for result in comparison.results],
        "first_divergence": None if divergence is None else {
            **divergence.result.as_dict(), "verdict": divergence.verdict, "reason": divergence.reason,
            "inputs_agreed": divergence.verdict.startswith("this module"),
            "port_unaligned_calls": divergence.port_unaligned_between, "those_calls": divergence.inside_label},
        "unaligned": {"original": [call.label for call in alignment.unaligned_original],
                      "port": [call.label for call in alignment.unaligned_port]},
    }


def render_json(comparison: Comparison) -> str:
    return json.dumps(as_dict(comparison), indent=2)


def plot(comparison: Comparison, path: Path) -> None:
    """Log-scale max difference per aligned pair, the tolerance line, the first divergence marked."""
    try:
        import matplotlib
    except ImportError as error:
        from modelgen.errors import ModelgenError

        raise ModelgenError("--plot needs matplotlib: pip install 'modelgen[plot]'") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    floor = comparison.atol * 1e-6
    values = [max(result.max_difference or 0.0, floor) for result in comparison.results]
    figure, axes = plt.subplots(figsize=(max(6, len(values) * 0.12), 4))
    axes.semilogy(range(len(values)), values, marker=".", linewidth=1)
    axes.axhline(comparison.atol, color="grey", linestyle="--", label=f"tolerance {comparison.atol:g}")
    if comparison.divergence is not None:
        position = comparison.results.index(comparison.divergence.result)
        axes.axvline(position, color="red", alpha=0.5)
        axes.annotate(comparison.divergence.result.pair.port.label, (position, values[position]), fontsize=7,
                      color="red", rotation=30)
    axes.set_xlabel("aligned module, in execution order")
    axes.set_ylabel("max |original - port|")
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
