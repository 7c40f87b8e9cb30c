"""check-copies end to end on the downloaded transformers trees, with seeded random planted drift."""

from __future__ import annotations

import random
import re

import pytest

from modelgen.copies.checker import CopyChecker
from modelgen.copies.scan import python_files
from modelgen.repo import RepoLayout

from .planting import has_ignore_copy, marker_sites, plant, statement_lines, tree_digest

pytestmark = pytest.mark.real_tree

MARKER_LINE = re.compile(r"^\s*# Copied from (transformers|tests)\.", re.MULTILINE)


@pytest.mark.parametrize("version", ["4.46.3", "5.23.0"])
def test_pristine_tree_is_consistent(version, request):
    tree = request.getfixturevalue("pristine_446" if version == "4.46.3" else "pristine_523")
    layout = RepoLayout.discover(tree)
    report = CopyChecker(layout, use_cache=False).check()
    assert report.findings == []
    # Every marker is checked except nested ones (their enclosing copy covers them) and misspelt ones
    # (reported as notes), as a plain count of marker lines shows.
    marker_lines = sum(len(MARKER_LINE.findall(path.read_text())) for path in python_files(layout))
    assert 0.95 * marker_lines < report.checked <= marker_lines


@pytest.mark.parametrize(("version", "seed"), [("4.46.3", 1), ("5.23.0", 2)])
def test_planted_edits_in_copies_are_reported_and_fixed_byte_identical(version, seed, scratch_tree, pristine_446, pristine_523):
    pristine = pristine_446 if version == "4.46.3" else pristine_523
    tree = scratch_tree(version)
    checker = CopyChecker(RepoLayout.discover(tree), use_cache=False)
    rng = random.Random(seed)
    candidates = [
        site for site in marker_sites(checker)
        if not has_ignore_copy(site.path, site.copy_start, site.copy_end) and statement_lines(site.path, site.copy_start, site.copy_end)
    ]
    planted, used_files = [], set()
    for site in rng.sample(candidates, len(candidates)):
        if site.path in used_files:
            continue
        used_files.add(site.path)
        plant(site.path, rng.choice(statement_lines(site.path, site.copy_start, site.copy_end)), seed)
        planted.append(site)
        if len(planted) == 4:
            break

    report = CopyChecker(RepoLayout.discover(tree), use_cache=False).check()
    reported = {(finding.path, finding.line) for finding in report.findings if finding.kind == "drift"}
    for site in planted:
        assert (site.path.relative_to(tree).as_posix(), site.marker_line) in reported, site

    fixed = CopyChecker(RepoLayout.discover(tree), use_cache=False).fix()
    assert fixed.findings == []
    assert tree_digest(tree) == tree_digest(pristine)


@pytest.mark.parametrize(("version", "seed"), [("4.46.3", 3), ("5.23.0", 4)])
def test_planted_edit_in_a_source_is_reported_at_every_direct_copy(version, seed, scratch_tree, pristine_446, pristine_523):
    pristine = pristine_446 if version == "4.46.3" else pristine_523
    tree = scratch_tree(version)
    checker = CopyChecker(RepoLayout.discover(tree), use_cache=False)
    sites = marker_sites(checker)
    by_source: dict = {}
    for site in sites:
        by_source.setdefault((site.source_path, site.source_start), []).append(site)
    rng = random.Random(seed)
    sources = sorted(
        key for key, copies in by_source.items()
        if not any(has_ignore_copy(copy.path, copy.copy_start, copy.copy_end) for copy in copies)
    )
    source_path, source_start = rng.choice([key for key in sources if statement_lines(key[0], key[1], by_source[key][0].source_end)])
    source_end = by_source[(source_path, source_start)][0].source_end
    line = rng.choice(statement_lines(source_path, source_start, source_end))
    original = source_path.read_bytes()
    plant(source_path, line, seed)

    direct = {
        (site.path.relative_to(tree).as_posix(), site.marker_line)
        for site in sites if site.source_path == source_path and site.source_start < line < site.source_end
    }
    enclosing = {
        (site.path.relative_to(tree).as_posix(), site.marker_line)
        for site in sites if site.path == source_path and site.copy_start <= line < site.copy_end
    }
    report = CopyChecker(RepoLayout.discover(tree), use_cache=False).check()
    reported = {(finding.path, finding.line) for finding in report.findings}
    assert direct and direct <= reported
    assert reported <= direct | enclosing

    assert CopyChecker(RepoLayout.discover(tree), use_cache=False).fix().findings == []
    source_path.write_bytes(original)
    assert CopyChecker(RepoLayout.discover(tree), use_cache=False).fix().findings == []
    assert tree_digest(tree) == tree_digest(pristine)
