"""The result cache only ever saves time: an unusable folder, wrong-typed entries and an edit that keeps the
size and modification time never change what a run reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from modelgen.cache import RACY_MARGIN_NS

DRIFTED_COPY = "src/transformers/models/roberta/modeling_roberta.py"


def modelgen(*arguments: str, cache: Path | str | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    if cache is not None:
        environment["MODELGEN_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-m", "modelgen", *arguments], capture_output=True, text=True,
                          env=environment, check=False)


def findings(result: subprocess.CompletedProcess) -> list:
    data = json.loads(result.stdout)  # check-copies: an object; lint: the list of findings
    return data["findings"] if isinstance(data, dict) else data


@pytest.mark.parametrize("command", ["check-copies", "lint"])
@pytest.mark.parametrize("kind", ["a regular file", "below a regular file"])
def test_an_unusable_cache_folder_is_one_warning_and_the_results_are_printed(fixture_tree, tmp_path, command, kind):
    repo = fixture_tree("copies_drift" if command == "check-copies" else "lint_basic")
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    cache = blocker if kind == "a regular file" else blocker / "modelgen"
    expected = modelgen(command, "--repo", str(repo), "--format", "json", "--no-cache")
    result = modelgen(command, "--repo", str(repo), "--format", "json", cache=cache)
    assert result.returncode == expected.returncode == 1, result.stderr
    assert findings(result) == findings(expected) and findings(result)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "cannot be used" in warnings[0] and "error:" not in result.stderr
    assert "Traceback" not in result.stderr


WRONG_VALUES = [5, [1, "a"], {"line": "x"}, [{"line": "1", "kind": 3}]]


@pytest.mark.parametrize("command", ["check-copies", "lint"])
def test_wrong_typed_cache_entries_are_dropped(fixture_tree, tmp_path, command):
    repo = fixture_tree("copies_drift" if command == "check-copies" else "lint_basic")
    cache = tmp_path / "cache"
    arguments = (command, "--repo", str(repo), "--format", "json")
    expected = modelgen(*arguments, cache=cache)
    (cache_file,) = (cache / command).glob("*.json")
    entries = json.loads(cache_file.read_text())
    assert entries
    for value in WRONG_VALUES:
        broken = {key: value for key in entries}
        cache_file.write_text(json.dumps(broken))
        result = modelgen(*arguments, cache=cache)
        assert result.returncode == expected.returncode and "Traceback" not in result.stderr, (value, result.stderr)
        assert findings(result) == findings(expected), value
    again = modelgen(*arguments, cache=cache)  # the entries rewritten by the last run are good ones
    assert findings(again) == findings(expected)
    cache_file.write_text(json.dumps([1, 2, 3]))  # not even a dictionary
    assert findings(modelgen(*arguments, cache=cache)) == findings(expected)


def test_a_same_size_edit_with_the_modification_time_restored_is_seen(fixture_tree, tmp_path):
    repo = fixture_tree("copies_drift")
    cache = tmp_path / "cache"
    # the tree is old enough that the cache trusts the stat data of its files (outside the racy margin)
    old = (os.stat(repo).st_mtime_ns - 10 * RACY_MARGIN_NS) / 1e9
    for path in repo.rglob("*.py"):
        os.utime(path, (old, old))
    arguments = ("check-copies", "--repo", str(repo), "--format", "json")
    modelgen("check-copies", "--repo", str(repo), "--fix", cache=cache)
    clean = modelgen(*arguments, cache=cache)
    assert clean.returncode == 0, clean.stdout
    copy = repo / DRIFTED_COPY
    status = copy.stat()
    text = copy.read_text()
    edited = text.replace("self.dropout(hidden_states)", "self.dropout(hidden_stateZ)", 1)
    assert edited != text and len(edited) == len(text)
    copy.write_text(edited)
    os.utime(copy, ns=(status.st_atime_ns, status.st_mtime_ns))  # `touch -r`
    assert copy.stat().st_size == status.st_size and copy.stat().st_mtime_ns == status.st_mtime_ns
    warm = modelgen(*arguments, cache=cache)
    cold = modelgen(*arguments, "--no-cache")
    assert findings(cold) and findings(warm) == findings(cold)


@pytest.mark.real_tree
def test_every_real_tree_check_gives_the_same_results_cold_and_warm(scratch_tree, tmp_path):
    root = scratch_tree("4.46.3")
    cache = tmp_path / "cache"
    for command in (("check-copies",), ("lint",)):
        arguments = (*command, "--repo", str(root), "--format", "json")
        cold = modelgen(*arguments, cache=cache)
        warm = modelgen(*arguments, cache=cache)
        assert (cold.returncode, cold.stdout) == (warm.returncode, warm.stdout), command
        assert "Traceback" not in cold.stderr + warm.stderr
    copy = root / "src/transformers/models/roberta/modeling_roberta.py"
    status = copy.stat()
    text = copy.read_text()
    edited = text.replace("hidden_states = self.dropout(hidden_states)", "hidden_states = self.dropout(hidden_stateZ)", 1)
    assert edited != text and len(edited) == len(text)
    copy.write_text(edited)
    os.utime(copy, ns=(status.st_atime_ns, status.st_mtime_ns))
    arguments = ("check-copies", "--repo", str(root), "--format", "json")
    warm = modelgen(*arguments, cache=cache)
    cold = modelgen(*arguments, "--no-cache")
    assert findings(cold) and warm.stdout == cold.stdout
