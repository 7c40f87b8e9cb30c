"""How many image tokens a vision-language model's text needs per image, measured by its `get_image_features`.

The config does not always tell: towers that downsample their patch grid with hard-coded strided convolutions
(Step3's two stride-2 downsamplers) give fewer features than (image / patch)^2. The model's own image-feature
method, run once on the dummy images, does: the text must hold one placeholder per feature row of the language
model's width.

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import inspect
from typing import Any

import torch


def measured_count(model: torch.nn.Module, inputs: dict[str, Any]) -> int | None:
    """Image tokens per sample that `get_image_features` produces for `inputs`' images, or None when the model
    has no such method, it fails on these inputs, or its features do not split evenly over the batch."""
    method = getattr(model, "get_image_features", None)
    embeddings = _input_embeddings(model)
    if not callable(method) or embeddings is None or not {"pixel_values", "input_ids"} <= inputs.keys():
        return None
    try:
        accepted = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return None
    arguments = {name: value for name, value in inputs.items() if name in accepted and name != "input_ids"}
    try:
        with torch.no_grad():
            features = method(**arguments)
    except Exception:  # noqa: BLE001 - inputs it cannot take: no measurement, the other attempts remain
        return None
    rows = sum(tensor.numel() for tensor in _feature_tensors(features)) // embeddings.embedding_dim
    batch = inputs["input_ids"].shape[0]
    return rows // batch if rows and rows % batch == 0 else None


def _input_embeddings(model: torch.nn.Module):
    try:
        embeddings = model.get_input_embeddings()
    except Exception:  # noqa: BLE001 - a model that cannot say
        return None
    return embeddings if isinstance(getattr(embeddings, "embedding_dim", None), int) else None


def _feature_tensors(features: Any) -> list[torch.Tensor]:
    """The projected features: a tensor, a list of per-image tensors, or an output whose `pooler_output` holds
    them (5.x), else its first field."""
    if hasattr(features, "keys") and not isinstance(features, torch.Tensor):
        pooled = features.get("pooler_output") if hasattr(features, "get") else None
        features = pooled if pooled is not None else next(iter(features.values()), None)
    if isinstance(features, torch.Tensor):
        return [features]
    if isinstance(features, (list, tuple)):
        return [item for value in features for item in _feature_tensors(value)]
    return []
