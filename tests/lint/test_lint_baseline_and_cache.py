"""Baselines survive line shifts; the result cache is reused for unchanged files and invalidated otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from lint_cli import MODELING, lint

from modelgen.lint import runner
from modelgen.lint.config import load_config
from modelgen.lint.runner import lint_paths
from modelgen.lint.targets import default_targets
from modelgen.repo import RepoLayout


def test_baseline_accepts_old_findings_after_a_line_shift_and_reports_new_ones(fixture_tree, tmp_path):
    repo = fixture_tree("lint_basic")
    baseline = tmp_path / "baseline.json"
    written = lint(repo, "--write-baseline", str(baseline))
    assert written.returncode == 0 and "wrote 3 findings" in written.stderr
    entries = json.loads(baseline.read_text())["findings"]
    assert {entry["code"] for entry in entries} == {"MG105", "MG106", "MG108"}
    assert all(set(entry) == {"path", "code", "context", "line_hash", "count"} for entry in entries)
    assert lint(repo, "--baseline", str(baseline)).returncode == 0

    path = repo / MODELING
    text = path.read_text().replace(
        '"""PyTorch BrandNewBert model."""\n', '"""PyTorch BrandNewBert model.\n\nMore.\n"""\n'
    )
    text = text.replace(
        "        return attn_weights * x\n", "        y = attn_weights * x\n        return y\n"
    )
    path.write_text(text)
    result = lint(repo, "--baseline", str(baseline))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{MODELING}:21:9: MG105 one-letter variable name `y`: name what it holds"
    ]


def test_a_second_identical_finding_in_the_same_definition_is_new(fixture_tree, tmp_path):
    repo = fixture_tree("lint_basic")
    baseline = tmp_path / "baseline.json"
    lint(repo, "--write-baseline", str(baseline), "--select", "MG108")
    path = repo / MODELING
    line = "        nn.init.xavier_uniform_(self.dense.weight)\n"
    path.write_text(path.read_text().replace(line, line + line))
    assert [
        entry.split()[1]
        for entry in lint(repo, "--baseline", str(baseline)).stdout.splitlines()
        if "MG108" in entry
    ] == ["MG108"]


def test_bad_baseline_is_one_line_error(fixture_tree, tmp_path):
    repo = fixture_tree("lint_basic")
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": 3}')
    result = lint(repo, "--baseline", str(bad))
    assert result.returncode == 1 and result.stderr.strip().endswith(
        "not a modelgen lint baseline (version 1)"
    )


def _lint(repo: Path, config=None, **options):
    layout = RepoLayout.discover(repo)
    targets = default_targets(layout)
    return lint_paths(
        targets,
        [layout.relative(path) for path in targets],
        config or load_config({}, None),
        layout.root,
        **options,
    )


def test_cache_reuses_unchanged_files_and_relints_changed_ones(fixture_tree, monkeypatch):
    repo = fixture_tree("lint_basic")
    first = _lint(repo)
    linted: list[str] = []
    original = runner._rows
    monkeypatch.setattr(
        runner,
        "_rows",
        lambda path, relative, config: linted.append(relative) or original(path, relative, config),
    )
    assert _lint(repo) == first and linted == []
    path = repo / MODELING
    path.write_text(path.read_text().replace("attn_weights", "attention_weights"))
    second = _lint(repo)
    assert linted == [MODELING] and len(second) == len(first) - 1
    linted.clear()
    _lint(repo, load_config({"extend-abbreviations": {"dense": "dense_layer"}}, None))
    assert len(linted) == 4, "a different rule configuration is a different cache key"
    linted.clear()
    _lint(repo, use_cache=False)
    assert len(linted) == 4


def test_process_pool_gives_the_same_findings(fixture_tree, monkeypatch):
    repo = fixture_tree("lint_basic")
    serial = _lint(repo, use_cache=False, workers=1)
    monkeypatch.setattr(runner, "POOL_THRESHOLD", 1)
    assert _lint(repo, use_cache=False, workers=2) == serial
