"""clvp: ClvpForCausalLM, ClvpEncoder and ClvpDecoder inherit `config_class = ClvpConfig`, but the composite model
builds them from its sub-configs. Built from ClvpConfig they fail; from their sub-configs they build, run and
round-trip. Verdict: TOOL FAULT (fixed: smoke gives them the sub-config by position)."""

import tempfile

import torch
from common import report, tree_module

clvp = tree_module("clvp")
encoder = dict(vocab_size=128, hidden_size=32, intermediate_size=64, projection_dim=32, num_hidden_layers=2,
               num_attention_heads=1, bos_token_id=126, pad_token_id=1)  # the sizes the smoke report shows
decoder = dict(vocab_size=128, max_position_embeddings=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
               num_mel_attn_blocks=2, bos_token_id=125, eos_token_id=124, pad_token_id=0)
lines = []
for cls, sub in ((clvp.ClvpForCausalLM, clvp.ClvpDecoderConfig(**decoder)),
                 (clvp.ClvpDecoder, clvp.ClvpDecoderConfig(**decoder)),
                 (clvp.ClvpEncoder, clvp.ClvpEncoderConfig(**encoder))):
    try:
        cls(clvp.ClvpConfig())
        lines.append(f"{cls.__name__}(ClvpConfig()) builds")
    except AttributeError as error:
        lines.append(f"{cls.__name__}(ClvpConfig()): AttributeError: {error}")
    model = cls(sub).eval()
    ids = torch.randint(2, 120, (2, 7))
    with torch.no_grad():
        out = model(input_ids=ids)[0]
    with tempfile.TemporaryDirectory() as folder:
        model.save_pretrained(folder)
        loaded, info = cls.from_pretrained(folder, output_loading_info=True)
    with torch.no_grad():
        again = loaded.eval()(input_ids=ids)[0]
    lines.append(f"{cls.__name__}({type(sub).__name__}): forward {tuple(out.shape)}, missing keys "
                 f"{info['missing_keys']}, reload max diff {float((out - again).abs().max()):.1e}")
report("tool fault: built from the composite config; each builds from its sub-config", lines)
