"""`check-copies --fix PATH...` repairs exactly what `check-copies PATH...` reports, nothing else."""

from __future__ import annotations

import hashlib

from modelgen.copies.checker import CopyChecker
from modelgen.repo import RepoLayout

from .test_dialects import make_tree

FILES = {
    "src/PKG/models/alpha.py": """
        def shared():
            return 1
    """,
    "src/PKG/models/gamma.py": """
        def other():
            return 3
    """,
    # One copy of alpha (drifted) beside one of gamma (drifted, unrelated to alpha) in the same file.
    "src/PKG/models/beta.py": """
        # Copied from PKG.models.alpha.shared
        def shared():
            return 2


        # Copied from PKG.models.gamma.other
        def other():
            return 30
    """,
    # A copy of beta's copy: repaired in the same run once beta.shared is.
    "src/PKG/models/delta.py": """
        # Copied from PKG.models.beta.shared
        def shared():
            return 2
    """,
    # Drift elsewhere with no relation to alpha.
    "src/PKG/models/epsilon.py": """
        # Copied from PKG.models.gamma.other
        def other():
            return 300
    """,
}


def digests(root):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(root.rglob("*.py"))}


def test_fix_with_paths_touches_only_the_copies_the_paths_concern(tmp_path):
    root = make_tree(tmp_path, "transformers", FILES)
    models = root / "src/transformers/models"
    alpha = models / "alpha.py"
    reported = CopyChecker(RepoLayout.discover(root), use_cache=False).check([alpha])
    assert [(finding.path, finding.line) for finding in reported.findings] == [("src/transformers/models/beta.py", 2)]
    before = digests(root)

    report = CopyChecker(RepoLayout.discover(root), use_cache=False).fix([alpha])
    assert report.findings == []
    assert sorted(report.written) == ["src/transformers/models/beta.py", "src/transformers/models/delta.py"]
    after = digests(root)
    assert {name for name in before if before[name] != after[name]} == {"beta.py", "delta.py"}
    assert "def other():\n    return 30\n" in (models / "beta.py").read_text()
    assert "return 1\n" in (models / "delta.py").read_text()
    # The unrelated drift is still there for a whole-tree check to report.
    remaining = CopyChecker(RepoLayout.discover(root), use_cache=False).check()
    assert sorted((finding.path, finding.line) for finding in remaining.findings) == [
        ("src/transformers/models/beta.py", 7), ("src/transformers/models/epsilon.py", 2)
    ]


def test_fix_with_a_copy_s_own_file_repairs_its_markers_only(tmp_path):
    root = make_tree(tmp_path, "transformers", FILES)
    epsilon = root / "src/transformers/models/epsilon.py"
    report = CopyChecker(RepoLayout.discover(root), use_cache=False).fix([epsilon])
    assert report.written == ["src/transformers/models/epsilon.py"]
