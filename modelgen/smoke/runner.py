"""Run the smoke worker once per model, in parallel processes, each with a timeout, and collect the results.

One process per model keeps a crashing or hanging model from stopping the others and keeps the tree's
`src/` ahead of any installed copy of the package. Two ways to start it (`workers`): `spawn` starts a fresh
interpreter per model; `fork-server` forks it from a server that has imported torch and the tree's package
once (`fork_server.py`), so a model does not pay for those imports; both give the same results. The worker
needs only the standard library and torch, so `python` may be another interpreter (a venv matching the tree's
version) that does not have modelgen installed: PYTHONPATH points at the folder holding `modelgen/`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout
from modelgen.smoke.fork_client import ForkServers

DEFAULT_TIMEOUT = 300
WORKER_DESIGNS = ("spawn", "fork-server")
MODELGEN_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the `modelgen` package


@dataclass
class ModelResult:
    model_type: str
    status: str  # pass | fail | finding | skip (`verdicts.VERDICTS`)
    config: dict[str, Any] = field(default_factory=dict)
    classes: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    seconds: float | None = None
    usage_error: str | None = None  # a `--set` the config does not take: the user's error, not the model's

    @classmethod
    def from_worker(cls, data: dict[str, Any]) -> ModelResult:
        return cls(model_type=data["model_type"], status=data["status"], config=data.get("config") or {},
                   classes=data.get("classes") or [], error=data.get("error"), seconds=data.get("seconds"),
                   usage_error=data.get("usage_error"))

    def as_dict(self) -> dict[str, Any]:
        return {"model_type": self.model_type, "status": self.status, "config": self.config,
                "classes": self.classes, "error": self.error, "seconds": self.seconds}


def pytorch_model_types(layout: RepoLayout) -> list[str]:
    """Model types with a PyTorch modeling file (`modeling_*.py` that is not TensorFlow or Flax)."""
    return [model_type for model_type in layout.model_types if _has_pytorch_modeling(layout, model_type)]


def _has_pytorch_modeling(layout: RepoLayout, model_type: str) -> bool:
    return any(not path.stem.startswith(("modeling_tf_", "modeling_flax_"))
               for path in layout.model_dir(model_type).glob("modeling_*.py"))


def validate_model_types(layout: RepoLayout, model_types: list[str]) -> None:
    for model_type in model_types:
        if model_type not in layout.model_types:
            raise ModelgenError(f"unknown model type {model_type!r} (no folder with an __init__.py)",
                                layout.relative(layout.models_dir))
        if not _has_pytorch_modeling(layout, model_type):
            raise ModelgenError(f"model {model_type!r} has no PyTorch modeling file",
                                layout.relative(layout.model_dir(model_type)))


def worker_interpreter(python: str | None) -> str:
    """An absolute path (workers run in a temporary folder); symlinks kept, or a venv would lose itself."""
    if python is None:
        return sys.executable
    path = os.path.abspath(python)
    if not os.access(path, os.X_OK):
        raise ModelgenError("not an executable Python interpreter", python)
    return path


def cuda_available(python: str | None = None) -> bool:
    """Whether torch sees a CUDA device under the interpreter that runs the workers."""
    command = [worker_interpreter(python), "-c", "import torch; print(torch.cuda.is_available())"]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ModelgenError(f"cannot run the worker interpreter {command[0]}: {error}") from error
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelgenError(f"torch cannot be imported by {command[0]}: {last}")
    return completed.stdout.strip() == "True"


def resolve_device(device: str, compare_devices: bool, python: str | None = None) -> str:
    """cpu | cuda | auto -> cpu or cuda; a clear error where CUDA is asked for and missing."""
    if device == "cpu" and not compare_devices:
        return "cpu"
    has_cuda = cuda_available(python)
    if device == "auto":
        device = "cuda" if has_cuda else "cpu"
    if (device == "cuda" or compare_devices) and not has_cuda:
        wanted = "--compare-devices" if compare_devices else "--device cuda"
        raise ModelgenError(f"{wanted} needs a CUDA GPU, and torch under {python or sys.executable} sees none")
    if compare_devices and device == "cpu":
        device = "cuda"
    return device


def default_workers(device: str = "cpu") -> str:
    """fork-server on Linux on the CPU; spawn elsewhere: CUDA cannot be used in a forked child once its parent
    has touched it, and on macOS system libraries are not safe to use after a fork (why Python spawns there)."""
    return "fork-server" if hasattr(os, "fork") and sys.platform.startswith("linux") and device == "cpu" else "spawn"


def check_workers(workers: str, device: str) -> None:
    if workers not in WORKER_DESIGNS:
        raise ModelgenError(f"unknown worker design {workers!r} (one of {', '.join(WORKER_DESIGNS)})")
    if workers == "fork-server" and not hasattr(os, "fork"):
        raise ModelgenError("--workers fork-server needs os.fork, which this platform lacks; use --workers spawn")
    if workers == "fork-server" and device != "cpu":
        raise ModelgenError("--workers fork-server runs on the CPU only (CUDA does not survive a fork); "
                            "use --workers spawn")


def run_smoke(layout: RepoLayout, model_types: list[str], device: str = "cpu", jobs: int = 1,
              timeout: float = DEFAULT_TIMEOUT, overrides: dict[str, Any] | None = None,
              python: str | None = None, compare_devices: bool = False,
              progress: Callable[[int, int, ModelResult], None] | None = None,
              classes: list[str] | None = None, atol: float | None = None,
              workers: str | None = None) -> list[ModelResult]:
    """Smoke-test `model_types` of the repository; results in the order of `model_types`.

    `device` is "cpu" or "cuda" (resolve "auto" with `resolve_device` first); `compare_devices` also runs each
    class on the CPU with the same weights and inputs. `python` is the worker interpreter (default: this one).
    `workers` is "spawn" or "fork-server" (default: `default_workers`).
    """
    validate_model_types(layout, model_types)
    workers = workers or default_workers(device)
    check_workers(workers, device)
    python = worker_interpreter(python)
    src = layout.package_dir.parent
    jobs = max(1, jobs)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    results: dict[str, ModelResult] = {}
    lock = threading.Lock()
    groups = _ProcessGroups()
    servers = None
    if workers == "fork-server":
        command = [python, "-m", "modelgen.smoke.fork_server", str(src), layout.package]
        servers = ForkServers(command, _worker_env(threads), groups.track, ready_timeout=max(timeout, 120))

    def one(model_type: str) -> ModelResult:
        request = {"src": str(src), "package": layout.package, "model_type": model_type, "device": device,
                   "compare_devices": compare_devices, "overrides": overrides or {}, "classes": classes}
        if atol is not None:  # the determinism and save/load tolerance (the checks' default otherwise)
            request["atol"] = atol
        if servers is not None and not groups.cancelled:
            with tempfile.TemporaryDirectory(prefix="modelgen-smoke-") as folder:
                ended = servers.run(request, folder, timeout)
                if ended is not None:  # else no server could serve it: a worker of its own
                    return _ended_worker_result(model_type, Path(folder), *ended, timeout)
        if groups.cancelled:  # the run is being cancelled: start nothing more
            return ModelResult(model_type, "fail", error="cancelled")
        return run_worker(request, timeout, python, threads, groups)

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        with _terminate_as_interrupt():
            futures = {pool.submit(one, model_type): model_type for model_type in model_types}
            for future in as_completed(futures):
                result = future.result()
                with lock:
                    results[futures[future]] = result
                    if progress is not None:
                        progress(len(results), len(model_types), result)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        groups.cancel()  # workers run in their own sessions: nothing else would stop them
        raise
    finally:
        if servers is not None:
            servers.close()
    pool.shutdown()
    return [results[model_type] for model_type in model_types]


class _ProcessGroups:
    """The process groups of one run's workers and fork servers; once cancelled, a new one is killed at once."""

    def __init__(self):
        self._groups: set[int] = set()
        self._lock = threading.Lock()
        self.cancelled = False

    def track(self, pgid: int, alive: bool) -> None:
        with self._lock:
            if alive and self.cancelled:  # started just as the run was cancelled
                _kill_group(pgid)
            elif alive:
                self._groups.add(pgid)
            else:
                self._groups.discard(pgid)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            for pgid in self._groups:
                _kill_group(pgid)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a CI job cancelled) unwinds like Ctrl-C, so the workers get killed on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _worker_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(MODELGEN_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MODELGEN_SMOKE_THREADS", str(threads))
    env.setdefault("OMP_NUM_THREADS", str(threads))
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def run_worker(request: dict[str, Any], timeout: float, python: str | None, threads: int = 1,
               groups: _ProcessGroups | None = None) -> ModelResult:
    """One fresh worker process for one model; a timeout kills its whole process group."""
    groups = groups or _ProcessGroups()
    with tempfile.TemporaryDirectory(prefix="modelgen-smoke-") as folder:
        command = [python or sys.executable, "-m", "modelgen.smoke.worker", json.dumps(request),
                   str(Path(folder, "result.json"))]
        with open(Path(folder, "stderr.txt"), "wb") as stderr:
            process = subprocess.Popen(command, cwd=folder, env=_worker_env(threads), stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        groups.track(process.pid, True)
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(process.pid)  # past its timeout, or what the model left running
            process.wait()
            groups.track(process.pid, False)
        return _ended_worker_result(request["model_type"], Path(folder), process.returncode, timed_out, timeout)


def _ended_worker_result(model_type: str, folder: Path, returncode: int | None, timed_out: bool,
                         timeout: float) -> ModelResult:
    """The result a worker wrote in `folder`, or why it wrote none (the same for both worker designs)."""
    if timed_out:
        return ModelResult(model_type, "fail", error=f"timeout: no result after {timeout:g} s", seconds=float(timeout))
    result_path = folder / "result.json"
    if result_path.is_file():
        return ModelResult.from_worker(json.loads(result_path.read_text(encoding="utf-8")))
    stderr_path = folder / "stderr.txt"
    stderr = stderr_path.read_text(encoding="utf-8", errors="replace") if stderr_path.is_file() else ""
    last_lines = " | ".join(line.strip() for line in stderr.strip().splitlines()[-3:])
    return ModelResult(model_type, "fail",
                       error=f"worker crashed (exit code {returncode}): {last_lines or 'no output'}")
