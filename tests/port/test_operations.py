"""Each rule operation runs forward and back exactly; shapes are checked on meta tensors too."""

from __future__ import annotations

import pytest
import torch

from modelgen.port.operations import OPERATIONS, Step

CONFIG = {"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "hidden_size": 32}


def run(name, value, tensors):
    operation = OPERATIONS[name](value)
    step = Step.of(tensors)
    outputs = operation.forward(tensors, CONFIG.__getitem__)
    return operation, step, outputs


@pytest.mark.parametrize(("name", "value", "shapes"), [
    ("transpose", True, [(3, 5)]),
    ("reshape", ["num_attention_heads", "head_dim", -1], [(32, 6)]),
    ("split", {"dim": 0, "sizes": ["num_attention_heads * head_dim", "num_key_value_heads * head_dim",
                                   "num_key_value_heads * head_dim"]}, [(64, 32)]),
    ("split", {"dim": 1, "chunks": 2}, [(3, 8)]),
    ("concat", {"dim": 0}, [(2, 4), (3, 4)]),
    ("stack", {"dim": 0}, [(2, 4), (2, 4), (2, 4)]),
    ("permute_for_rope", {"head_dim": "head_dim", "to": "half"}, [(32, 32), (16, 32)]),
    ("permute_for_rope", {"head_dim": 8, "to": "interleaved", "only": [1]}, [(32,), (16,)]),
    ("dtype", "float64", [(3, 3)]),
])
def test_forward_then_inverse_gives_back_the_inputs_bit_for_bit(name, value, shapes):
    tensors = [torch.randn(shape) for shape in shapes]
    operation, step, outputs = run(name, value, tensors)
    assert operation.invertible(step)
    restored = operation.inverse(outputs, step, CONFIG.__getitem__)
    assert len(restored) == len(tensors)
    for original, back in zip(tensors, restored):
        assert back.dtype == original.dtype and torch.equal(back, original)


def test_grouped_query_split_gives_q_k_v_sizes():
    _, _, (query, key, value) = run("split", {"dim": 0, "sizes": ["num_attention_heads * head_dim",
                                                                  "num_key_value_heads * head_dim",
                                                                  "num_key_value_heads * head_dim"]},
                                    [torch.randn(64, 32, device="meta")])
    assert [tuple(t.shape) for t in (query, key, value)] == [(32, 32), (16, 32), (16, 32)]


def test_split_sizes_that_do_not_add_up_are_an_error():
    with pytest.raises(ValueError, match="add up to 48"):
        run("split", {"dim": 0, "sizes": [16, 16, 16]}, [torch.empty(64, 32, device="meta")])


def test_permute_to_half_is_the_interleaved_to_rotate_half_reordering():
    """Row 2i of a head (interleaved pair i, first half) goes to i, row 2i+1 to i + head_dim/2."""
    head_dim, heads = 8, 2
    rows = torch.arange(heads * head_dim, dtype=torch.float32)[:, None]
    _, _, (permuted,) = run("permute_for_rope", {"head_dim": head_dim, "to": "half"}, [rows])
    expected = []
    for head in range(heads):
        base = head * head_dim
        expected += [base + 2 * pair for pair in range(head_dim // 2)]
        expected += [base + 2 * pair + 1 for pair in range(head_dim // 2)]
    assert permuted[:, 0].tolist() == expected


def test_rotary_applied_in_both_layouts_agrees_after_the_permutation():
    """q·k under interleaved rotary on the original rows equals rotate_half rotary on the permuted rows."""
    torch.manual_seed(0)
    head_dim, position = 8, 3
    weight, hidden = torch.randn(head_dim, 5), torch.randn(5)
    inverse_frequency = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))
    angle = position * inverse_frequency
    q = weight @ hidden
    pairs = q.reshape(-1, 2)
    interleaved = torch.stack([pairs[:, 0] * angle.cos() - pairs[:, 1] * angle.sin(),
                               pairs[:, 0] * angle.sin() + pairs[:, 1] * angle.cos()], dim=-1).reshape(-1)
    _, _, (permuted,) = run("permute_for_rope", {"head_dim": head_dim, "to": "half"}, [weight])
    q_half = permuted @ hidden
    cos, sin = torch.cat([angle.cos()] * 2), torch.cat([angle.sin()] * 2)
    rotated = torch.cat([-q_half[head_dim // 2:], q_half[: head_dim // 2]])
    half = q_half * cos + rotated * sin
    _, _, (back_to_interleaved_rows,) = run("permute_for_rope", {"head_dim": head_dim, "to": "half"},
                                            [interleaved[:, None]])
    assert torch.allclose(half, back_to_interleaved_rows[:, 0], atol=1e-6)


def test_lossy_dtype_and_drop_are_not_invertible():
    operation, step, _ = run("dtype", "float16", [torch.randn(2)])
    assert not operation.invertible(step)
    operation, step, outputs = run("drop", True, [torch.randn(2)])
    assert outputs == [] and not operation.invertible(step)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("split", {"dim": 0}, "sizes"),
    ("split", {"dim": 0, "chunks": 3, "parts": 1}, "unknown key 'parts'"),
    ("transpose", [0], "two dimensions"),
    ("reshape", ["__import__('os')"], "only integers"),
    ("permute_for_rope", {"head_dim": 8, "to": "sideways"}, "half"),
    ("dtype", "float17", "unknown dtype"),
    ("drop", False, "true"),
])
def test_bad_operation_values_are_refused(name, value, message):
    with pytest.raises((ValueError, TypeError), match=message):
        OPERATIONS[name](value)
