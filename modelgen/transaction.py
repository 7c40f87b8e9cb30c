"""A change to several files that a kill cannot leave half-done: staged, journaled, then applied.

One `Transaction.run()` per `ChangeSet.write()`:
1. The journal (`<git dir>/modelgen-journal/<id>/journal.json`, or `<root>/.modelgen-journal/<id>/` outside a
   git repository) lists every target, the staged sibling that will hold its new bytes, its backup and the
   folders to create; its state is `prepare`.
2. The folders, the staged files and the backups (in the journal's folder) are written and flushed; the
   journal's state becomes `apply` (from here on, a rollback restores the backups).
3. Each target is replaced by its staged file, then the journal is removed.

Every later modelgen command on the repository first calls `recover()`, which rolls back every interrupted
change from its backups (a command that did not finish changed nothing, so it can always be run again).
SIGTERM and SIGINT during steps 2-3 roll back and raise `Interrupted`. A live transaction holds a lock on
its journal folder, so a concurrent command never recovers a change that is still running.

Metadata is kept: a staged file gets the target's mode; a target with other hard links, another owner, or
in a folder the user may not write is rewritten in place (from the staged copy) instead of renamed over.
A read-only target (no write permission, or no write bit at all) is refused before anything is written.

`MODELGEN_FAULT_AT=K[:TERM|INT|KILL]` (fault injection for the test-suite) sends the signal (default
SIGKILL) to this process at the K-th step; `MODELGEN_FAULT_TRACE=FILE` appends one line per step to FILE.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import stat
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from modelgen.errors import ModelgenError

JOURNAL_FOLDER = "modelgen-journal"
STARTING_SUFFIX = ".new"  # a journal folder being filled: nothing is staged before it is renamed
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Interrupted(Exception):
    """SIGTERM or SIGINT arrived while files were being written; everything was rolled back."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by {signal.Signals(signum).name}: rolled back, no file was changed")
        self.signum = signum


@dataclass
class _Entry:
    target: str
    staged: str
    backup: str | None  # None: the target is created by the change
    mode: int
    in_place: bool  # rewrite the target's own inode instead of renaming the staged file over it


def journal_home(root: Path) -> Path:
    """`modelgen-journal/` in the git directory of the repository holding `root`, else `root/.modelgen-journal`."""
    root = root.resolve()
    for folder in (root, *root.parents):
        git = folder / ".git"
        if git.is_dir():
            return git / JOURNAL_FOLDER
        if git.is_file():  # a worktree or submodule: `gitdir: PATH`
            try:
                pointer = git.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                break
            if pointer.startswith("gitdir:"):
                target = Path(pointer[len("gitdir:"):].strip())
                target = target if target.is_absolute() else folder / target
                if target.is_dir():
                    return target / JOURNAL_FOLDER
            break
    return root / ".modelgen-journal"


