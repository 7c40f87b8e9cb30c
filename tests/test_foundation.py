"""The shared foundation: ruff formatting with the repo's settings, atomic change sets, the result cache."""

from pathlib import Path

import pytest

from modelgen.cache import FileFingerprints, ResultCache
from modelgen.changeset import ChangeSet
from modelgen.errors import ModelgenError
from modelgen.formatting import format_snippets
from modelgen.repo.settings import RepoSettings

LONG_CALL = "    def method(self):\n        return some_function(first_argument_name, second_argument_name, third_argument)\n"


def test_indented_snippets_keep_their_indentation_and_use_the_line_length():
    wide = format_snippets([LONG_CALL], RepoSettings(pyproject=None, line_length=119))[0]
    narrow = format_snippets([LONG_CALL], RepoSettings(pyproject=None, line_length=60))[0]
    assert wide == LONG_CALL
    assert narrow.startswith("    def method(self):\n        return some_function(\n")


def test_repo_pyproject_settings_are_used(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.ruff]\nline-length = 60\n[tool.ruff.format]\nquote-style = 'single'\n")
    (formatted,) = format_snippets(['x = "a"\n'], RepoSettings(pyproject=pyproject, line_length=60))
    assert formatted == "x = 'a'\n"


def test_unparsable_snippet_is_a_modelgen_error():
    with pytest.raises(ModelgenError, match="ruff format failed"):
        format_snippets(["def broken(:\n"], RepoSettings(pyproject=None))


def test_changeset_lists_creations_and_diffs_edits(tmp_path):
    existing = tmp_path / "a.py"
    existing.write_text("x = 1\n")
    changes = ChangeSet(tmp_path)
    changes.set(existing, "x = 2\n")
    changes.set(tmp_path / "new" / "b.py", "y = 1\n")
    changes.set(tmp_path / "same.py", "")
    (tmp_path / "same.py").write_text("")
    assert changes.created_paths() == [(tmp_path / "new" / "b.py").resolve()]
    assert "-x = 1\n+x = 2\n" in changes.diff()
    assert sorted(path.name for path in changes.write()) == ["a.py", "b.py"]
    assert existing.read_text() == "x = 2\n" and not list(tmp_path.glob("*.tmp"))


def test_fingerprints_reuse_hashes_of_unchanged_files(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("modelgen.cache.RACY_MARGIN_NS", 0)  # the file was written just now
    path = tmp_path / "f.py"
    path.write_text("a")
    cache = ResultCache("test", tmp_path)
    first = FileFingerprints(cache).hash(path)
    cache.save()
    reloaded = ResultCache("test", tmp_path)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("an unchanged file was read again"))
    assert FileFingerprints(reloaded).hash(path) == first


def test_a_hash_recorded_right_after_a_change_is_not_trusted(tmp_path, monkeypatch):
    """git's racy-timestamp rule: a same-tick edit could keep every stat field, so the content is read again."""
    monkeypatch.setenv("MODELGEN_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "f.py"
    path.write_text("a")
    cache = ResultCache("test", tmp_path)
    FileFingerprints(cache).hash(path)
    cache.save()
    assert FileFingerprints(ResultCache("test", tmp_path)).unchanged_hash(path) is None


def test_a_whole_tree_run_prunes_entries_it_did_not_use(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELGEN_CACHE_DIR", str(tmp_path / "cache"))
    cache = ResultCache("test", tmp_path)
    cache.put("old", 1)
    cache.put("kept", 2)
    cache.save()
    rerun = ResultCache("test", tmp_path)
    assert rerun.get("kept") == 2
    rerun.save(prune=True)
    assert ResultCache("test", tmp_path).entries == {"kept": 2}
