"""Required inputs of sub-models fed by another model: `*_embeds`, concatenated layer states, robot states with
action-chunk noise, question marks, camera images with a prefix of image tokens, and a prefix cache a sibling
class fills."""

from types import SimpleNamespace

import torch
from signature_model import SignatureModel as _Model
from signature_model import shapes as _shapes

from modelgen.smoke.dummy_inputs.builders import BATCH, SEQUENCE, input_attempts
from modelgen.smoke.dummy_inputs.sessions import PerCall


class _SubConfig(SimpleNamespace):
    model_type = "sub"

    def to_dict(self):
        return dict(vars(self))


def test_required_embeddings_take_the_width_and_layer_states_one_width_per_named_layer():
    config = SimpleNamespace(hidden_size=8, target_layer_ids=[1, 3, 5], vocab_size=16)
    model = _Model("noise_embeds, context_hidden_states, attention_mask=None", "noise_embeds")
    first = input_attempts(model, config)[0]
    assert _shapes(first) == {"noise_embeds": (BATCH, SEQUENCE, 8), "context_hidden_states": (BATCH, SEQUENCE, 24)}


def test_required_embeddings_of_a_composite_config_take_a_sub_configs_width():
    config = SimpleNamespace(dit_config=_SubConfig(hidden_size=12), vocab_size=16)
    first = input_attempts(_Model("action_embeds, input_ids=None", "action_embeds"), config)[0]
    assert _shapes(first)["action_embeds"] == (BATCH, SEQUENCE, 12)


def test_robot_states_get_their_dimension_and_fixed_action_noise_and_timestep():
    config = SimpleNamespace(max_state_dim=5, max_action_dim=3, chunk_size=4, vocab_size=16)
    model = _Model("state, noise=None, timestep=None, input_ids=None", "state")
    first = input_attempts(model, config)[0]
    assert _shapes(first) == {"state": (BATCH, 5), "noise": (BATCH, 4, 3), "timestep": (BATCH,)}
    again = input_attempts(model, config)[0]
    assert torch.equal(first["noise"], again["noise"]) and torch.equal(first["timestep"], again["timestep"])


def test_question_marks_point_after_the_first_token_with_options_and_type_zero():
    config = SimpleNamespace(hidden_size=8, vocab_size=16, num_verbalizers=6)
    first = input_attempts(_Model("input_ids, marks, num_options, question_type_ids"), config)[0]
    assert first["marks"].shape[0] == BATCH and bool((first["marks"] >= 1).all())
    assert bool((first["marks"] < SEQUENCE).all())
    assert first["num_options"].shape == first["marks"].shape and bool((first["num_options"] >= 1).all())
    assert not first["question_type_ids"].any()


def test_camera_images_come_with_a_camera_mask_and_one_image_token_per_patch():
    vlm = _SubConfig(image_token_id=15, vision_config=_SubConfig(image_size=8, patch_size=4), hidden_size=8)
    config = SimpleNamespace(vlm_config=vlm, vocab_size=16, image_size=8, max_state_dim=3)
    model = _Model("state, input_ids=None, pixel_values=None, attention_mask=None, pixel_attention_mask=None",
                   "state")
    attempts = input_attempts(model, config)
    cameras = [inputs for inputs in attempts if "pixel_attention_mask" in inputs]
    assert cameras, "no camera variant"
    variant = cameras[0]
    assert variant["pixel_values"].shape[:2] == (BATCH, 1) and variant["pixel_attention_mask"].dtype == torch.bool
    assert ((variant["input_ids"] == 15).sum(dim=1) == 4).all()  # (8 / 4)^2 patches, none in the text
    assert variant["attention_mask"].shape == variant["input_ids"].shape
    assert "pixel_attention_mask" not in attempts[-1]  # the last attempt stays the one reported


class _CacheConfig(SimpleNamespace):
    pass


class _Output(SimpleNamespace):
    pass


class _Encoder(torch.nn.Module):
    config_class = _CacheConfig

    def __init__(self, config):
        super().__init__()
        self.embed = torch.nn.Embedding(config.vocab_size, 4)

    def forward(self, input_ids=None, past_key_values=None, use_cache=None):
        return _Output(past_key_values=[self.embed(input_ids)])


class _Decoder(torch.nn.Module):
    config_class = _CacheConfig

    def __init__(self, config):
        super().__init__()
        self.embed = torch.nn.Embedding(config.vocab_size, 4)

    def forward(self, decoder_input_ids, past_key_values=None):
        if past_key_values is None:
            raise ValueError("needs the prefix")
        return self.embed(decoder_input_ids) + past_key_values[0].mean(1, keepdim=True)


class _Composite(torch.nn.Module):
    config_class = _CacheConfig

    def __init__(self, config):
        super().__init__()
        self.decoder = _Decoder(config)

    def forward(self, input_ids=None, past_key_values=None, decoder_input_ids=None):
        if input_ids is None:
            pass
        elif past_key_values is None:
            raise ValueError("either")
        return self.decoder(decoder_input_ids, past_key_values)


def test_a_forward_that_raises_without_a_cache_gets_the_one_a_sibling_class_fills_the_same_each_call():
    config = _CacheConfig(vocab_size=16, hidden_size=4)
    first = input_attempts(_Decoder(config), config)[0]
    cache = first["past_key_values"]
    assert isinstance(cache, PerCall)
    one, two = cache.build("cpu"), cache.build("cpu")
    assert one[0].shape == (BATCH, SEQUENCE, 4) and torch.equal(one[0], two[0])


def test_a_forward_that_only_raises_when_no_token_ids_are_given_gets_no_cache():
    config = _CacheConfig(vocab_size=16, hidden_size=4)
    first = input_attempts(_Composite(config), config)[0]
    assert "past_key_values" not in first
