"""Size relations across sub-configs that a composite config's validator enforces, recovered from the full-size defaults.

A validator may require a size of one sub-config to follow a width of another (Fun-ASR-Nano: the adaptor's
`intermediate_size` must be the text model's `hidden_size // 4`), a relation no argument name tells. Only when the
shrunk config is refused, each size of a sub-config that at full size equals another sub-config's size times or
divided by a small power of two is set to follow that size's shrunk value, one at a time, until the config builds.
Standard library only: runs inside the smoke worker.
"""

from __future__ import annotations

from typing import Any

from modelgen.smoke.tiny.values import is_int as _is_int
from modelgen.smoke.tiny.values import read as _read

RATIOS = (1, 2, 4, 8)  # the factors between two related sizes, smallest first
_SIZE_SUFFIXES = ("_size", "_dim", "_channels")


def construct(config_class: type, default, arguments: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    """(the config built from `arguments`, {dotted name: value} of the sizes changed to build it). `arguments` is
    edited in place when a change is kept; the first refusal is raised again when no single change helps."""
    try:
        return config_class(**arguments), {}
    except Exception as refusal:  # noqa: BLE001 - a validator's refusal; retried below, else raised as it was
        first = refusal
    for sub, name, value in candidates(default, arguments):
        trial = dict(arguments, **{sub: dict(arguments[sub], **{name: value})})
        try:
            config = config_class(**trial)
        except Exception:  # noqa: BLE001, S112 - this relation is not the one the validator wants
            continue
        arguments[sub] = trial[sub]
        return config, {f"{sub}.{name}": value}
    for name, value in offset_candidates(default, arguments):  # a top-level size that is a sub-config's width plus
        try:  # a fixed part (ESMFold2's `single_inputs_size`: the atom encoder's `output_dim` + 2 * 33 + 1 features)
            config = config_class(**dict(arguments, **{name: value}))
        except Exception:  # noqa: BLE001, S112 - not the relation the validator wants
            continue
        arguments[name] = value
        return config, {name: value}
    raise first


def offset_candidates(default, arguments: dict[str, Any]) -> list[tuple[str, int]]:
    """(top-level size, value) for each size the shrinking left as it was that at full size exceeded a shrunk size
    of a sub-config by less than that size: the same excess over the shrunk one, the closest relations first."""
    found = []
    for name, full in vars(default).items():
        if name in arguments or not (_is_size(name) and _is_int(full) and full > 0):
            continue
        for sub, sizes in arguments.items():
            if not (isinstance(sizes, dict) and hasattr(_read(default, sub), "to_dict")):
                continue
            for other_name, other_tiny in sizes.items():
                other_full = _read(_read(default, sub), other_name)
                if (_is_size(other_name) and _is_int(other_tiny) and _is_int(other_full)
                        and other_tiny < other_full < full < 2 * other_full):
                    found.append((full - other_full, name, other_tiny + full - other_full))
    return [(name, value) for _, name, value in sorted(found)]


def candidates(default, arguments: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(sub-config, size name, shrunk value) for each shrunk size of a sub-config that at full size is another
    sub-config's shrunk size times or divided by a factor in `RATIOS`, and no longer is once shrunk."""
    subs = {name: value for name, value in arguments.items()
            if isinstance(value, dict) and hasattr(_read(default, name), "to_dict")}
    found = []
    for sub, sizes in subs.items():
        for name, tiny in sizes.items():
            full = _read(_read(default, sub), name)
            if not (_is_size(name) and _is_int(tiny) and _is_int(full) and full > 0):
                continue
            for other, other_sizes in subs.items():
                if other == sub:
                    continue
                for other_name, other_tiny in other_sizes.items():
                    other_full = _read(_read(default, other), other_name)
                    if not (_is_size(other_name) and _is_int(other_tiny) and _is_int(other_full) and other_full > 0):
                        continue
                    for ratio in RATIOS:
                        if full * ratio == other_full and other_tiny % ratio == 0 and tiny * ratio != other_tiny:
                            found.append((ratio, sub, name, other_tiny // ratio))
                        elif full == other_full * ratio and tiny != other_tiny * ratio:
                            found.append((ratio, sub, name, other_tiny * ratio))
    return [(sub, name, value) for _, sub, name, value in sorted(found, key=lambda item: item[0]) if value > 0]


def _is_size(name: str) -> bool:
    return name.endswith(_SIZE_SUFFIXES)

