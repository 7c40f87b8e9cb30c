"""The diffusers dialect (its `utils/check_copies.py`): a copy is compared from below its `def`/`class`
signature, so a copy may rename or add parameters; a replacement needs `A->B` without spaces (its pattern is
`^\\s*(\\S+)->(\\S+)`); a path part may hold `/` (joined into a file path); only the package is checked, and
only `diffusers.` markers count."""

from modelgen.copies.dialects.choices import Dialect

DIALECT = Dialect(
    name="diffusers",
    packages=("diffusers",),
    compare_signature=False,
    spaced_pairs=False,
    slash_in_paths=True,
    check_tests=False,
)
