"""A pre-imported parent for smoke workers: it imports torch and the tree's package once, then forks one child
per model, so each model pays only for itself, not for starting Python and importing torch and the tree.

    python -m modelgen.smoke.fork_server SRC PACKAGE    (PYTHONPATH holding modelgen's folder, as for the worker)

Protocol, one JSON object a line: the server first answers `{"ready": true}` (or `{"ready": false, "error": ...}`
and exits, when the tree's package does not import cleanly; the runner then starts plain workers instead). Then,
for each job `{"request": ..., "folder": ..., "timeout": ...}` read on stdin, it forks a child, answers
`{"pid": ...}`, and once the child has ended `{"returncode": ..., "timed_out": ...}`.

Isolation is the per-process design's: every child is forked from this server, which never runs a model, so
nothing a model does (a crash, a hang, memory it keeps, a global it sets at import, a module it imports) reaches
the next one. A child runs in its own session, so a timeout kills whatever the model started too. The server stays
single-threaded (fork copies only the calling thread: a lock another thread held would stay locked in the child),
never runs a torch operation (OpenMP's thread pool does not survive a fork) and never touches CUDA.

Standard library + torch only, like the worker: it runs under another interpreter (`--python`).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import select
import signal
import sys
import time
import traceback

POLL_S = 0.02  # how often a child is polled for where no pidfd can be waited on


def preload(src: str, package: str) -> None:
    """Import what every worker imports before its model: the worker's setup, torch and the tree's core."""
    from modelgen.smoke import worker

    worker.prepare_imports(src)
    # torch._dynamo: what torch's meta-device kernels import on their first use (seconds, in every model's probes)
    for name in ("torch", "torch._dynamo", package, f"{package}.modeling_utils"):
        importlib.import_module(name)
    for name in (f"{package}.models.auto.modeling_auto",):  # optional: a small tree has no auto classes
        if _exists(name):
            importlib.import_module(name)
    worker.import_check_modules()


def _stderr_of(function, *args) -> bytes:
    """Run `function` with file descriptor 2 sent to a temporary file; what it printed there."""
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            function(*args)
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        return captured.read()


def _exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def serve(src: str, package: str) -> int:
    channel = Channel(sys.stdin.fileno(), sys.stdout.fileno())
    try:
        preload_stderr = _stderr_of(preload, src, package)
    except BaseException as error:  # noqa: BLE001 - whatever it is, the runner starts plain workers instead
        channel.send({"ready": False, "error": f"{type(error).__name__}: {error}"[:500]})
        return 1
    _trial_fork()
    if _thread_count() > 1:  # an import started a thread that no fork handler stops: it could hold a lock
        channel.send({"ready": False, "error": f"{_thread_count()} threads after the imports; a fork needs one"})
        return 1
    channel.send({"ready": True})
    state = {"child": None}

    def terminate(signum, frame):  # the runner cancelled: take the running model with us
        _kill_group(state["child"])
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    while True:
        job = channel.receive(None)
        if job is None:  # the runner is gone
            return 0
        if _thread_count() > 1:  # never fork a process whose other threads may hold locks
            channel.send({"error": f"the fork server has {_thread_count()} threads; it forks only with one"})
            return 1
        sys.stdout.flush()
        sys.stderr.flush()
        server = os.getpid()
        pid = os.fork()
        if pid == 0:
            _run_child(job, server, preload_stderr)
        state["child"] = pid
        channel.send({"pid": pid})
        returncode, timed_out = _wait(pid, float(job["timeout"]), channel)
        state["child"] = None
        if returncode is None:  # stdin closed while a model ran: the runner is gone
            return 0
        channel.send({"returncode": returncode, "timed_out": timed_out})


def _run_child(job: dict, server: int, preload_stderr: bytes) -> None:
    """In the forked child: become the worker process the per-process design would have started, then exit."""
    code = 1
    try:
        os.setsid()  # its own process group: a timeout kills whatever the model started too
        _die_with_parent()
        if os.getppid() != server:  # the server died before the kernel was told to take this child with it
            os._exit(1)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        folder = job["folder"]
        os.chdir(folder)
        _redirect(0, os.devnull, os.O_RDONLY)  # the model cannot read the server's job stream
        _redirect(1, os.devnull, os.O_WRONLY)
        _redirect(2, os.path.join(folder, "stderr.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(os.dup(2), "wb") as stderr:  # what a fresh worker would have printed while importing
            stderr.write(preload_stderr)
        from modelgen.smoke import worker

        sys.argv = [worker.__file__, json.dumps(job["request"]), os.path.join(folder, "result.json")]
        code = worker.main(sys.argv[1:])
    except SystemExit as exit:  # what the interpreter would have exited with
        code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
        if not isinstance(exit.code, (int, type(None))):
            print(exit.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - printed, exit code 1: what an uncaught exception does
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)  # never return into the server's loop; no atexit handlers of the server


def _trial_fork() -> None:
    """Fork a child that exits at once: libraries that prepare for a fork stop their idle threads then (OpenBLAS,
    which numpy and scipy load, joins its thread pool and restarts it on first use, in the child that uses it)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def _wait(pid: int, timeout: float, channel: Channel) -> tuple[int | None, bool]:
    """The child's return code (negative: the signal that ended it) and whether it ran past `timeout`."""
    deadline = time.monotonic() + timeout
    pidfd = _pidfd(pid)
    timed_out = False
    try:
        while True:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                _kill_group(pid)  # what the model left running (the unreaped child keeps its group's id taken)
                return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), timed_out
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not timed_out:
                _kill_group(pid)
                timed_out = True
                continue
            if pidfd is not None:  # wakes when the child ends, the deadline passes or the runner goes
                readable, _, _ = select.select([channel.read_fd, pidfd], [], [], None if timed_out else remaining)
            else:
                readable, _, _ = select.select([channel.read_fd], [], [], POLL_S if timed_out
                                               else min(POLL_S, remaining))
            if channel.read_fd in readable and channel.at_end():
                _kill_group(pid)
                os.waitpid(pid, 0)
                return None, timed_out
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux 5.3+: poll instead
        return None


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    for kill in (os.killpg, os.kill):  # the group once the child has called setsid, else the child alone
        try:
            kill(pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            continue


def _die_with_parent() -> None:
    """Linux: the kernel kills this child if the server dies (a runner killed hard leaves no orphan running)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return


def _redirect(fd: int, path: str, flags: int) -> None:
    target = os.open(path, flags, 0o644)
    os.dup2(target, fd)
    os.close(target)


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


class Channel:
    """JSON lines over two raw file descriptors (no buffered reader whose buffer `select` cannot see)."""

    def __init__(self, read_fd: int, write_fd: int):
        self.read_fd, self.write_fd = read_fd, write_fd
        self._buffer = b""
        self._closed = False

    def send(self, message: dict) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.write_fd, data):]

    def receive(self, timeout: float | None) -> dict | None:
        """The next message; None at the end of the stream."""
        while b"\n" not in self._buffer:
            if self._closed:
                return None
            readable, _, _ = select.select([self.read_fd], [], [], timeout)
            if not readable:
                raise TimeoutError
            self._read()
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def at_end(self) -> bool:
        """After `select` said readable: read what is there; True once the other side has closed."""
        self._read()
        return self._closed

    def _read(self) -> None:
        chunk = os.read(self.read_fd, 65536)
        self._buffer += chunk
        self._closed = self._closed or not chunk


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], sys.argv[2]))
