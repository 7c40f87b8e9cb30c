"""Run the smoke worker once per model, in parallel processes, each with a timeout, and collect the results.

One subprocess per model keeps a crashing or hanging model from stopping the others and keeps the tree's
`src/` ahead of any installed copy of the package. The worker needs only the standard library and torch, so
`python` may be another interpreter (a venv matching the tree's version) that does not have modelgen
installed: PYTHONPATH points at the folder holding `modelgen/`.
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

DEFAULT_TIMEOUT = 300
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


def run_smoke(layout: RepoLayout, model_types: list[str], device: str = "cpu", jobs: int = 1,
              timeout: float = DEFAULT_TIMEOUT, overrides: dict[str, Any] | None = None,
              python: str | None = None, compare_devices: bool = False,
              progress: Callable[[int, int, ModelResult], None] | None = None,
              classes: list[str] | None = None, atol: float | None = None) -> list[ModelResult]:
    """Smoke-test `model_types` of the repository; results in the order of `model_types`.

    `device` is "cpu" or "cuda" (resolve "auto" with `resolve_device` first); `compare_devices` also runs each
    class on the CPU with the same weights and inputs. `python` is the worker interpreter (default: this one).
    """
    validate_model_types(layout, model_types)
    python = worker_interpreter(python)
    src = layout.package_dir.parent
    jobs = max(1, jobs)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    results: dict[str, ModelResult] = {}
    lock = threading.Lock()

    def one(model_type: str) -> ModelResult:
        request = {"src": str(src), "package": layout.package, "model_type": model_type, "device": device,
                   "compare_devices": compare_devices, "overrides": overrides or {}, "classes": classes}
        if atol is not None:  # the determinism and save/load tolerance (the checks' default otherwise)
            request["atol"] = atol
        return run_worker(request, timeout, python, threads)

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
        _kill_live_workers()  # workers run in their own sessions: nothing else would stop them
        raise
    pool.shutdown()
    return [results[model_type] for model_type in model_types]


_LIVE_WORKERS: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()


def _kill_live_workers() -> None:
    with _LIVE_LOCK:
        for process in list(_LIVE_WORKERS):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
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


def run_worker(request: dict[str, Any], timeout: float, python: str | None, threads: int = 1) -> ModelResult:
    """One worker process for one model; a timeout kills its whole process group."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(MODELGEN_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MODELGEN_SMOKE_THREADS", str(threads))
    env.setdefault("OMP_NUM_THREADS", str(threads))
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    with tempfile.TemporaryDirectory(prefix="modelgen-smoke-") as folder:
        result_path = Path(folder, "result.json")
        command = [python or sys.executable, "-m", "modelgen.smoke.worker", json.dumps(request), str(result_path)]
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        with _LIVE_LOCK:
            _LIVE_WORKERS.add(process)
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return ModelResult(request["model_type"], "fail", error=f"timeout: no result after {timeout:g} s",
                               seconds=float(timeout))
        finally:
            with _LIVE_LOCK:
                _LIVE_WORKERS.discard(process)
        if result_path.is_file():
            return ModelResult.from_worker(json.loads(result_path.read_text(encoding="utf-8")))
    last_lines = " | ".join(line.strip() for line in stderr.strip().splitlines()[-3:])
    return ModelResult(request["model_type"], "fail",
                       error=f"worker crashed (exit code {process.returncode}): {last_lines or 'no output'}")
