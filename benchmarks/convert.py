"""`modelgen convert` on a ~2 GB synthetic Llama-like checkpoint, and the cost of tracing in `compare`.

    python benchmarks/convert.py [--layers 12] [--hidden 1536] [--intermediate 6784] [--work DIR] [--tracing-only]

1. Writes a Meta-layout checkpoint (`layers.N.attention.wq.weight`, interleaved rotary rows, grouped-query
   k/v) as one .safetensors file of about 2 GB, streamed so the benchmark itself stays small.
2. Converts it into the 4.46.3 tree's `llama` (renames + `permute_for_rope` on q and k) in a child process,
   and, in another child, loads and saves the same tensors with plain `safetensors.torch`. Each child's peak
   resident memory comes from `wait4`; the conversion's is reported against the checkpoint's size.
3. Times `record_trace` (what `compare` runs per side) on a 12-layer, 768-wide BERT against plain forwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from modelgen.port.tensorfile import TensorInfo, write_sharded
from modelgen.trees import pristine_tree

RULES = r"""
[[rule]]
source = 'tok_embeddings\.weight'
target = 'embed_tokens.weight'

[[rule]]
source = 'layers\.(\d+)\.attention\.wq\.weight'
target = 'layers.{1}.self_attn.q_proj.weight'
permute_for_rope = {head_dim = 'head_dim', to = 'half'}

[[rule]]
source = 'layers\.(\d+)\.attention\.wk\.weight'
target = 'layers.{1}.self_attn.k_proj.weight'
permute_for_rope = {head_dim = 'head_dim', to = 'half'}

[[rule]]
source = 'layers\.(\d+)\.attention\.wv\.weight'
target = 'layers.{1}.self_attn.v_proj.weight'

[[rule]]
source = 'layers\.(\d+)\.attention\.wo\.weight'
target = 'layers.{1}.self_attn.o_proj.weight'

[[rule]]
source = 'layers\.(\d+)\.feed_forward\.w1\.weight'
target = 'layers.{1}.mlp.gate_proj.weight'

[[rule]]
source = 'layers\.(\d+)\.feed_forward\.w3\.weight'
target = 'layers.{1}.mlp.up_proj.weight'

[[rule]]
source = 'layers\.(\d+)\.feed_forward\.w2\.weight'
target = 'layers.{1}.mlp.down_proj.weight'

[[rule]]
source = 'layers\.(\d+)\.attention_norm\.weight'
target = 'layers.{1}.input_layernorm.weight'

[[rule]]
source = 'layers\.(\d+)\.ffn_norm\.weight'
target = 'layers.{1}.post_attention_layernorm.weight'

