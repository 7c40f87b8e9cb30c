"""check-copies end to end on the downloaded library trees, with seeded random planted drift.

transformers 4.46.3, 4.57.6 (the last 4.x) and 5.23.0, and diffusers 0.42.1 (its own dialect, zero configuration).
"""

from __future__ import annotations

import random
import re

import pytest

from modelgen.copies.checker import CopyChecker
from modelgen.copies.scan import python_files
from modelgen.repo import RepoLayout
from modelgen.trees import parse_spec

from .planting import has_ignore_copy, marker_sites, plant, statement_lines, tree_digest

pytestmark = pytest.mark.real_tree

# Marker lines as the library's own checker matches them (diffusers: its `_re_copy_warning`, 2221 lines on
# 0.42.1, the number of markers its utils/check_copies.py checks: benchmarks/reference_check_copies.py).
MARKER_LINES = {
    "transformers": re.compile(r"^\s*# Copied from (transformers|tests)\.", re.MULTILINE),
    "diffusers": re.compile(r"^\s*#\s*Copied from\s+diffusers\.\S+\.\S+", re.MULTILINE),
}
TREES = ["4.46.3", "4.57.6", "5.23.0", "diffusers==0.42.1"]


@pytest.mark.parametrize("spec", TREES)
def test_pristine_tree_is_consistent(spec, pristine_of):
    layout = RepoLayout.discover(pristine_of(spec))
    report = CopyChecker(layout, use_cache=False).check()
    assert report.findings == []
    # Every marker is checked except nested ones (their enclosing copy covers them) and misspelt ones
    # (reported as notes), as a plain count of marker lines shows.
    pattern = MARKER_LINES[parse_spec(spec)[0]]
    marker_lines = sum(len(pattern.findall(path.read_text())) for path in python_files(layout))
    if parse_spec(spec)[0] == "diffusers":
        assert abs(report.checked - marker_lines) <= 0.01 * marker_lines
    else:
        assert 0.95 * marker_lines < report.checked <= marker_lines


@pytest.mark.parametrize(("spec", "seed"), [("4.46.3", 1), ("5.23.0", 2), ("4.57.6", 5), ("diffusers==0.42.1", 6)])
def test_planted_edits_in_copies_are_reported_and_fixed_byte_identical(spec, seed, scratch_tree, pristine_of):
    pristine = pristine_of(spec)
    tree = scratch_tree(spec)
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


# A random source, or a named one with many copies (flux.calculate_shift: 42 direct copies).
SOURCES = [
    ("4.46.3", 3, None),
    ("5.23.0", 4, None),
    ("4.57.6", 7, None),
    ("diffusers==0.42.1", 8, "diffusers.pipelines.flux.pipeline_flux.calculate_shift"),
]


@pytest.mark.parametrize(("spec", "seed", "target"), SOURCES)
def test_planted_edit_in_a_source_is_reported_at_every_direct_copy(spec, seed, target, scratch_tree, pristine_of):
    pristine = pristine_of(spec)
    tree = scratch_tree(spec)
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
    if target is None:
        source_path, source_start = rng.choice([key for key in sources if statement_lines(key[0], key[1], by_source[key][0].source_end)])
    else:
        source_path, source_start = next(key for key in sources if by_source[key][0].target == target)
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
