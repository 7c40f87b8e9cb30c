"""Tell an intended masking infinity from an overflow.

Models write `-inf` on purpose where a mask or padding rules positions out (Grounding DINO pads its contrastive
logits to `max_text_len` with `float("-inf")`; attention scores are masked the same way). Such an infinity sits at
positions the mask explains, which do not move when the values of the input do: on two input draws of the same
shapes it has the same sign at the same places, and the pattern is a mask broadcast along at least one axis (the
same for every query, every head). An overflow follows the values: it appears, moves or changes sign with the input,
or fills whole outputs. Anything not shown to be a mask is an overflow.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import torch


def unexplained_infinities(first: list[tuple[str, torch.Tensor]], second: list[tuple[str, torch.Tensor]]
                           ) -> tuple[list[str], list[str]]:
    """(masked, overflow): the outputs whose infinities are a mask, and those with any other infinity, from the
    flattened outputs of the same model on two input draws."""
    others = dict(second)
    masked, overflow = [], []
    for path, tensor in first:
        if not tensor.is_floating_point() or bool(torch.isfinite(tensor).all()):
            continue
        (masked if is_mask(tensor, others.get(path)) else overflow).append(path)
    flagged = set(masked) | set(overflow)
    for path, tensor in second:  # an infinity only the second draw has moves with the input
        if path not in flagged and tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            overflow.append(path)
    return masked, overflow


def is_mask(first: torch.Tensor, second: torch.Tensor | None) -> bool:
    """Whether the infinities of `first` are the same mask in `second` (another input draw) and a broadcast
    pattern, with finite values beside them."""
    if second is None or second.shape != first.shape or torch.isnan(first).any() or torch.isnan(second).any():
        return False
    first, second = first.detach().cpu(), second.detach().cpu()
    infinite = torch.isinf(first)
    if not torch.equal(infinite, torch.isinf(second)) or not torch.equal(first[infinite], second[infinite]):
        return False  # the infinities moved or changed sign with the input
    if bool(infinite.all()) or torch.equal(first, second):
        return False  # nothing finite beside them, or inputs that changed nothing: no evidence of a mask
    return any(first.shape[axis] > 1 and bool((infinite == infinite.narrow(axis, 0, 1)).all())
               for axis in range(first.dim()))
