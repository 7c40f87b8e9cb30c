"""The init findings of the review's models, shown without modelgen: which parameters keep the values they
have with `_init_weights` disabled (it never changed them), and why.

  owlvit OwlViTForObjectDetection, pixtral PixtralVisionModel, esm EsmForProteinFolding: `__init__` never calls
      post_init(), so _init_weights never runs for their own layers (init:no-post-init, a real omission: silent
      until from_pretrained meets a checkpoint without those keys).
  wav2vec2 Wav2Vec2Model: _init_weights calls normal_ on pos_conv_embed.conv.weight, which weight norm recomputes
      from its parametrization on each access: the originals stay at PyTorch's default (init:ineffective).
  mamba, regnet, idefics: modules _init_weights leaves at PyTorch's default (init:framework-default, a choice).
Verdict: ACCEPTED BEHAVIOUR, in three kinds a maintainer treats differently."""

import sys

from common import (
    calls_post_init,
    changed_by_a_late_post_init,
    report,
    tree_module,
    untouched_by_init_weights,
)

TEXT = dict(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4)
CASES = {  # model type -> (class, config kwargs: the sizes the smoke report shows, parameter name parts to show)
    "owlvit": ("OwlViTForObjectDetection", dict(
        text_config=dict(TEXT, bos_token_id=126, eos_token_id=125),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                           image_size=32, patch_size=4), projection_dim=32), ["class_head", "box_head"]),
    "pixtral": ("PixtralVisionModel", dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                           num_attention_heads=4, image_size=32, patch_size=4),
                ["patch_conv", "feed_forward"]),
    "esm": ("EsmForProteinFolding", dict(TEXT, max_position_embeddings=64, pad_token_id=0, is_folding_model=True,
                                         esmfold_config=dict(trunk=dict(
                                             num_blocks=1, sequence_state_dim=32, pairwise_state_dim=32,
                                             sequence_head_width=8, pairwise_head_width=8,
                                             structure_module=dict(num_blocks=1, sequence_dim=32, pairwise_dim=32,
                                                                   ipa_dim=8, num_heads_ipa=2)))),
            ["esm_s_mlp", "trunk"]),
    "wav2vec2": ("Wav2Vec2Model", dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                       intermediate_size=64, conv_dim=[64] * 7), ["pos_conv_embed"]),
    "mamba": ("MambaModel", dict(vocab_size=128, hidden_size=32, num_hidden_layers=2), ["in_proj", "conv1d"]),
    "regnet": ("RegNetModel", dict(hidden_sizes=[8, 16, 32, 64], depths=[1, 1, 1, 1]), ["attention"]),
    "idefics": ("IdeficsModel", dict(TEXT, vision_config=dict(embed_dim=32, image_size=32, intermediate_size=64,
                                                              patch_size=4, num_hidden_layers=2,
                                                              num_attention_heads=4),
                                     perceiver_config=dict(resampler_n_heads=4, resampler_head_dim=8)),
                ["patch_embedding"]),
    # a random sample of the other non-pass 4.46.3 models (random.seed(13)), same three kinds
    "owlv2": ("Owlv2ForObjectDetection", dict(
        text_config=dict(TEXT, bos_token_id=126, eos_token_id=125),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                           image_size=32, patch_size=4), projection_dim=32), ["class_head", "box_head"]),
    "maskformer_swin": ("MaskFormerSwinModel", dict(image_size=32, embed_dim=24, depths=[1, 1, 1, 1],
                                                   num_heads=[4, 8, 16, 32], window_size=2, patch_size=4), None),
    "segformer": ("SegformerDecodeHead", dict(depths=[1, 1, 1, 1], hidden_sizes=[8, 16, 40, 64],
                                              decoder_hidden_size=8), None),
    "vits": ("VitsModel", dict(hidden_size=32, num_hidden_layers=2, window_size=2, ffn_dim=64,
                               posterior_encoder_num_wavenet_layers=2, flow_size=32), ["parametrizations"]),
    "encodec": ("EncodecModel", dict(hidden_size=32), ["parametrizations"]),
    "pvt": ("PvtModel", dict(image_size=32, depths=[1, 1, 1, 1], hidden_sizes=[8, 16, 40, 64]), None),
}
FOLDERS = {"esm": ("esm", "esmfold"), "maskformer_swin": ("maskformer", "maskformer_swin")}

wanted = sys.argv[2:] or list(CASES)
for model_type in wanted:
    class_name, kwargs, parts = CASES[model_type]
    module = tree_module(*FOLDERS.get(model_type, (model_type,)))
    cls = getattr(module, class_name)
    config_class = cls.config_class
    config = config_class(**kwargs)
    if not calls_post_init(cls):
        changed = changed_by_a_late_post_init(cls(config))
        report(f"{model_type} {class_name}: calls post_init(): False; {len(changed)} parameters change when "
               "post_init() is called after the build", changed[:4])
        continue
    untouched = untouched_by_init_weights(cls, config, parts)
    report(f"{model_type} {class_name}: calls post_init(): {calls_post_init(cls)}; {len(untouched)} parameters "
           f"keep their values when _init_weights is disabled", untouched[:4])
