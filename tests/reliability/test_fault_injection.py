"""A kill at any moment of a write phase leaves a tree that the next command restores; reruns then succeed.

For each multi-file writer (`new`, `check-copies --fix`, `lint --fix`) the change set the command computes
is captured once; its write phase is counted in steps (`MODELGEN_FAULT_TRACE`) and replayed in forked
children killed at seeded random steps (`MODELGEN_FAULT_AT`), so no interpreter starts and nothing is
recomputed per kill. After each kill the next modelgen command (a real CLI run) must report the rollback,
and the tree must equal the original byte for byte, modes and folders included; a rerun of the command must
give the completed result. SIGTERM and SIGINT must roll back on their own. Real `python -m modelgen`
processes, killed at random times or by a SIGTERM inside the write phase, complete the picture.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .faults import (
    captured_change,
    copies_tree,
    lint_tree,
    new_tree,
    restore,
    run_forked,
    snapshot,
    write_forked,
)

SEED = 14
KILL_POINTS = 30
RERUN_EVERY = 6  # a full rerun of the command after every sixth kill (the others check the rollback only)

COMMANDS = {
    "new": (new_tree, lambda root: ["new", "--like", "bert", "--name", "BrandNewBert", "--repo", str(root)]),
    "check-copies": (copies_tree, lambda root: ["check-copies", "--fix", "--repo", str(root)]),
    "lint": (lint_tree, lambda root: ["lint", "--fix", "--select", "MG106", "--repo", str(root)]),
}


def recover_command(root: Path) -> list[str]:
    """A cheap read-only command (lint one file): like every command, it first recovers the tree."""
    return ["lint", "--select", "MG106", "--repo", str(root), str(root / "src/transformers/__init__.py")]


class Scenario:
    def __init__(self, name: str, tmp_path: Path, monkeypatch):
        build, self.argv = COMMANDS[name]
        self.tmp_path = tmp_path
        self.template = build(tmp_path / "template")
        self.original = snapshot(self.template)
        self.root = tmp_path / "tree"
        self.root.mkdir()
        self.reset()
        self.changes = captured_change(self.argv(self.root))
        trace = tmp_path / "trace.txt"
        monkeypatch.setenv("MODELGEN_FAULT_TRACE", str(trace))
        self.changes.write()
        monkeypatch.delenv("MODELGEN_FAULT_TRACE")
        self.steps = len(trace.read_text().splitlines())
        self.completed = snapshot(self.root)
        assert self.completed != self.original

    def reset(self) -> None:
        restore(self.root, self.template)

    def recover(self, label: str) -> str:
        log = self.tmp_path / "log.txt"
        status = run_forked(recover_command(self.root), {}, log)
        text = log.read_text()
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) in (0, 1), f"{label}: {text}"
        assert "Traceback" not in text, text
        return text

    def rerun(self, label: str) -> None:
        log = self.tmp_path / "log.txt"
        status = run_forked(self.argv(self.root), {}, log)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) in (0, 1), f"{label}: rerun failed: {log.read_text()}"
        assert snapshot(self.root) == self.completed, f"{label}: the rerun did not give the completed result"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_sigkill_at_random_steps_of_the_write_phase_is_rolled_back(name, tmp_path, monkeypatch):
    scenario = Scenario(name, tmp_path, monkeypatch)
    assert scenario.steps >= KILL_POINTS, f"only {scenario.steps} steps in the write phase of {name}"
    points = sorted(random.Random(SEED).sample(range(1, scenario.steps + 1), KILL_POINTS))
    for index, point in enumerate(points):
        scenario.reset()
        status = write_forked(scenario.changes, {"MODELGEN_FAULT_AT": str(point)})
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"step {point} did not kill"
        messages = [line for line in scenario.recover(f"step {point}").splitlines() if "interrupted change" in line]
        assert len(messages) == 1 and messages[0].startswith("modelgen: rolled back an interrupted change"), messages
        assert snapshot(scenario.root) == scenario.original, f"SIGKILL at step {point}: not rolled back"
        if index % RERUN_EVERY == 0:
            scenario.rerun(f"SIGKILL at step {point}")


@pytest.mark.parametrize("signame", ["TERM", "INT"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_sigterm_and_sigint_during_the_write_phase_roll_back_at_once(name, signame, tmp_path, monkeypatch):
    scenario = Scenario(name, tmp_path, monkeypatch)
    count = KILL_POINTS if signame == "TERM" else 10
    number = getattr(signal, f"SIG{signame}")
    for point in sorted(random.Random(SEED + 1).sample(range(1, scenario.steps + 1), count)):
        scenario.reset()
        status = write_forked(scenario.changes, {"MODELGEN_FAULT_AT": f"{point}:{signame}"})
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + number, f"step {point}: status {status}"
        assert snapshot(scenario.root) == scenario.original, f"SIG{signame} at step {point} left the tree changed"
    assert "interrupted change" not in scenario.recover("after the signals")  # nothing was left to recover
    scenario.rerun(f"after SIG{signame}")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_real_process_stopped_by_sigterm_in_its_write_phase_says_so_and_changes_nothing(name, tmp_path, monkeypatch):
    scenario = Scenario(name, tmp_path, monkeypatch)
    scenario.reset()
    point = random.Random(SEED + 3).randint(1, scenario.steps)
    result = subprocess.run([sys.executable, "-m", "modelgen", *scenario.argv(scenario.root)], capture_output=True,
                            text=True, env={**os.environ, "MODELGEN_FAULT_AT": f"{point}:TERM"}, check=False)
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "error: interrupted by SIGTERM: rolled back, no file was changed"), result.stderr
    assert snapshot(scenario.root) == scenario.original


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_kills_at_random_times_of_a_real_process(name, tmp_path, monkeypatch):
    scenario = Scenario(name, tmp_path, monkeypatch)
    scenario.reset()
    command = [sys.executable, "-m", "modelgen", *scenario.argv(scenario.root)]
    started = time.monotonic()
    subprocess.run(command, capture_output=True, check=False)
    duration = time.monotonic() - started
    rng = random.Random(SEED + 2)
    for attempt in range(3):
        scenario.reset()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.6, 1.0) * duration)
        process.send_signal(signal.SIGKILL if attempt != 1 else signal.SIGTERM)
        process.wait()
        scenario.recover(f"timed kill {attempt}")
        after = snapshot(scenario.root)
        assert after in (scenario.original, scenario.completed), f"timed kill {attempt}: a half-changed tree"
        if after == scenario.original:
            scenario.rerun(f"timed kill {attempt}")


def test_a_command_does_not_recover_a_change_that_is_still_being_written(tmp_path):
    """A live transaction holds its journal's lock: a concurrent command leaves it alone."""
    from modelgen.transaction import _lock, journal_home, recover

    root = tmp_path / "tree"
    root.mkdir()
    folder = journal_home(root) / "live"
    folder.mkdir(parents=True)
    (folder / "journal.json").write_text('{"state": "apply", "folders": [], "entries": []}')
    lock = _lock(folder)
    try:
        assert recover(root) == [] and folder.is_dir()
    finally:
        os.close(lock)
    assert recover(root)[0].startswith("modelgen: rolled back") and not folder.exists()


def test_a_kill_while_the_journal_is_written_leaves_nothing_after_the_next_command(tmp_path):
    """The journal folder is filled under a `.new` name and renamed: a leftover `.new` held nothing staged."""
    from modelgen.transaction import journal_home, recover

    root = tmp_path / "tree"
    starting = journal_home(root) / "20260101T000000-00000000.new"
    starting.mkdir(parents=True)
    (starting / "journal.json.tmp").write_text('{"state": "prep')
    (messages,) = recover(root)
    assert messages.startswith("modelgen: removed an unfinished journal") and not journal_home(root).exists()


def test_the_journal_lives_in_the_git_directory(tmp_path):
    from modelgen.transaction import journal_home

    (tmp_path / ".git").mkdir()
    (tmp_path / "lib").mkdir()
    assert journal_home(tmp_path / "lib") == tmp_path / ".git" / "modelgen-journal"
    worktree = tmp_path / "worktree"
    worktree.mkdir()
    (tmp_path / "gitdir").mkdir()
    (worktree / ".git").write_text(f"gitdir: {tmp_path / 'gitdir'}\n")
    assert journal_home(worktree) == tmp_path / "gitdir" / "modelgen-journal"
