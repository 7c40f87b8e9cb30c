"""The runner's side of the fork servers (`fork_server.py`): one server per job slot, started on first use,
restarted when it dies, and given up for plain per-model workers when it cannot start cleanly."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Callable

from modelgen.smoke.fork_server import Channel

REPLY_GRACE_S = 60  # past a model's timeout, how long a server may take to answer before it counts as stuck


class ForkServer:
    """One server process: `run` forks one child for one model and returns how the child ended."""

    def __init__(self, command: list[str], env: dict[str, str], track: Callable[[int, bool], None]):
        self.command, self.env, self.track = command, env, track
        self.process: subprocess.Popen | None = None
        self.channel: Channel | None = None
        self.folder = tempfile.mkdtemp(prefix="modelgen-fork-server-")  # its cwd, so sys.path[0] is empty
        self._closing = threading.Lock()  # a cancelled run closes it while its job thread may still be reading

    def start(self, ready_timeout: float) -> str | None:
        """None once the server has imported everything; else why it cannot serve."""
        self.process = subprocess.Popen(self.command, cwd=self.folder, env=self.env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        self.track(self.process.pid, True)
        self.channel = Channel(self.process.stdout.fileno(), self.process.stdin.fileno())
        try:
            ready = self.channel.receive(ready_timeout)
        except TimeoutError:
            ready = {"ready": False, "error": f"not ready after {ready_timeout:g} s"}
        if ready is None:
            ready = {"ready": False, "error": f"exited with {self.process.wait()}"}
        if not ready.get("ready"):
            self.close()
            return ready.get("error") or "not ready"
        return None

    def run(self, request: dict, folder: str, timeout: float) -> tuple[int | None, bool] | None:
        """(return code, timed out) of the child that smoke-tested `request` in `folder`; None if the server died."""
        try:
            self.channel.send({"request": request, "folder": folder, "timeout": timeout})
            started = self.channel.receive(REPLY_GRACE_S)
            if started is None or "pid" not in started:
                return self._died()
            child = started["pid"]
            self.track(child, True)
            try:
                ended = self.channel.receive(timeout + REPLY_GRACE_S)
            except TimeoutError:  # stuck: the model counts as past its timeout, the server is replaced
                _kill_group(child)
                self.close()
                return None, True
            finally:
                self.track(child, False)
        except TimeoutError:
            self.close()
            return None, True
        except OSError:  # the pipe broke: the server died
            return self._died()
        if ended is None or "returncode" not in ended:
            return self._died()
        return ended["returncode"], ended["timed_out"]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _died(self) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server (closing its stdin ends it; a stuck one is killed) and remove its folder."""
        with self._closing:
            self._close()

    def _close(self) -> None:
        if self.process is not None:
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _kill_group(self.process.pid)
                self.process.wait()
            self.track(self.process.pid, False)
            self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)


class ForkServers:
    """Idle servers for the runner's job threads: a thread takes one, runs one model, and gives it back."""

    def __init__(self, command: list[str], env: dict[str, str], track: Callable[[int, bool], None],
                 ready_timeout: float):
        self.command, self.env, self.track, self.ready_timeout = command, env, track, ready_timeout
        self._idle: queue.SimpleQueue[ForkServer] = queue.SimpleQueue()
        self._all: list[ForkServer] = []
        self._lock = threading.Lock()
        self.unavailable: str | None = None  # why no server could start: every model then runs the other way

    def run(self, request: dict, folder: str, timeout: float) -> tuple[int | None, bool] | None:
        """How the model's child ended, or None where it must run without a server."""
        server = self._take()
        if server is None:
            return None
        ended = server.run(request, folder, timeout)
        if server.alive:
            self._idle.put(server)
        return ended

    def _take(self) -> ForkServer | None:
        while True:
            try:
                server = self._idle.get_nowait()
            except queue.Empty:
                break
            if server.alive:
                return server
        if self.unavailable:
            return None
        server = ForkServer(self.command, self.env, self.track)
        with self._lock:
            self._all.append(server)
        problem = server.start(self.ready_timeout)
        if problem is not None:
            if not self.unavailable:
                warnings.warn(f"the fork server cannot start ({problem}): one fresh process per model instead",
                              RuntimeWarning, stacklevel=2)
            self.unavailable = problem
            return None
        return server

    def close(self) -> None:
        with self._lock:
            for server in self._all:
                server.close()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
