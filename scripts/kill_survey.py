"""Kill `new`, `check-copies --fix` and `lint --fix` at random moments; count the trees left half-changed.

    python scripts/kill_survey.py /tmp/rel-before /work/wt-reliability --kills 20

For each checkout (run as `python -m modelgen` with PYTHONPATH set to it) and each command, on the small
trees of the fault-injection tests: the tree is watched while the command runs, and the first change to it
(the write phase has begun) is followed, after a seeded random delay of 0-10 ms, by SIGKILL. After each
kill a read-only command runs (the next command a user would run), and the tree is compared byte for byte
with the original and the completed result; then the command is run again. A row counts the outcomes.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.faults import copies_tree, lint_tree, new_tree, restore, snapshot

COMMANDS = {
    "new": (new_tree, lambda root: ["new", "--like", "bert", "--name", "BrandNewBert", "--repo", str(root)]),
    "check-copies --fix": (copies_tree, lambda root: ["check-copies", "--fix", "--repo", str(root)]),
    "lint --fix": (lint_tree, lambda root: ["lint", "--fix", "--select", "MG106", "--repo", str(root)]),
}


def survey(checkout: Path, name: str, kills: int, seed: int) -> dict[str, int]:
    build, argv = COMMANDS[name]
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        template = build(scratch / "template")
        root = scratch / "tree"
        root.mkdir()
        environment = {**os.environ, "PYTHONPATH": str(checkout), "MODELGEN_CACHE_DIR": str(scratch / "cache")}

        def modelgen(arguments: list[str]) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "modelgen", *arguments], env=environment, cwd=scratch,
                                  capture_output=True, text=True, check=False)

        restore(root, template)
        original = snapshot(root)
        modelgen(argv(root))
        completed = snapshot(root)
        counts = {"original": 0, "completed": 0, "half-changed": 0, "rerun failed": 0}
        rng = random.Random(seed)
        for _ in range(kills):
            restore(root, template)
            process = subprocess.Popen([sys.executable, "-m", "modelgen", *argv(root)], env=environment, cwd=scratch,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            delay = rng.uniform(0, 0.01)
            quiet = _signature(root)
            while process.poll() is None and _signature(root) == quiet:
                pass
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            modelgen(["check-copies", "--repo", str(root)])  # the next command
            after = snapshot(root)
            counts["original" if after == original else "completed" if after == completed else "half-changed"] += 1
            if after != completed and (modelgen(argv(root)).returncode not in (0, 1) or snapshot(root) != completed):
                counts["rerun failed"] += 1
        return counts


def _signature(root: Path) -> set:
    """Every name under the tree with its size and modification time: any write changes it."""
    found = set()
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                status = os.lstat(os.path.join(folder, name))
            except FileNotFoundError:
                continue
            found.add((folder, name, status.st_size, status.st_mtime_ns))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=14)
    arguments = parser.parse_args()
    print("| command | checkout | kills | original | completed | half-changed | rerun failed |")
    print("|---|---|---|---|---|---|---|")
    for name in COMMANDS:
        for checkout in arguments.checkouts:
            counts = survey(checkout.resolve(), name, arguments.kills, arguments.seed)
            print(f"| {name} | {checkout.name} | {arguments.kills} | " + " | ".join(map(str, counts.values())) + " |",
                  flush=True)


if __name__ == "__main__":
    main()
