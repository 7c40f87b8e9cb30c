"""Renaming an old model's code into a new model's, one casing rule at a time.

The renaming is an ordered list of regular-expression rules, one per casing of the old name, each with
boundaries so that names which merely contain the old name (`Roberta`, `DistilBert`, `Bertweet` when copying
`bert`) are left alone. The same rules are used twice: by the libcst transformer below, which applies them
to every identifier, attribute, string, docstring and comment of a copied module, and as the replacement
pairs of the `# Copied from` markers, which the checker applies to the source text left to right. Using one
rule list for both is what makes the markers reproduce the copies.

Names that come from outside the old model's package (`torch.clip`, `WhisperNoSpeechDetection` imported from
`generation`) are "protected": the transformer leaves those identifiers alone and every rule carries a
look-around clause that skips them in text too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import libcst as cst

from modelgen.copies.replacements import (
    Replacement,
    ReplacementSyntaxError,
    apply_replacements,
    format_replacements,
    parse_replacements,
)
from modelgen.errors import ModelgenError
from modelgen.scaffold.naming import ModelNames

_NOT_ALNUM_BEFORE = "(?<![A-Za-z0-9])"
_WORD = "A-Za-z0-9_"


def _regex_text(text: str) -> str:
    """A literal as a regular expression that survives the marker grammar (no spaces, commas or word `with`)."""
    escaped = re.escape(text).replace("\\-", "-").replace("\\ ", "\\x20").replace(",", "\\x2c")
    return re.sub(r"\bwith\b", "wit[h]", escaped)


@dataclass(frozen=True)
class Rule:
    literal: str  # the old text, as a plain replacement pair would write it
    boundary_pattern: str  # the old text with the boundaries of its casing
    replacement: str

    def pattern(self, protected: tuple[str, ...] = ()) -> str:
        """The full pattern; `protected` names are identifiers, or `.name` for attribute names."""
        return "".join(_protection_clause(name, self.literal) for name in protected) + self.boundary_pattern

    def simple_forms(self) -> list[tuple[str, str]]:
        """Shorter (pattern, replacement) pairs that may do the same as the full pattern on a given text."""
        literal = _regex_text(self.literal)
        forms = [(literal, self.replacement)]
        if self.boundary_pattern.endswith("(?=_)"):
            forms.append((literal + "_", self.replacement + "_"))
        if self.literal[:1].isalnum():
            forms.append((rf"\b{literal}", self.replacement))
        return forms


def _protection_clause(name: str, literal: str) -> str:
    """A zero-width clause that fails where `literal` matches inside the identifier `name` (`.name`: after a dot)."""
    clauses = []
    attribute = name.startswith(".")
    name = name.lstrip(".")
    start = name.find(literal)
    while start >= 0:
        before = ("\\." if attribute else f"(?<![{_WORD}])") + _regex_text(name[:start])
        rest = _regex_text(name[start:])
        clauses.append(f"(?!(?<={before}){rest}(?![{_WORD}]))")
        start = name.find(literal, start + 1)
    return "".join(clauses)


def embedded_prefix_names(names, prefix: str) -> dict[str, str]:
    """Names holding `prefix` as a later CamelCase word (`PretrainedBartModel`) -> the name with the prefix
    marked as `{}`. The prefix rule skips them (`DistilBert` is another model's), so the names a model defines
    itself need their own rule, or its copy would define the very same public name."""
    found = {}
    pattern = re.compile(f"(?<=[a-z]){re.escape(prefix)}(?![a-z0-9_])")
    for name in sorted(names):
        match = pattern.search(name)
        if match:
            found[name] = name[: match.start()] + "{}" + name[match.end() :]
    return found


def build_rules(
    old: ModelNames,
    new: ModelNames,
    checkpoints: tuple[str, str] | None = None,
    embedded: dict[str, str] | None = None,
) -> list[Rule]:
    """The casing rules, in an order where no rule rewrites what an earlier one produced.

    `embedded`: the old model's own names that hold its prefix inside (see `embedded_prefix_names`).
    """
    rules: list[Rule] = []

    def add(literal: str, pattern: str, replacement: str) -> None:
        if literal and all((rule.literal, rule.boundary_pattern) != (literal, pattern) for rule in rules):
            rules.append(Rule(literal, pattern, replacement))

    for name, template in (embedded or {}).items():
        add(name, f"(?<![{_WORD}]){_regex_text(name)}(?![{_WORD}])", template.format(new.prefix))
    if old.display not in (old.prefix, old.folder, old.model_type, old.hyphenated):
        add(old.display, f"(?<![{_WORD}]){_regex_text(old.display)}(?![{_WORD}])", new.display)
    add(old.prefix, f"{_NOT_ALNUM_BEFORE}{_regex_text(old.prefix)}(?![a-z0-9_])", new.prefix)
    if old.prefix.endswith("_"):  # `NemotronH_Omni_Reasoning_V3_Config`, `NemotronH_Omni_Reasoning_V3Model`
        stem = old.prefix.rstrip("_")
        add(stem, f"{_NOT_ALNUM_BEFORE}{_regex_text(stem)}(?![a-z0-9_])", new.prefix)
    add(old.constant, f"{_NOT_ALNUM_BEFORE}{_regex_text(old.constant)}(?=_)", new.constant)
    if old.hyphenated != old.folder:
        add(old.hyphenated, f"{_NOT_ALNUM_BEFORE}{_regex_text(old.hyphenated)}(?![A-Za-z0-9])", new.hyphenated)
    add(old.folder, f"{_NOT_ALNUM_BEFORE}{_regex_text(old.folder)}(?![A-Za-z0-9])", new.folder)
    if old.model_type.replace("-", "_") == old.folder and old.model_type != old.folder:
        # the hyphenated `model_type` string ("xlm-roberta") became "brand-new-bert" above: make it the type
        quoted = new.hyphenated
        rules.append(Rule(f'"{quoted}"', f"(?<=[\"']){_regex_text(quoted)}(?=[\"'])", new.model_type))
    if checkpoints is not None:
        old_checkpoint, new_checkpoint = checkpoints
        renamed = Renaming(list(rules)).apply(old_checkpoint)
        rules.append(Rule(renamed, _regex_text(renamed), new_checkpoint))
    return rules


@dataclass
class Renaming:
    """The ordered rules plus the identifiers that must never be renamed."""

    rules: list[Rule]
    protected: set[str] = field(default_factory=set)
    _compiled: list[tuple[re.Pattern, str]] | None = None

    def protect(self, names, attributes=()) -> None:
        """Never rename these identifiers, nor these attribute names where they follow a dot."""
        candidates = [*names, *(f".{name}" for name in attributes)]
        for name in candidates:
            if name not in self.protected and self.apply(name.lstrip(".")) != name.lstrip("."):
                self.protected.add(name)
        self._compiled = None

    def compiled(self) -> list[tuple[re.Pattern, str]]:
        if self._compiled is None:
            protected = tuple(sorted(self.protected))
            self._compiled = [
                (re.compile(rule.pattern(tuple(name for name in protected if rule.literal in name))), rule.replacement)
                for rule in self.rules
            ]
        return self._compiled

    def apply(self, text: str) -> str:
        for pattern, replacement in self.compiled():
            text = pattern.sub(_literal_replacement(replacement), text)
        return text

    def rename_identifier(self, name: str, is_attribute: bool = False) -> str:
        if name in self.protected or (is_attribute and f".{name}" in self.protected):
            return name
        return self.apply(name)

    def marker_pairs(self, source: str, copy: str) -> list[Replacement] | None:
        """The simplest pairs that turn `source` into `copy` when applied left to right; None if none do.

        Each rule is written in its shortest form that does what the full rule does on this text.
        """
        protected = tuple(sorted(name for name in self.protected if name.lstrip(".") in source))
        pairs: list[Replacement] = []
        text = source
        for rule in self.rules:
            full = rule.pattern(tuple(name for name in protected if rule.literal in name))
            target = re.sub(full, _literal_replacement(rule.replacement), text)
            if target == text:
                continue
            for pattern, replacement in [*rule.simple_forms(), (full, rule.replacement)]:
                if re.sub(pattern, _literal_replacement(replacement), text) == target:
                    pairs.append(Replacement(pattern, replacement))
                    break
            text = target
        if text != copy:
            return None
        return pairs if _survives_the_marker_grammar(pairs, source, copy) else None


def _survives_the_marker_grammar(pairs: list[Replacement], source: str, copy: str) -> bool:
    """The pairs, written into a marker and read back, still reproduce the copy (a pair whose text holds the
    word `with`, as in `dinov2-with-registers`, cannot be written)."""
    try:
        parsed = parse_replacements(format_replacements(pairs))
    except ReplacementSyntaxError:
        return False
    return parsed == pairs or apply_replacements(source, parsed) == copy


def _literal_replacement(replacement: str):
    return lambda match: replacement


def _still_one_literal(old: str, new: str) -> str:
    """The renamed string literal, refused if the renaming turned it into anything but one literal."""
    try:
        node = ast.parse(new, mode="eval").body
    except SyntaxError:
        node = None
    if not isinstance(node, ast.Constant) or type(node.value) is not type(ast.literal_eval(old)):
        raise ModelgenError(f"renaming would turn the string {old[:40]} into code ({new[:60]!r}); nothing was written")
    return new


_SYNTAX_CHARACTERS = "{}'\"\\\n\r"


def _same_syntax(old: str, new: str) -> str:
    """Renamed text of a comment or an f-string part, refused if it gained a quote, brace or line break."""
    if any(new.count(character) != old.count(character) for character in _SYNTAX_CHARACTERS):
        raise ModelgenError(f"renaming would change the syntax around {old[:40]!r}; nothing was written")
    return new


class RenameTransformer(cst.CSTTransformer):
    """Applies a `Renaming` to identifiers, attributes, strings and comments, and rewrites imports.

    `copied_modules` are the old package's modules that are copied too (imports of them are renamed);
    an import of a sibling module that is not copied (a tokenizer that is reused) is pointed at the old
    package instead, and its names are protected.
    """

    def __init__(
        self, renaming: Renaming, copied_modules: set[str], all_modules: set[str], old_folder: str, owned_roots: set[str]
    ):
        super().__init__()
        self._attribute_names: set[int] = set()
        self.all_modules = all_modules
        self.renaming = renaming
        self.copied_modules = copied_modules
        self.old_folder = old_folder
        self.owned_roots = owned_roots  # absolute module prefixes of the old package: `transformers.models.bert`

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._attribute_names.add(id(node.attr))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        renamed = self.renaming.rename_identifier(updated.value, id(original) in self._attribute_names)
        return updated if renamed == updated.value else updated.with_changes(value=renamed)

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        value = self.renaming.apply(updated.value)
        return updated if value == updated.value else updated.with_changes(value=_still_one_literal(updated.value, value))

    def leave_FormattedStringText(self, original, updated):
        value = self.renaming.apply(updated.value)
        return updated if value == updated.value else updated.with_changes(value=_same_syntax(updated.value, value))

    def leave_Comment(self, original: cst.Comment, updated: cst.Comment) -> cst.Comment:
        value = self.renaming.apply(updated.value)
        return updated if value == updated.value else updated.with_changes(value=_same_syntax(updated.value, value))

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # `import torch`: external, left as is

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        module = cst.helpers.get_full_name_for_node(updated.module) if updated.module is not None else ""
        level = len(updated.relative)
        if level == 1 and module:
            if module.split(".")[0] in self.copied_modules:
                return self._renamed_import(updated, module)
            # a sibling that is not copied (a reused tokenizer): import it from the old package
            return updated.with_changes(
                relative=[cst.Dot(), cst.Dot()],
                module=cst.parse_expression(f"{self.old_folder}.{module}"),
            )
        root = next((root for root in self.owned_roots if module == root or module.startswith(root + ".")), None)
        if level == 0 and root is not None:
            submodule = module[len(root) + 1 :].split(".")[0]
            if submodule and submodule in self.all_modules and submodule not in self.copied_modules:
                return updated  # e.g. the old model's tokenizer, reused
            return self._renamed_import(updated, module)
        return updated

    def _renamed_import(self, node: cst.ImportFrom, module: str) -> cst.ImportFrom:
        new_module = self.renaming.apply(module)
        changes = {"module": cst.parse_expression(new_module)} if new_module != module else {}
        if not isinstance(node.names, cst.ImportStar):
            names = []
            for alias in node.names:
                name = cst.helpers.get_full_name_for_node(alias.name)
                renamed = self.renaming.rename_identifier(name)
                names.append(alias.with_changes(name=cst.Name(renamed)) if renamed != name else alias)
            changes["names"] = names
        return node.with_changes(**changes)
