"""An "original" encoder nobody here wrote the layers of: PyTorch's own `nn.TransformerEncoderLayer`.

Fused `in_proj_weight`, post-norm, `linear1`/`linear2`, `norm1`/`norm2`, sequence-first layers, with token,
position and type embeddings in front and a tanh pooler behind: the layout a BERT port has to map.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

SIZES = {"vocab": 99, "hidden": 32, "heads": 4, "layers": 2, "ffn": 37, "positions": 64, "types": 2}
EPSILON = 1e-12


class OriginalEncoder(nn.Module):
    def __init__(self, vocab: int, hidden: int, heads: int, layers: int, ffn: int, positions: int, types: int):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(positions, hidden)
        self.typ = nn.Embedding(types, hidden)
        self.embed_norm = nn.LayerNorm(hidden, eps=EPSILON)
        self.embed_dropout = nn.Dropout(0.1)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(hidden, heads, ffn, dropout=0.1, activation=nn.GELU(), layer_norm_eps=EPSILON)
            for _ in range(layers)
        )
        self.pool = nn.Linear(hidden, hidden)
        self.pool_activation = nn.Tanh()

    def forward(self, input_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None]
        hidden = self.tok(input_ids) + self.typ(torch.zeros_like(input_ids)) + self.pos(positions)
        hidden = self.embed_dropout(self.embed_norm(hidden)).transpose(0, 1)  # the layers are sequence-first
        for layer in self.layers:
            hidden = layer(hidden)
        hidden = hidden.transpose(0, 1)
        return hidden, self.pool_activation(self.pool(hidden[:, 0]))


def build(seed: int = 0) -> OriginalEncoder:
    torch.manual_seed(seed)
    model = OriginalEncoder(**SIZES)
    with torch.no_grad():  # LayerNorms away from 1/0, so a swapped pair shows
        for module in model.modules():
            if isinstance(module, nn.LayerNorm):
                module.weight.normal_(1.0, 0.2)
                module.bias.normal_(0.0, 0.2)
            if isinstance(module, nn.MultiheadAttention):
                module.in_proj_bias.normal_(0.0, 0.1)
    return model.eval()


def save(path: Path, seed: int = 0) -> dict[str, torch.Tensor]:
    state = build(seed).state_dict()
    torch.save(state, path)
    return state


def load(path: Path) -> OriginalEncoder:
    model = OriginalEncoder(**SIZES)
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()


PORT_CONFIG = {"vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
               "intermediate_size": 37, "max_position_embeddings": 64, "type_vocab_size": 2, "hidden_act": "gelu",
               "layer_norm_eps": EPSILON, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}

RULES = r"""
[[rule]]
source = 'tok\.weight'
target = 'embeddings.word_embeddings.weight'

[[rule]]
source = 'pos\.weight'
target = 'embeddings.position_embeddings.weight'

[[rule]]
source = 'typ\.weight'
target = 'embeddings.token_type_embeddings.weight'

[[rule]]
source = 'embed_norm\.(weight|bias)'
target = 'embeddings.LayerNorm.{1}'

[[rule]]
source = 'layers\.(\d+)\.self_attn\.in_proj_(weight|bias)'
target = ['encoder.layer.{1}.attention.self.query.{2}', 'encoder.layer.{1}.attention.self.key.{2}',
          'encoder.layer.{1}.attention.self.value.{2}']
split = {dim = 0, chunks = 3}

[[rule]]
source = 'layers\.(\d+)\.self_attn\.out_proj\.(weight|bias)'
target = 'encoder.layer.{1}.attention.output.dense.{2}'

[[rule]]
source = 'layers\.(\d+)\.norm1\.(weight|bias)'
target = 'encoder.layer.{1}.attention.output.LayerNorm.{2}'

[[rule]]
source = 'layers\.(\d+)\.linear1\.(weight|bias)'
target = 'encoder.layer.{1}.intermediate.dense.{2}'

[[rule]]
source = 'layers\.(\d+)\.linear2\.(weight|bias)'
target = 'encoder.layer.{1}.output.dense.{2}'

[[rule]]
source = 'layers\.(\d+)\.norm2\.(weight|bias)'
target = 'encoder.layer.{1}.output.LayerNorm.{2}'

[[rule]]
source = 'pool\.(weight|bias)'
target = 'pooler.dense.{1}'
"""
