"""Helpers of the fault-injection tests: small trees with many files to write, a forked run, tree snapshots."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
JOURNAL_LEFTOVERS = (".modelgen-journal",)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every folder and file under `root` with its mode and bytes: two trees are equal byte for byte."""
    entries: dict[str, tuple] = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        base = Path(folder)
        for name in subfolders:
            entries[(base / name).relative_to(root).as_posix() + "/"] = ("dir",)
        for name in files:
            path = base / name
            status = path.lstat()
            entries[path.relative_to(root).as_posix()] = (stat.S_IMODE(status.st_mode), path.read_bytes())
    return entries


def restore(root: Path, template: Path) -> None:
    shutil.rmtree(root)
    shutil.copytree(template, root, symlinks=True)


def copies_tree(destination: Path, extra: int = 12) -> Path:
    """`fixtures/copies_drift` plus `extra` models, each with a drifted copy of bert's BertSelfOutput."""
    shutil.copytree(FIXTURES / "copies_drift", destination)
    models = destination / "src/transformers/models"
    for index in range(extra):
        name = f"extra{index}"
        folder = models / name
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        (folder / f"modeling_{name}.py").write_text(
            "import torch\nfrom torch import nn\n\n\n"
            f"# Copied from transformers.models.bert.modeling_bert.BertSelfOutput with Bert->Extra{index}\n"
            f"class Extra{index}SelfOutput(nn.Module):\n"
            "    def __init__(self, config):\n"
            "        super().__init__()\n"
            "        self.dense = nn.Linear(config.hidden_size, config.hidden_size)\n"
            f"        self.drifted = {index}\n"
        )
    return destination


def lint_tree(destination: Path, extra: int = 10) -> Path:
    """`fixtures/lint_basic` plus `extra` copies of its model with a finding that `lint --fix` repairs (fewer
    than `POOL_THRESHOLD` files in all, so that no run starts worker processes)."""
    shutil.copytree(FIXTURES / "lint_basic", destination)
    models = destination / "src/transformers/models"
    source = models / "brand_new_bert"
    for index in range(extra):
        folder = models / f"model{index}"
        folder.mkdir()
        for path in source.iterdir():
            if path.is_file():
                text = path.read_text().replace("brand_new_bert", f"model{index}").replace("BrandNewBert", f"Model{index}")
                (folder / path.name.replace("brand_new_bert", f"model{index}")).write_text(text)
    return destination


def new_tree(destination: Path) -> Path:
    shutil.copytree(FIXTURES / "new_mini", destination)
    return destination


def run_forked(argv: list[str], environment: dict[str, str], log: Path) -> int:
    """Run `modelgen ARGV` in a forked child (no interpreter start-up); its wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(descriptor, 1)
            os.dup2(descriptor, 2)
            sys.stdout = sys.stderr = open(descriptor, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
            os.environ.update(environment)
            sys.argv = ["modelgen", *argv]
            from modelgen.cli import main

            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:  # noqa: BLE001 - the exit code says it; the log has the traceback
            import traceback

            traceback.print_exc()
            code = 98
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def captured_change(argv: list[str]):
    """Run `modelgen ARGV` in this process with writing disabled; the `ChangeSet` it would have written."""
    from unittest import mock

    from modelgen.changeset import ChangeSet

    captured: list[ChangeSet] = []

    def capture(self):
        captured.append(self)
        return sorted(self.changed_paths())

    saved = sys.argv
    sys.argv = ["modelgen", *argv]
    try:
        with mock.patch.object(ChangeSet, "write", capture):
            from modelgen.cli import main

            try:
                main()
            except SystemExit:
                pass
    finally:
        sys.argv = saved
    assert len(captured) == 1, "the command wrote no change set"
    return captured[0]


def write_forked(changes, environment: dict[str, str]) -> int:
    """`changes.write()` in a forked child; its wait status (exit 128+N after SIGTERM/SIGINT's rollback)."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            os.environ.update(environment)
            from modelgen.transaction import Interrupted

            try:
                changes.write()
                code = 0
            except Interrupted as error:
                code = 128 + error.signum
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status
