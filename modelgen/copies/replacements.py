"""The replacement part of a marker: `with Bert->Roberta, BERT->ROBERTA all-casing`.

Each pair is a regular-expression substitution applied to the source text, left to right, as the reference
checker does. `all-casing` also applies the lower-case and upper-case variants of the pair, in one pass, so
that a replacement never rewrites the text another variant just produced (`Bert->Roberta all-casing` turns
`BertModel` into `RobertaModel`, not `RorobertaaModel`).

Grammar, chosen to accept every form found in the real trees:
- the part may start with `with` (several `with` words may separate pairs) or directly with pairs;
- pairs are separated by commas, with or without spaces; `A -> B` (spaces around the arrow) is a pair; a
  chain `Bert->Roberta->Camembert` means the first name becomes the last;
- items without an arrow are free text (`with modifications.`), and a pair whose sides are phrases
  (`Deformable DETR->Grounding DINO`) is not applied: the reference ignores both and the real trees rely
  on it. Such pairs are returned as `ignored`, so the checker can say so;
- an item with an arrow whose sides are empty, or whose left side is not a valid regular expression,
  cannot be parsed: that is an error, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from modelgen.copies.bounded_regex import bounded

ALL_CASING = "all-casing"
_WITH = re.compile(r"\bwith\b")
_PAIR = re.compile(r"^(?P<old>[^>]+?)\s*->\s*(?:[^>]+?->\s*)*(?P<new>[^>]+?)(?:\s+(?P<option>all-casing))?$")
_PHRASE = re.compile(r"\S\s+\S")
_SPACED_ARROW = re.compile(r"\s->|->\s")


class ReplacementSyntaxError(ValueError):
    """The replacement part of a marker cannot be parsed."""


@dataclass(frozen=True)
class Replacement:
    old: str
    new: str
    all_casing: bool = False

    def __str__(self) -> str:
        return f"{self.old}->{self.new}" + (f" {ALL_CASING}" if self.all_casing else "")

    def variants(self) -> list[tuple[str, str]]:
        if not self.all_casing:
            return [(self.old, self.new)]
        pairs = [(self.old, self.new), (self.old.lower(), self.new.lower()), (self.old.upper(), self.new.upper())]
        return list(dict.fromkeys(pairs))

    def apply(self, text: str) -> str:
        variants = self.variants()
        if len(variants) == 1:
            return bounded(self.old).sub(self.new, text)
        pattern = bounded("|".join(f"(?P<v{index}>{old})" for index, (old, _) in enumerate(variants)))

        def substitute(match) -> str:
            index = int(match.lastgroup[1:])
            return bounded(variants[index][0]).sub(variants[index][1], match.group(0), count=1)

        return pattern.sub(substitute, text)


def parse_replacements(text: str) -> list[Replacement]:
    """Parse what follows the dotted path of a marker; raise ReplacementSyntaxError if it cannot be parsed."""
    return parse_replacement_part(text)[0]


def parse_replacement_part(text: str, spaced_pairs: bool = True) -> tuple[list[Replacement], list[str]]:
    """(pairs to apply, items that are not applied), or ReplacementSyntaxError.

    Without `spaced_pairs` (a dialect choice), a pair with spaces around its arrow is not applied.
    """
    pairs: list[Replacement] = []
    ignored: list[str] = []
    for item in _items(text):
        if "->" not in item:
            continue  # free text such as "modifications." or a bare class name
        if not spaced_pairs and _SPACED_ARROW.search(item):
            ignored.append(item)
            continue
        match = _PAIR.match(item)
        if match is None:
            raise ReplacementSyntaxError(f"cannot parse replacement {item!r} (expected OLD->NEW)")
        old, new = match.group("old"), match.group("new")
        if _PHRASE.search(old) or _PHRASE.search(new):
            ignored.append(item)
            continue
        try:
            re.compile(old)
            re.sub(old, new, "")
            bounded(old).sub(new, "")
        except (re.error, regex.error) as error:
            raise ReplacementSyntaxError(f"invalid regular expression in replacement {item!r}: {error}") from None
        pairs.append(Replacement(old, new, all_casing=match.group("option") is not None))
    return pairs, ignored


def _items(text: str) -> list[str]:
    items = []
    for chunk in _WITH.split(text):
        items.extend(part.strip() for part in chunk.split(","))
    return [item for item in items if item]


def apply_replacements(text: str, replacements: list[Replacement]) -> str:
    for replacement in replacements:
        text = replacement.apply(text)
    return text


def format_replacements(replacements: list[Replacement]) -> str:
    """The canonical replacement part, `with A->B,C->D`, or an empty string."""
    return f"with {','.join(map(str, replacements))}" if replacements else ""
