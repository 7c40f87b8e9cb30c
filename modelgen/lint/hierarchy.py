"""Class hierarchies inside one file, for the rules about model classes, heads and modules.

"Local" means defined at module level in the same file. A base written as a bare name that is a local class
is followed; anything imported is a leaf whose meaning comes from its resolved name.
"""

from __future__ import annotations

from modelgen.lint.context import ClassInfo, FileContext

TORCH_MODULES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module", "nn.Module"})
# Bases from the library that are plain modules without a `forward` of their own.
LIBRARY_MODULE_BASES = frozenset({"GradientCheckpointingLayer"})


def last_segment(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def is_pretrained_name(name: str) -> bool:
    """A pre-trained base class: `BertPreTrainedModel`, `PreTrainedModel`, and older spellings such as
    `PretrainedFSMTModel` or `DPRPretrainedReader`."""
    return "PreTrained" in name or "Pretrained" in name


def local_bases(file: FileContext, info: ClassInfo) -> list[ClassInfo]:
    return [file.classes[base] for base in info.bases if base in file.classes and base != info.name]


def local_ancestors(file: FileContext, info: ClassInfo) -> list[ClassInfo]:
    """Every local class `info` derives from, nearest first, each once."""
    found: list[ClassInfo] = []
    pending = local_bases(file, info)
    while pending:
        base = pending.pop(0)
        if base is info or any(base is seen for seen in found):
            continue
        found.append(base)
        pending.extend(local_bases(file, base))
    return found


def foreign_bases(file: FileContext, info: ClassInfo) -> list[str]:
    """The resolved names of the non-local bases of a class and of its local ancestors."""
    names = []
    for cls in (info, *local_ancestors(file, info)):
        for written, resolved in zip(cls.bases, cls.resolved_bases):
            if written not in file.classes or written == cls.name:
                names.append(resolved or written)
    return names


def is_model_class(file: FileContext, info: ClassInfo) -> bool:
    """A class of the `PreTrainedModel` family: it is, or derives from, a `...PreTrainedModel`."""
    if is_pretrained_name(info.name):
        return True
    return any(is_pretrained_name(last_segment(base)) for base in foreign_bases(file, info)) or any(
        is_pretrained_name(ancestor.name) for ancestor in local_ancestors(file, info)
    )


def is_module_root(resolved: str) -> bool:
    """A base that makes a class a plain `nn.Module` (or a model) without giving it a `forward`."""
    name = last_segment(resolved)
    return resolved in TORCH_MODULES or name in LIBRARY_MODULE_BASES or is_pretrained_name(name)
