"""The transformers dialect (its `utils/check_copies.py`): the signature is part of the copy, markers in
`tests/models` with a `tests.` prefix count. modelgen applies spaced pairs here on purpose: the transformers
releases hold none whose application changes a verdict."""

from modelgen.copies.dialects.choices import Dialect

DIALECT = Dialect(
    name="transformers",
    packages=("transformers",),
    compare_signature=True,
    spaced_pairs=True,
    slash_in_paths=False,
    check_tests=True,
)
