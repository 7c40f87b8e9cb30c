"""Which findings in a generated model are new, and which it inherited from the model it was copied from.

`modelgen new --like bert --name BrandNewBert` copies bert's files and renames them, so the new files carry
bert's findings (a one-letter variable in `BertSelfAttention.forward` becomes one in
`BrandNewBertSelfAttention.forward`). A generated finding is *inherited* when the source model has a finding
that, after renaming, has the same

- file (`modeling_bert.py` -> `modeling_brand_new_bert.py`),
- code,
- enclosing definition (`BertSelfAttention.forward` -> `BrandNewBertSelfAttention.forward`), and
- rule-relevant name (the variable, class, function or imported module the finding is about),

matched in source order: the n-th such finding in the generated file is inherited if the source has at least
n of them. Line numbers are deliberately not compared, because the generator reformats and re-orders code;
the position of a finding inside its definition is kept by that order instead. Everything else is new.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from modelgen.files import read_text
from modelgen.lint.config import LintConfig, load_config
from modelgen.lint.rule import Finding
from modelgen.lint.runner import lint_file

_PREFIX_SOURCES = re.compile(
    r"^class\s+([A-Za-z0-9_]+?)(?:PreTrainedModel|PretrainedModel|Config)\b", re.MULTILINE
)


def new_findings(
    generated_files: Sequence[Path],
    source_files: Sequence[Path],
    renames: Mapping[str, str] | None = None,
    config: LintConfig | None = None,
) -> list[Finding]:
    """The findings of `generated_files` that the `source_files` do not account for (see the module doc).

    `renames` maps old names to new ones (`{"Bert": "BrandNewBert", "bert": "brand_new_bert"}`); by default
    they are read from the files: folder names give the snake_case and UPPER_CASE forms, the
    `...PreTrainedModel` / `...Config` classes give the class prefix.
    """
    config = config or load_config({}, None)
    renames = dict(renames) if renames is not None else infer_renames(generated_files, source_files)
    rename = _renamer(renames)
    available: Counter = Counter()
    for path in source_files:
        for finding in lint_file(path, path.as_posix(), config):
            available[_key(finding, Path(path).name, rename)] += 1
    new: list[Finding] = []
    for path in generated_files:
        for finding in lint_file(path, path.as_posix(), config):
            key = _key(finding, Path(path).name, None)
            if available[key] > 0:
                available[key] -= 1
            else:
                new.append(finding)
    return new


def infer_renames(generated_files: Sequence[Path], source_files: Sequence[Path]) -> dict[str, str]:
    old_folder, new_folder = _folder(source_files), _folder(generated_files)
    renames = {}
    old_prefix, new_prefix = _class_prefix(source_files), _class_prefix(generated_files)
    if old_prefix and new_prefix:
        renames[old_prefix] = new_prefix
    if old_folder and new_folder:
        renames[old_folder] = new_folder
        # `GPT2` is both gpt2's class prefix and its constant prefix: class names are what findings name.
        renames.setdefault(old_folder.upper(), new_folder.upper())
    return renames


def _key(finding: Finding, file_name: str, rename) -> tuple[str, str, str, str]:
    parts = (file_name, finding.code, finding.context, finding.subject)
    if rename is None:
        return parts
    return tuple(rename(part) for part in parts)  # type: ignore[return-value]


def _renamer(renames: Mapping[str, str]):
    """A function replacing each old name where it stands as a name part (`bert` in `modeling_bert`, not in
    `roberta`; `Bert` in `BertModel`, not in `Bertology`)."""
    patterns = []
    for old, new in sorted(renames.items(), key=lambda item: -len(item[0])):
        if new.isupper():  # a constant prefix: `BERT_INPUTS` -> `BRAND_NEW_BERT_INPUTS`
            pattern = rf"(?<![A-Z0-9]){re.escape(old)}(?![A-Z0-9])"
        elif new[:1].isupper():  # a class prefix, also when it is all capitals: `GPT2Attention`
            pattern = rf"(?<![a-z]){re.escape(old)}(?![a-z])"
        else:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(old)}(?![a-z0-9])"
        patterns.append((re.compile(pattern), new))

    def rename(text: str) -> str:
        for pattern, new in patterns:
            text = pattern.sub(lambda match, new=new: new, text)
        return text

    return rename


def _folder(files: Sequence[Path]) -> str:
    folders = {Path(path).parent.name for path in files}
    return folders.pop() if len(folders) == 1 else ""


def _class_prefix(files: Sequence[Path]) -> str:
    for path in files:
        match = _PREFIX_SOURCES.search(read_text(Path(path)))
        if match:
            return match.group(1)
    return ""
