"""Model names in every casing, and the case-preserving rename the converter applies to a parent's code.

A model has a lowercase name (`llama`, `gpt_neox`: its folder) and a cased name (`Llama`, `GPTNeoX`: the prefix
of its classes). The cased name comes from the library's config mapping when the model is registered there
(`gpt_neox` -> `GPTNeoXConfig`), else from title-casing the parts of the lowercase name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class ModelNames:
    """`model_type -> config class` of the target library, read from its auto mapping sources (not imported)."""

    config_names: dict[str, str]

    @classmethod
    def read(cls, auto_dir: Path) -> ModelNames:
        names: dict[str, str] = {}
        for file_name in ("auto_mappings.py", "configuration_auto.py"):
            path = auto_dir / file_name
            if path.is_file():
                names.update(_config_mapping_pairs(path.read_text(encoding="utf-8")))
        return cls(names)

    @cached_property
    def _model_type_of_config(self) -> dict[str, str]:
        return {config: model_type for model_type, config in self.config_names.items()}

    def cased(self, lowercase: str) -> str:
        """`my_model` -> `MyModel` (or the registered config's prefix)."""
        for key in (lowercase, lowercase.replace("_", "-")):
            if key in self.config_names:
                return self.config_names[key].replace("Config", "")
        return "".join(part.title() for part in lowercase.split("_"))

    def lowercase(self, cased: str) -> str:
        """`MyModel` -> `my_model` (or the registered model type)."""
        if cased + "Config" in self._model_type_of_config:
            return self._model_type_of_config[cased + "Config"]
        return "_".join(part.lower() for part in re.findall(r"[A-Z][^A-Z]*", cased))


def _config_mapping_pairs(source: str) -> dict[str, str]:
    """Every `("model_type", "XConfig")` pair or `"model_type": "XConfig"` item given to CONFIG_MAPPING_NAMES."""
    pairs: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
            value = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and isinstance(node.func.value, ast.Name)
        ):
            target = node.func.value.id
            value = node
        if target != "CONFIG_MAPPING_NAMES":
            continue
        for inner in ast.walk(value):
            if isinstance(inner, ast.Tuple) and len(inner.elts) == 2 and all(_is_str(e) for e in inner.elts):
                pairs[inner.elts[0].value] = inner.elts[1].value
            elif isinstance(inner, ast.Dict):
                for key, item in zip(inner.keys, inner.values):
                    if key is not None and _is_str(key) and _is_str(item):
                        pairs[key.value] = item.value
    return pairs


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


class CaseRename:
    """Replace one model's name by another's in a text, keeping the casing of each occurrence.

    Three spellings are recognised (`llama`/`LLAMA`/`Llama` -> `olmo2`/`OLMO2`/`Olmo2`), case-insensitively
    and only where the name does not continue a lowercase word or a number (`(?<![a-z0-9])`); an occurrence
    in another casing (`LLaMa`) takes the cased new name. When the cased old name is its upper case (`GPT2`),
    an upper-case occurrence followed by a non-letter is read as the constant spelling (`GPT2_INPUTS`).
    """

    def __init__(self, old: str, new: str, names: ModelNames):
        old, new = old.replace("-", "_"), new.replace("-", "_")
        self.old, self.new = old, new
        self.cased_old, self.cased_new = names.cased(old), names.cased(new)
        self.patterns = {old: new, old.upper(): new.upper(), self.cased_old: self.cased_new}
        alternatives = "|".join(re.escape(key) for key in self.patterns)
        self._regex = re.compile(f"(?<![a-z0-9])({alternatives})(.|$)", re.IGNORECASE | re.DOTALL)

    def __call__(self, text: str) -> str:
        return self._regex.sub(self._replacement, text)

    def in_code(self, source: str) -> str:
        """Rename a module's source everywhere but in the literal parts of f-strings (libcst keeps those as
        text the converter's rename does not visit; the expressions inside the braces are renamed)."""
        pieces, start = [], 0
        for literal_start, literal_end in _fstring_literals(source):
            pieces.append(self(source[start:literal_start]))
            pieces.append(source[literal_start:literal_end])
            start = literal_end
        pieces.append(self(source[start:]))
        return "".join(pieces)

    def _replacement(self, match: re.Match) -> str:
        found, following = match.group(1), match.group(2)
        replacement = self.patterns.get(found, self.cased_new)
        if len(self.patterns) == 2 and found.isupper() and not following.isalpha():
            replacement = self.patterns[found.lower()].upper()
        return replacement + following


_TOKEN_START = re.compile(r"#|(?<![\w])([rRbBuUfF]{0,2})(\"\"\"|\'\'\'|\"|\')")


def _fstring_literals(source: str) -> list[tuple[int, int]]:
    """(start, end) of every literal stretch inside f-strings (between the quotes, outside the braces)."""
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        match = _TOKEN_START.search(source, position)
        if match is None:
            return spans
        if match.group(0) == "#":
            newline = source.find("\n", match.end())
            position = len(source) if newline < 0 else newline
            continue
        prefix, quote = match.group(1), match.group(2)
        body_start = match.end()
        end = _string_end(source, body_start, quote, "r" in prefix.lower())
        if "f" in prefix.lower():
            spans.extend(_literal_parts(source, body_start, end - len(quote)))
        position = end


def _string_end(source: str, start: int, quote: str, raw: bool) -> int:
    index = start
    while index < len(source):
        if source[index] == "\\" and not raw:
            index += 2
            continue
        if source.startswith(quote, index):
            return index + len(quote)
        if source[index] == "\\":
            index += 2
            continue
        if len(quote) == 1 and source[index] == "\n":
            return index
        index += 1
    return len(source)


def _literal_parts(source: str, start: int, end: int) -> list[tuple[int, int]]:
    parts, depth, literal_start, index = [], 0, start, start
    while index < end:
        char = source[index]
        if depth == 0 and source.startswith(("{{", "}}"), index):
            index += 2
            continue
        if char == "{":
            if depth == 0 and index > literal_start:
                parts.append((literal_start, index))
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                literal_start = index + 1
        index += 1
    if depth == 0 and end > literal_start:
        parts.append((literal_start, end))
    return parts
