"""From a marker's dotted path to the source block it names.

The dotted path is a module path (the longest prefix naming an existing `.py` file, or a package's
`__init__.py`) followed by the object: a class, a function, or a nested definition (`Class.method`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from modelgen.copies.blocks import Definition, SourceText
from modelgen.files import read_text
from modelgen.repo import RepoLayout


class ResolutionError(ValueError):
    """The marker's target does not exist."""


@dataclass(frozen=True)
class SourceBlock:
    path: Path
    definition: Definition
    end: int  # exclusive line index
    note: str | None = None  # set when the target was found only the reference checker's lenient way

    @property
    def start(self) -> int:
        return self.definition.header


class TextStore:
    """Source texts by path; pending edits (while fixing) shadow the files on disk.

    Texts read from disk are kept in a bounded least-recently-used store: popular sources (bert, llama)
    stay, and a whole-tree check does not hold every file in memory at once. Edited texts are never evicted.
    """

    def __init__(self, capacity: int = 64) -> None:
        self._texts: OrderedDict[Path, SourceText] = OrderedDict()
        self._edited: dict[Path, SourceText] = {}
        self._capacity = capacity

    def get(self, path: Path) -> SourceText:
        if path in self._edited:
            return self._edited[path]
        if path in self._texts:
            self._texts.move_to_end(path)
            return self._texts[path]
        text = SourceText(read_text(path))
        self._remember(path, text)
        return text

    def put(self, path: Path, text: str) -> None:
        self._edited[path] = SourceText(text)

    def preload(self, path: Path, text: SourceText) -> None:
        if path not in self._edited and path not in self._texts:
            self._remember(path, text)

    def _remember(self, path: Path, text: SourceText) -> None:
        self._texts[path] = text
        while len(self._texts) > self._capacity:
            self._texts.popitem(last=False)


class Resolver:
    def __init__(self, layout: RepoLayout, texts: TextStore):
        self.layout = layout
        self.texts = texts
        self._modules: dict[str, Path | None] = {}

    def split_target(self, target: str) -> tuple[Path, str]:
        """(module file, qualified object name) of a dotted target, by the longest existing module prefix."""
        parts = target.replace("/", ".").split(".")  # `/` only where the dialect allows it in markers
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module not in self._modules:
                self._modules[module] = self.layout.module_file(module)
            if self._modules[module] is not None:
                return self._modules[module], ".".join(parts[cut:])
        raise ResolutionError(f"no module of `{target}` exists")

    def resolve(self, target: str) -> SourceBlock:
        path, qualname = self.split_target(target)
        text = self.texts.get(path)
        definition = text.find(qualname)
        note = None
        if definition is None:
            definition = _find_after_parent(text, qualname)
            if definition is None:
                module = self.layout.module_name(path) or self.layout.relative(path)
                raise ResolutionError(f"`{qualname}` is not defined in {module} ({self.layout.relative(path)})")
            owner = text.qualname_at(definition.header)
            note = f"`{qualname}` does not exist; the reference checker's search finds `{owner}`, which is checked"
        return SourceBlock(path, definition, text.block_end(definition.header), note)


def _find_after_parent(text: SourceText, qualname: str) -> Definition | None:
    """The reference checker's search: the first `def name` one level deeper anywhere after the parent.

    Real trees have markers such as `LlamaPreTrainedModel._prepare_4d_...` for a method that lives in
    `LlamaModel`; the reference finds it because its search runs on past the parent's block.
    """
    parent_name, _, name = qualname.rpartition(".")
    parent = text.find(parent_name) if parent_name else None
    if parent is None:
        return None
    indent = parent.indent + "    "
    for index in range(parent.header + 1, len(text.lines)):
        line = text.lines[index]
        if line.startswith(indent) and not line.startswith(indent + " "):
            definition = text.definition_at(index)
            if definition is not None and definition.name == name:
                return definition
    return None