[[rule]]
source = 'norm\.weight'
target = 'norm.weight'
"""


def original_layout(config: dict) -> list[tuple[str, TensorInfo]]:
    hidden, inter, head_dim = config["hidden_size"], config["intermediate_size"], config["head_dim"]
    kv = config["num_key_value_heads"] * head_dim
    shapes = [("tok_embeddings.weight", (config["vocab_size"], hidden))]
    for layer in range(config["num_hidden_layers"]):
        prefix = f"layers.{layer}"
        shapes += [(f"{prefix}.attention.wq.weight", (hidden, hidden)), (f"{prefix}.attention.wk.weight", (kv, hidden)),
                   (f"{prefix}.attention.wv.weight", (kv, hidden)), (f"{prefix}.attention.wo.weight", (hidden, hidden)),
                   (f"{prefix}.feed_forward.w1.weight", (inter, hidden)),
                   (f"{prefix}.feed_forward.w3.weight", (inter, hidden)),
                   (f"{prefix}.feed_forward.w2.weight", (hidden, inter)),
                   (f"{prefix}.attention_norm.weight", (hidden,)), (f"{prefix}.ffn_norm.weight", (hidden,))]
    shapes.append(("norm.weight", (hidden,)))
    return [(name, TensorInfo(shape, torch.float32)) for name, shape in shapes]


def run_child(command: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS in bytes and CPU seconds (user + system, from wait4) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    output = process.stdout.read() + process.stderr.read()  # small: a few lines each
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{output[-2000:]}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


PLAIN = """
import sys
from safetensors.torch import load_file, save_file
tensors = load_file(sys.argv[1])
save_file(tensors, sys.argv[2], metadata={"format": "pt"})
"""


def tracing_cost(repeats: int) -> dict:
    from modelgen.port.library import import_library
    from modelgen.port.trace import record_trace
    from modelgen.repo import RepoLayout

    library = import_library(RepoLayout.discover(pristine_tree("4.46.3")))
    torch.manual_seed(0)
    model = library.BertModel(library.BertConfig(num_hidden_layers=12, hidden_size=768)).eval()
    ids = torch.tensor([[0, 4, 5, 2, 3, 7, 9]])

    def best(function) -> float:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return min(times)

    with torch.no_grad():
        model(ids)  # warm-up
        plain = best(lambda: (model(ids), model(ids)))
    traced = best(lambda: (record_trace(model, (ids,)), record_trace(model, (ids,))))
    calls = len(record_trace(model, (ids,)).calls)
    return {"two_plain_forwards_s": round(plain, 4), "two_traced_forwards_s": round(traced, 4),
            "ratio": round(traced / plain, 2), "calls_per_trace": calls}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--hidden", type=int, default=1536)
    parser.add_argument("--intermediate", type=int, default=6784)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tracing-only", action="store_true", help="Only the tracing cost (part 3).")
    parser.add_argument("--skip-tracing", action="store_true", help="Only the conversion (parts 1 and 2).")
    arguments = parser.parse_args()
    if arguments.tracing_only:
        print(json.dumps({"tracing_bert_12x768": tracing_cost(arguments.repeats)}, indent=2))
        return
    work = Path(tempfile.mkdtemp(prefix="convert-bench-", dir=arguments.work))
    config = {"model_type": "llama", "vocab_size": 32000, "hidden_size": arguments.hidden,
              "intermediate_size": arguments.intermediate, "num_hidden_layers": arguments.layers,
              "num_attention_heads": 12, "num_key_value_heads": 4, "head_dim": arguments.hidden // 12,
              "tie_word_embeddings": False}
    try:
        layout = original_layout(config)
        generator = torch.Generator().manual_seed(0)
        started = time.perf_counter()
        write_sharded(work, layout, lambda name: torch.randn(dict(layout)[name].shape, generator=generator),
                      max_shard_bytes=1 << 40, stem="original")
        source = work / "original.safetensors"
        size = source.stat().st_size
        print(f"checkpoint: {size / 1e9:.2f} GB, {len(layout)} tensors, {arguments.layers} layers "
              f"(written in {time.perf_counter() - started:.1f} s)")
        (work / "rules.toml").write_text(RULES)
        (work / "config.json").write_text(json.dumps(config))
        tree = pristine_tree("4.46.3")
        convert_wall, convert_rss, convert_cpu = run_child(
            [sys.executable, "-m", "modelgen", "convert", "--repo", str(tree), "--rules", str(work / "rules.toml"),
             "--source", str(source), "--model-type", "llama", "--model-class", "LlamaModel",
             "--config", str(work / "config.json"), "--output", str(work / "converted")])
        shutil.rmtree(work / "converted")
        dry_wall, dry_rss, dry_cpu = run_child(
            [sys.executable, "-m", "modelgen", "convert", "--repo", str(tree), "--rules", str(work / "rules.toml"),
             "--source", str(source), "--model-type", "llama", "--model-class", "LlamaModel",
             "--config", str(work / "config.json"), "--dry-run"])
        plain_wall, plain_rss, plain_cpu = run_child([sys.executable, "-c", PLAIN, str(source), str(work / "plain.safetensors")])
        (work / "plain.safetensors").unlink()
        results = {
            "checkpoint_bytes": size,
            "convert": {"wall_s": round(convert_wall, 1), "cpu_s": round(convert_cpu, 1), "peak_rss_bytes": convert_rss,
                        "peak_rss_over_checkpoint": round(convert_rss / size, 3)},
            "convert_dry_run (fixed cost: imports, meta model, plan)": {
                "wall_s": round(dry_wall, 1), "cpu_s": round(dry_cpu, 1), "peak_rss_bytes": dry_rss},
            "plain_safetensors_load_save": {"wall_s": round(plain_wall, 1), "cpu_s": round(plain_cpu, 1),
                                            "peak_rss_bytes": plain_rss,
                                            "peak_rss_over_checkpoint": round(plain_rss / size, 3)},
            "convert_wall_over_plain": round(convert_wall / plain_wall, 2),
            "convert_cpu_over_plain": round(convert_cpu / plain_cpu, 2),
        }
        if not arguments.skip_tracing:
            results["tracing_bert_12x768"] = tracing_cost(arguments.repeats)
        print(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
