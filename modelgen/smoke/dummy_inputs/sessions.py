"""Video inference sessions (SAM2-like trackers): a fresh session per forward, built from its own constructor.

A tracker's forward takes a stateful session (its annotation names the class) plus a frame index, and writes its
outputs and memories into the session: a session reused by a second forward would hand back cached masks instead
of running the model. So the input is a `PerCall` value, built again on the forward's device for every call.
The session is constructed from its `__init__` signature (the video frames, their size, the devices, the dtype),
and given one object prompted on frame 0 through its own API: a positive point (`add_point_inputs`) or, without
one, a mask (`add_mask_inputs`), plus a text prompt where the session holds prompts (`add_prompt`).

Standard library + torch only: this runs inside the smoke worker under the target tree's interpreter.
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from collections.abc import Callable
from typing import Any

import torch

FRAMES = 2
OBJECT_ID = 1
PROMPT_TEXT = "object"


class PerCall:
    """An input built anew, on the forward's device, for each forward call."""

    def __init__(self, build: Callable[[str], Any], label: str):
        self.build = build
        self.label = label

    def __repr__(self) -> str:
        return f"<{self.label}, built per call>"


def session_builders(model: torch.nn.Module, parameters: dict[str, inspect.Parameter], config, image: tuple[int, int],
                     channels: int, token_ids: Callable[[], torch.Tensor]) -> dict[str, Callable[[], Any]]:
    """Builders for a forward parameter whose annotation is a session class built from a `video`, and for the
    frame index next to it; empty when there is none."""
    builders: dict[str, Callable[[], Any]] = {}
    for name, parameter in parameters.items():
        session_class = _session_class(model, parameter.annotation)
        if session_class is None:
            continue
        dtype = next((tensor.dtype for tensor in model.parameters() if tensor.is_floating_point()), torch.float32)
        frames = torch.rand(FRAMES, channels, *image, generator=torch.Generator().manual_seed(0))

        def build(device: str, session_class=session_class, frames=frames, dtype=dtype):
            session = session_class(**_constructor_arguments(session_class, frames, device, dtype))
            _prompt(session, image, token_ids)
            return session

        builders[name] = lambda build=build, label=session_class.__name__: PerCall(build, label)
        for index_name in ("frame_idx", "frame_index"):
            if index_name in parameters:
                builders[index_name] = lambda: 0
    return builders


def _session_class(model: torch.nn.Module, annotation) -> type | None:
    """The class an annotation names (`X`, `X | None`, `Optional["X"]`) when its constructor takes a `video`."""
    if isinstance(annotation, str):
        annotation = getattr(sys.modules.get(type(model).__module__), annotation.split("|")[0].strip(), None)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next((arg for arg in typing.get_args(annotation) if arg is not type(None)), None)
    if not isinstance(annotation, type) or issubclass(annotation, (torch.Tensor, torch.nn.Module)):
        return None
    try:
        accepted = inspect.signature(annotation.__init__).parameters
    except (TypeError, ValueError):
        return None
    return annotation if "video" in accepted else None


def _constructor_arguments(session_class: type, frames: torch.Tensor, device: str, dtype) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(session_class.__init__).parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name == "video":
            arguments[name] = frames
        elif name.endswith("height"):
            arguments[name] = frames.shape[-2]
        elif name.endswith("width"):
            arguments[name] = frames.shape[-1]
        elif name.endswith("device"):
            arguments[name] = device
        elif name == "dtype":
            arguments[name] = dtype
        elif parameter.default is inspect.Parameter.empty:
            from modelgen.smoke.dummy_inputs.builders import UnbuildableInput

            raise UnbuildableInput(f"cannot build {session_class.__name__}'s required argument {name!r} yet")
    return arguments


def _prompt(session, image: tuple[int, int], token_ids: Callable[[], torch.Tensor]) -> None:
    """One object on frame 0: a positive point at the image centre, else a mask of its centre; a text prompt where
    the session keeps prompts, with its token ids in the session's per-prompt id and mask tables."""
    if callable(getattr(session, "add_prompt", None)):
        prompt = session.add_prompt(PROMPT_TEXT)
        ids = token_ids()[:1]
        for name, value in vars(session).items():
            if isinstance(value, dict) and name.endswith("input_ids"):
                value[prompt] = ids
            elif isinstance(value, dict) and name.endswith(("attention_mask", "attention_masks")):
                value[prompt] = torch.ones_like(ids)
    if not callable(getattr(session, "obj_id_to_idx", None)):
        return
    height, width = image
    if callable(getattr(session, "add_point_inputs", None)):
        index = session.obj_id_to_idx(OBJECT_ID)
        session.add_point_inputs(index, 0, {
            "point_coords": torch.tensor([[[[width / 2, height / 2]]]], dtype=torch.float32),
            "point_labels": torch.ones(1, 1, 1, dtype=torch.int32),
        })
    elif callable(getattr(session, "add_mask_inputs", None)) and not callable(getattr(session, "add_prompt", None)):
        index = session.obj_id_to_idx(OBJECT_ID)
        mask = torch.zeros(1, 1, height, width)
        mask[..., height // 4: 3 * height // 4, width // 4: 3 * width // 4] = 1
        session.add_mask_inputs(index, 0, mask)
    else:
        return
    if isinstance(getattr(session, "obj_with_new_inputs", None), list):
        session.obj_with_new_inputs.append(OBJECT_ID)