class Transaction:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.home = journal_home(self.root)
        self._steps = 0
        self._fault_step, self._fault_signal = _fault_setting()
        self._interrupted: int | None = None

    # ------------------------------------------------------------------ running
    def run(self, new_bytes: dict[Path, bytes]) -> list[Path]:
        """Replace every target's content with its new bytes, all or nothing; the targets, in order."""
        if not new_bytes:
            return []
        targets = sorted(new_bytes)
        for target in targets:
            _check_writable(target)
        folder = self.home / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.urandom(4).hex()}"
        entries, folders = self._plan(targets, folder)
        previous = self._catch_signals()
        state = "prepare"
        starting = folder.with_name(folder.name + STARTING_SUFFIX)
        try:
            # the journal appears under its name complete (a kill before the rename leaves a `.new` folder)
            starting.mkdir(parents=True)
            lock = _lock(starting)
            try:
                _write_journal(starting, "prepare", entries, folders)
                os.rename(starting, folder)
                _fsync_path(self.home)
                for path in folders:
                    self._step(f"mkdir {path}")
                    Path(path).mkdir(exist_ok=True)
                for entry, target in zip(entries, targets):
                    self._step(f"stage {target}")
                    _write_file(Path(entry.staged), new_bytes[target], entry.mode)
                    if entry.backup is not None:
                        self._step(f"backup {target}")
                        shutil.copyfile(target, entry.backup)
                        _fsync_path(Path(entry.backup))
                self._step("commit")
                _write_journal(folder, "apply", entries, folders)
                state = "apply"
                for entry in entries:
                    self._step(f"apply {entry.target}")
                    _apply(entry)
                self._step("done")
                _remove_journal(folder)
            finally:
                os.close(lock)
        except BaseException:
            if folder.exists():
                _roll_back(folder, entries, folders, applied=state == "apply")
            shutil.rmtree(starting, ignore_errors=True)
            raise
        finally:
            self._restore_signals(previous)
        return targets

    def _plan(self, targets: list[Path], folder: Path) -> tuple[list[_Entry], list[str]]:
        folders: list[str] = []
        entries = []
        for index, target in enumerate(targets):
            missing = []
            for parent in target.parents:
                if parent.exists() or str(parent) in folders:
                    break
                missing.append(str(parent))
            folders.extend(reversed(missing))
            staged = target.with_name(f".{target.name}.modelgen-{folder.name}.new")
            if target.exists():
                status = target.stat()
                in_place = (
                    status.st_nlink > 1
                    or status.st_uid != os.geteuid()
                    or not os.access(target.parent, os.W_OK | os.X_OK)
                )
                entries.append(_Entry(str(target), str(staged), str(folder / f"{index}.orig"), stat.S_IMODE(status.st_mode), in_place))
            else:
                entries.append(_Entry(str(target), str(staged), None, 0o644, False))
        return entries, folders

    # ------------------------------------------------------------------ signals
    def _step(self, label: str) -> None:
        self._steps += 1
        trace = os.environ.get("MODELGEN_FAULT_TRACE")
        if trace:
            with open(trace, "a", encoding="utf-8") as stream:
                stream.write(f"{self._steps} {label}\n")
        if self._steps == self._fault_step:
            os.kill(os.getpid(), self._fault_signal)
        if self._interrupted is not None:
            raise Interrupted(self._interrupted)

    def _catch_signals(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}

        def remember(signum, frame) -> None:
            self._interrupted = signum

        return {signum: signal.signal(signum, remember) for signum in _SIGNALS}

    def _restore_signals(self, previous: dict) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# ------------------------------------------------------------------ recovery
def recover(root: Path) -> list[str]:
    """Roll back every interrupted transaction of the repository; one line per transaction rolled back."""
    home = journal_home(root)
    try:
        folders = sorted(home.iterdir()) if home.is_dir() else []
    except FileNotFoundError:  # removed by a command that just finished
        folders = []
    messages = []
    for folder in folders:
        if not folder.is_dir():
            continue
        try:
            lock = _lock(folder, wait=False)
        except BlockingIOError:
            continue  # a live command is writing this change
        except FileNotFoundError:
            continue  # that command just finished
        except OSError as error:
            raise ModelgenError(f"cannot recover an interrupted change: {error.strerror}", folder) from None
        try:
            message = _recover_one(folder)
        finally:
            os.close(lock)
        if message is not None:
            messages.append(message)
    return messages


