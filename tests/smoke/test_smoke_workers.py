"""How smoke workers start: models forked from a pre-imported server are as isolated as fresh processes."""

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from unittest import mock

import pytest

from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout
from modelgen.smoke.fork_client import ForkServers
from modelgen.smoke.runner import check_workers, default_workers, run_smoke

ISOLATION_ORDER = ["crashes", "hangs", "sets_globals", "hogs_memory", "checks_globals"]  # one server, in this order


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.fixture(scope="module")
def isolation(tmp_path_factory):
    """The misbehaving models of `fixtures/smoke_isolation`, one after the other through one fork server."""
    import shutil

    repo = tmp_path_factory.mktemp("isolation") / "smoke_isolation"
    shutil.copytree(Path(__file__).resolve().parents[2] / "fixtures" / "smoke_isolation", repo)
    pid_file = repo.parent / "pids"
    with mock.patch.dict(os.environ, {"ISOLIB_PID_FILE": str(pid_file)}), warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a server that cannot start would hide behind fresh processes
        results = run_smoke(RepoLayout.discover(repo), ISOLATION_ORDER, jobs=1, timeout=20, workers="fork-server")
    return {result.model_type: result for result in results}, pid_file, repo


def test_a_crash_is_reported_as_the_fresh_process_design_reports_it(isolation):
    results, _, _ = isolation
    assert results["crashes"].status == "fail"
    assert results["crashes"].error.startswith(f"worker crashed (exit code -{int(signal.SIGSEGV)})")


def test_a_hang_is_killed_at_its_timeout_with_the_process_it_started(isolation):
    results, pid_file, _ = isolation
    assert results["hangs"].error == "timeout: no result after 20 s"
    [(child, sleeper)] = [map(int, line.split()) for line in pid_file.read_text().splitlines()]
    time.sleep(0.5)
    assert not _alive(child) and not _alive(sleeper)


def test_models_after_a_crash_a_hang_and_import_side_effects_see_none_of_them(isolation):
    results, _, _ = isolation
    assert results["sets_globals"].status == "pass", results["sets_globals"].error
    assert results["checks_globals"].status == "pass", results["checks_globals"].error  # it fails on any leak


def test_memory_a_model_keeps_goes_with_its_process(isolation):
    results, _, _ = isolation
    hog = max(entry["memory_mb"] for entry in results["hogs_memory"].classes)
    after = max(entry["memory_mb"] for entry in results["checks_globals"].classes)
    assert hog - after > 200  # the hog keeps 300 MB; the model after it starts from the server's memory


def test_the_leak_fixture_fails_where_two_models_share_a_process(isolation):
    """What the isolation tests rely on: `checks_globals` does fail after `sets_globals` in the same process."""
    _, _, repo = isolation
    script = ("import json, sys\nfrom modelgen.smoke.worker import smoke_model\n"
              "request = {'src': sys.argv[1], 'package': 'isolib', 'device': 'cpu'}\n"
              "smoke_model({**request, 'model_type': 'sets_globals'})\n"
              "print(json.dumps(smoke_model({**request, 'model_type': 'checks_globals'})))\n")
    completed = subprocess.run([sys.executable, "-c", script, str(repo / "src")], capture_output=True, text=True,
                               timeout=300, check=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["status"] == "fail"
    assert "default dtype torch.float64" in result["error"] and "small.LEAKED = 'sets_globals'" in result["error"]


def test_cancelling_a_fork_server_run_kills_the_running_model_and_what_it_started(fixture_tree, tmp_path):
    repo = fixture_tree("smoke_isolation")
    pid_file = tmp_path / "pids"
    script = ("import sys\nfrom pathlib import Path\nfrom modelgen.repo import RepoLayout\n"
              "from modelgen.smoke.runner import run_smoke\n"
              f"run_smoke(RepoLayout.discover(Path({str(repo)!r})), ['hangs'], workers='fork-server')\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.DEVNULL,
                              env={**os.environ, "ISOLIB_PID_FILE": str(pid_file)})
    deadline = time.time() + 240
    while time.time() < deadline and not (pid_file.is_file() and pid_file.read_text().strip()):
        time.sleep(0.2)
    parent.send_signal(signal.SIGTERM)
    parent.wait(timeout=30)
    time.sleep(0.5)
    pids = [int(pid) for pid in pid_file.read_text().split()]
    servers = [path.parent.name for path in Path("/proc").glob("[0-9]*/cmdline") if _reads(path, str(repo))]
    assert len(pids) == 2 and not any(_alive(pid) for pid in pids) and not servers


def _reads(cmdline: Path, text: str) -> bool:
    try:
        command = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return b"modelgen.smoke.fork_server" in command and any(text.encode() in part for part in command)


def test_a_server_that_cannot_import_the_tree_hands_its_models_to_fresh_processes(tmp_path):
    refusing = [sys.executable, "-c", "print('{\"ready\": false, \"error\": \"ImportError: no torch\"}')"]
    servers = ForkServers(refusing, dict(os.environ), lambda pgid, alive: None, ready_timeout=60)
    with pytest.warns(RuntimeWarning, match="one fresh process per model"):
        assert servers.run({"model_type": "any"}, str(tmp_path), timeout=10) is None
    assert servers.unavailable == "ImportError: no torch"
    servers.close()


def test_worker_designs_and_their_defaults():
    assert default_workers("cuda") == "spawn"
    assert default_workers("cpu") == ("fork-server" if sys.platform.startswith("linux") else "spawn")
    check_workers("spawn", "cuda")
    with pytest.raises(ModelgenError, match="CPU only"):
        check_workers("fork-server", "cuda")
    with pytest.raises(ModelgenError, match="unknown worker design"):
        check_workers("forkserver", "cpu")


@pytest.mark.real_tree
def test_both_designs_give_identical_results_on_real_models():
    """A passing and a failing 4.46.3 model: same verdicts and errors, whichever way they start (one round of
    two jobs each; `benchmarks/smoke_zoo.py --compare-workers` compares whole samples)."""
    from modelgen.trees import pristine_tree

    layout = RepoLayout.discover(pristine_tree("4.46.3"))
    models = ["vit", "patchtsmixer"]
    spawned, forked = (run_smoke(layout, models, jobs=2, workers=design) for design in ("spawn", "fork-server"))
    assert len({result.status for result in forked}) > 1  # not only passes
    for a, b in zip(spawned, forked):
        assert (a.status, a.error, a.config) == (b.status, b.error, b.config)
        assert [(c["name"], c["status"], c.get("failed_checks"), c.get("error")) for c in a.classes] == \
            [(c["name"], c["status"], c.get("failed_checks"), c.get("error")) for c in b.classes]


def test_the_command_line_takes_the_two_designs_only(fixture_tree):
    command = [sys.executable, "-m", "modelgen", "smoke", "--repo", str(fixture_tree("smoke_isolation")),
               "--workers", "threads", "crashes"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 2 and "'threads' is not one of 'spawn', 'fork-server'" in completed.stderr
