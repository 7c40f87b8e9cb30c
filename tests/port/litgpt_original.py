"""The decoder "original": litgpt's own GPT (Lightning's Llama: fused `attn.qkv`, its rotary cache), tiny and
with grouped-query attention, randomly initialised from a fixed seed. Runs in `.venv-litgpt` (make litgpt-venv):

    .venv-litgpt/bin/python tests/port/litgpt_original.py original.pt       # the checkpoint, litgpt's keys
    .venv-litgpt/bin/modelgen compare --save-trace original.trace tests.port.litgpt_original:original
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

CONFIG = {"name": "tiny-llama", "block_size": 64, "vocab_size": 101, "padded_vocab_size": 101, "n_layer": 2,
          "n_head": 4, "n_query_groups": 2, "n_embd": 64, "head_size": 16, "rotary_percentage": 1.0,
          "parallel_residual": False, "bias": False, "norm_class_name": "RMSNorm", "norm_eps": 1e-5,
          "mlp_class_name": "LLaMAMLP", "intermediate_size": 172, "rope_base": 10000}

PORT_CONFIG = {"vocab_size": 101, "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "rms_norm_eps": 1e-5,
               "rope_theta": 10000.0, "max_position_embeddings": 64, "tie_word_embeddings": False,
               "hidden_act": "silu"}

# litgpt keeps q, k and v of all heads one after the other in `attn.qkv` and rotates with the half-split
# layout transformers' Llama uses: a grouped-query split, and no rotary permutation.
RULES = r"""
[[rule]]
source = 'transformer\.wte\.weight'
target = 'model.embed_tokens.weight'

[[rule]]
source = 'transformer\.h\.(\d+)\.attn\.qkv\.weight'
target = ['model.layers.{1}.self_attn.q_proj.weight', 'model.layers.{1}.self_attn.k_proj.weight',
          'model.layers.{1}.self_attn.v_proj.weight']
split = {dim = 0, sizes = ['num_attention_heads * head_dim', 'num_key_value_heads * head_dim',
                           'num_key_value_heads * head_dim']}

[[rule]]
source = 'transformer\.h\.(\d+)\.attn\.proj\.weight'
target = 'model.layers.{1}.self_attn.o_proj.weight'

[[rule]]
source = 'transformer\.h\.(\d+)\.norm_1\.weight'
target = 'model.layers.{1}.input_layernorm.weight'

[[rule]]
source = 'transformer\.h\.(\d+)\.norm_2\.weight'
target = 'model.layers.{1}.post_attention_layernorm.weight'

[[rule]]
source = 'transformer\.h\.(\d+)\.mlp\.fc_1\.weight'
target = 'model.layers.{1}.mlp.gate_proj.weight'

[[rule]]
source = 'transformer\.h\.(\d+)\.mlp\.fc_2\.weight'
target = 'model.layers.{1}.mlp.up_proj.weight'

[[rule]]
source = 'transformer\.h\.(\d+)\.mlp\.proj\.weight'
target = 'model.layers.{1}.mlp.down_proj.weight'

[[rule]]
source = 'transformer\.ln_f\.weight'
target = 'model.norm.weight'

[[rule]]
source = 'lm_head\.weight'
target = 'lm_head.weight'
"""


def original(seed: int = 0):
    from litgpt import Config
    from litgpt.model import GPT

    torch.manual_seed(seed)
    model = GPT(Config(**CONFIG))
    with torch.no_grad():  # RMSNorm weights away from 1, so a swapped pair shows
        for name, parameter in model.named_parameters():
            if "norm" in name or "ln_f" in name:
                parameter.normal_(1.0, 0.2)
    return model.eval()


if __name__ == "__main__":
    torch.save(original().state_dict(), Path(sys.argv[1]))
