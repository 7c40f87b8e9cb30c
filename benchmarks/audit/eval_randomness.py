"""vilt and patchtst: two eval forwards of the same model on the same inputs.

ViLT's heads differ by float reordering only (1e-9..6e-8, far below transformers' own 1e-5), so they pass; ViltModel
itself samples image patches with torch.multinomial in eval (`visual_embed`, max_image_length), and
PatchTSTForPretraining masks random patches (its pretraining objective) in eval too. Verdict: the head noise was a
TOOL FAULT (exact comparison; fixed: --atol 1e-5); the sampling is ACCEPTED BEHAVIOUR (random-in-eval)."""

import torch
from common import tree_module

vilt = tree_module("vilt")
config = vilt.ViltConfig(vocab_size=128, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=64, image_size=32, patch_size=4, pad_token_id=0)  # the smoke report's
generator = torch.Generator().manual_seed(0)
inputs = {"input_ids": torch.randint(1, 128, (2, 7), generator=generator), "attention_mask": torch.ones(2, 7),
          "pixel_values": torch.rand(2, 3, 32, 32, generator=generator)}
for cls in (vilt.ViltForQuestionAnswering, vilt.ViltForMaskedLM, vilt.ViltModel):
    torch.manual_seed(0)
    model = cls(config).eval()
    with torch.no_grad():
        first, second = (model(**inputs)[0] for _ in range(2))
    print(f"{cls.__name__}: two eval forwards, max abs diff {float((first - second).abs().max()):.2g}")

patchtst = tree_module("patchtst")
config = patchtst.PatchTSTConfig(num_hidden_layers=2, d_model=32, ffn_dim=64)
torch.manual_seed(0)
model = patchtst.PatchTSTForPretraining(config).eval()
past = torch.rand(2, config.context_length, config.num_input_channels, generator=generator)
with torch.no_grad():
    first, second = (model(past_values=past).loss for _ in range(2))
print(f"PatchTSTForPretraining: two eval losses {float(first):.4f} vs {float(second):.4f} (random_mask_ratio "
      f"{config.random_mask_ratio}, mask_type {config.mask_type!r})")
