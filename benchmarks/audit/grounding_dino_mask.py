"""grounding_dino: the contrastive logits are padded to max_text_len with float("-inf") on purpose (positions past
the text). On two different inputs of the same shapes the infinities sit at the same places, the text positions
past the sequence, for every query. Verdict: the old "not finite" fail was a TOOL FAULT (fixed: a mask is told from
an overflow); the -inf is ACCEPTED BEHAVIOUR."""

import torch
from common import tree_module

dino = tree_module("grounding_dino")
from transformers import BertConfig, SwinConfig

config = dino.GroundingDinoConfig(  # the sizes the smoke report shows
    backbone_config=SwinConfig(image_size=32, embed_dim=24, depths=[1, 1, 1, 1], window_size=2, patch_size=4,
                               out_features=["stage2", "stage3", "stage4"]),
    text_config=BertConfig(vocab_size=128, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                           intermediate_size=64, max_position_embeddings=64),
    num_queries=8, encoder_layers=2, encoder_ffn_dim=64, encoder_attention_heads=4, decoder_layers=2,
    decoder_ffn_dim=64, decoder_attention_heads=4, d_model=32, pad_token_id=0)
torch.manual_seed(0)
model = dino.GroundingDinoForObjectDetection(config).eval()
masks = []
for seed in (1, 2):
    generator = torch.Generator().manual_seed(seed)
    inputs = {"pixel_values": torch.rand(2, 3, 32, 32, generator=generator) * 4 - 2,
              "input_ids": torch.randint(3, 100, (2, 7), generator=generator), "attention_mask": torch.ones(2, 7)}
    with torch.no_grad():
        logits = model(**inputs).logits
    infinite = torch.isinf(logits)
    masks.append(infinite)
    positions = sorted(set(infinite.nonzero()[:, 2].tolist()))
    print(f"seed {seed}: logits {tuple(logits.shape)}, -inf at text positions {positions[0]}..{positions[-1]} "
          f"({len(positions)}), NaN {bool(torch.isnan(logits).any())}, "
          f"same for every query {bool((infinite == infinite[:, :1]).all())}")
print(f"same infinities on both inputs: {torch.equal(*masks)}")