def _recover_one(folder: Path) -> str | None:
    if folder.name.endswith(STARTING_SUFFIX) or not (folder / "journal.json").exists():
        # killed while the journal was being written: nothing was staged yet (a command only now creating
        # it finds it gone and stops with an error, having changed nothing)
        _remove_journal(folder)
        return f"modelgen: removed an unfinished journal {folder.name} (no file had been changed)"
    try:
        data = json.loads((folder / "journal.json").read_text(encoding="utf-8"))
        entries = [_Entry(**item) for item in data["entries"]]
        folders, state = list(data["folders"]), data["state"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelgenError(f"unreadable journal of an interrupted change ({error}); inspect and delete it", folder) from None
    _roll_back(folder, entries, folders, applied=state in ("apply", "rollback"))
    return f"modelgen: rolled back an interrupted change of {len(entries)} file(s) (journal {folder.name}); no file was changed, run the command again"


def _roll_back(folder: Path, entries: list[_Entry], folders: list[str], applied: bool) -> None:
    """Undo a change; safe to repeat after a kill, since the journal then says `rollback`."""
    if applied:
        _write_journal(folder, "rollback", entries, folders)
    for entry in reversed(entries):
        Path(entry.staged).unlink(missing_ok=True)
        _restore_path(entry).unlink(missing_ok=True)  # left by a kill during an earlier rollback
        if not applied:
            continue
        target = Path(entry.target)
        if entry.backup is None:
            target.unlink(missing_ok=True)
        elif Path(entry.backup).exists():
            original = Path(entry.backup).read_bytes()
            if not target.exists() or target.read_bytes() != original:
                _restore(entry, original)
    for path in reversed(folders):
        try:
            Path(path).rmdir()
        except OSError:
            pass
    _remove_journal(folder)


def _remove_journal(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.parent.rmdir()  # the journal home, when no other change is under way
    except OSError:
        pass


# ------------------------------------------------------------------ file operations
def _apply(entry: _Entry) -> None:
    target, staged = Path(entry.target), Path(entry.staged)
    try:
        if entry.in_place:
            _write_in_place(target, staged.read_bytes())
            staged.unlink()
        else:
            os.replace(staged, target)
    except OSError as error:
        raise ModelgenError(f"cannot replace the file: {error.strerror}", target) from None


def _restore(entry: _Entry, original: bytes) -> None:
    target = Path(entry.target)
    if entry.in_place:
        _write_in_place(target, original)
        return
    temporary = _restore_path(entry)
    _write_file(temporary, original, entry.mode)
    os.replace(temporary, target)


def _restore_path(entry: _Entry) -> Path:
    target = Path(entry.target)
    return target.with_name(f".{target.name}.modelgen-restore")


def _write_file(path: Path, data: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        _write_all(descriptor, data)
        os.fchmod(descriptor, mode)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _write_in_place(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        _write_all(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_journal(folder: Path, state: str, entries: list[_Entry], folders: list[str]) -> None:
    data = {"state": state, "folders": folders, "entries": [asdict(entry) for entry in entries]}
    temporary = folder / "journal.json.tmp"
    _write_file(temporary, json.dumps(data, indent=1).encode(), 0o644)
    os.replace(temporary, folder / "journal.json")
    _fsync_path(folder)


def _fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _lock(folder: Path, wait: bool = True) -> int:
    descriptor = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _check_writable(target: Path) -> None:
    """Refuse, before anything is written, a target the user could not open for writing."""
    try:
        status = target.lstat()
    except FileNotFoundError:
        return
    if not stat.S_ISREG(status.st_mode):
        raise ModelgenError("not a regular file; nothing was written", target)
    if _is_immutable(target):
        raise ModelgenError("the file is immutable (chattr +i); nothing was written", target)
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise ModelgenError("the file is read-only (cannot be opened for writing); nothing was written", target)


def _is_immutable(target: Path) -> bool:
    """The immutable or append-only attribute, which even root cannot write through (Linux only)."""
    try:
        descriptor = os.open(target, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        import array

        flags = array.array("l", [0])
        fcntl.ioctl(descriptor, 0x80086601, flags, True)  # FS_IOC_GETFLAGS
        return bool(flags[0] & (0x10 | 0x20))  # FS_IMMUTABLE_FL | FS_APPEND_FL
    except OSError:  # no such attribute on this file system
        return False
    finally:
        os.close(descriptor)


def _fault_setting() -> tuple[int, int]:
    value = os.environ.get("MODELGEN_FAULT_AT", "")
    step, _, name = value.partition(":")
    if not step.isdigit():
        return 0, signal.SIGKILL
    return int(step), getattr(signal, f"SIG{name.upper()}", signal.SIGKILL) if name else signal.SIGKILL
