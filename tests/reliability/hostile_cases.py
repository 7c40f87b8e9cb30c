"""The hostile-input corpus of issue 14: each case builds a scratch fixture tree, runs one modelgen command
as a user would (`python -m modelgen`) and judges the outcome.

A case passes when the command exits with the expected code within the time limit, prints no traceback,
prints its problem on one line (the expected text), and changes no file (or, for the `--fix` cases that
must write, keeps the metadata it must keep). `run_case` returns "ok" or what went wrong, so the same
corpus drives the tests (`test_hostile_inputs.py`) and the before/after table (`scripts/reliability_table.py`,
which runs it against another checkout of modelgen).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TIME_LIMIT_S = 60
BERT = "src/transformers/models/bert/modeling_bert.py"
ROBERTA = "src/transformers/models/roberta/modeling_roberta.py"
MISTRAL = "src/transformers/models/mistral/modeling_mistral.py"
LINT_MODEL = "src/transformers/models/brand_new_bert/modeling_brand_new_bert.py"
LATIN1_LINE = b"import torch  # caf\xe9\n"
INJECTION = 'a/b"; import os; os.system("id") #'


@dataclass
class Run:
    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str


@dataclass
class Case:
    name: str
    issue_item: str
    fixture: str
    argv: Callable[[Path], list[str]]
    exit_code: int | tuple[int, ...]
    expect: str = ""  # text that must appear in the output (stderr + stdout)
    setup: Callable[[Path, Path], None] = lambda root, scratch: None
    environment: Callable[[Path, Path], dict[str, str]] = lambda root, scratch: {}
    writes: bool = False  # the command must write (a --fix); `check` judges the result
    check: Callable[[Path, Run, Path], str | None] = lambda root, run, scratch: None
    one_line_error: bool = True  # exactly one `error:` line when the exit code is not 0
    needs: str = ""  # "non-root": the case means nothing as root
    notes: list[str] = field(default_factory=list)


_ACTIVE: dict[str, str | None] = {"python": sys.executable, "pythonpath": None}  # the modelgen under test


def _modelgen(argv: list[str], scratch: Path) -> None:
    """Run the modelgen under test during a case's set-up (to fill its cache, or fix the tree first)."""
    environment = {**os.environ, "MODELGEN_CACHE_DIR": str(scratch / "cache")}
    if _ACTIVE["pythonpath"] is not None:
        environment["PYTHONPATH"] = _ACTIVE["pythonpath"]
    subprocess.run([_ACTIVE["python"], "-m", "modelgen", *argv], env=environment, capture_output=True, check=False,
                   cwd=scratch)  # not this checkout's folder: `-m` would import its modelgen first


def run_case(case: Case, python: str = sys.executable, pythonpath: str | None = None) -> str:
    """'ok', or what went wrong (for a table: 'traceback', 'exit 1 (want 2)', 'hang', ...)."""
    if case.needs == "non-root" and os.geteuid() == 0:
        return "n/a as root"
    _ACTIVE.update(python=python, pythonpath=pythonpath)
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        scratch = Path(folder)
        root = scratch / "repo"
        shutil.copytree(FIXTURES / case.fixture, root, symlinks=True)
        case.setup(root, scratch)
        before = _snapshot(root)
        environment = {**os.environ, "MODELGEN_CACHE_DIR": str(scratch / "cache"), **case.environment(root, scratch)}
        if pythonpath is not None:
            environment["PYTHONPATH"] = pythonpath
        try:
            result = subprocess.run([python, "-m", "modelgen", *case.argv(root)], cwd=root, env=environment,
                                    capture_output=True, text=True, timeout=TIME_LIMIT_S, errors="replace",
                                    check=False)
            run = Run(result.returncode, result.stdout, result.stderr)
        except subprocess.TimeoutExpired:
            return f"hang (> {TIME_LIMIT_S} s)"
        finally:
            _unfreeze(root)
        output = run.stderr + run.stdout
        if "Traceback" in output:
            last = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
            return f"traceback ({last[:70]})"
        wanted = case.exit_code if isinstance(case.exit_code, tuple) else (case.exit_code,)
        if run.returncode not in wanted:
            first = next((line for line in run.stderr.splitlines() if line.startswith("error")), "")
            return f"exit {run.returncode} (want {'/'.join(map(str, wanted))}) {first[:70]}".rstrip()
        if case.expect and case.expect not in output:
            return f"message missing ({_first_line(run)[:70]})"
        errors = [line for line in run.stderr.splitlines() if line.lower().startswith("error:")]
        if case.one_line_error and run.returncode not in (0, 1) and len(errors) != 1:
            return f"{len(errors)} error lines"
        problem = case.check(root, run, scratch)
        if problem:
            return problem
        if not case.writes and _snapshot(root) != before:
            return "files changed"
        return "ok"


def _first_line(run: Run) -> str:
    lines = (run.stderr + run.stdout).strip().splitlines()
    return lines[-1] if lines else ""


def _snapshot(root: Path) -> dict[str, tuple]:
    entries = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        for name in files:
            path = Path(folder, name)
            status = path.lstat()
            content = path.read_bytes() if stat.S_ISREG(status.st_mode) else os.readlink(path) if path.is_symlink() else ""
            entries[str(path.relative_to(root))] = (status.st_mode, status.st_uid, content)
        for name in subfolders:
            entries[str(Path(folder, name).relative_to(root)) + "/"] = ()
    return entries


def _unfreeze(root: Path) -> None:
    for path in root.rglob("*.py"):
        if not path.is_symlink() and path.is_file():
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)


# ----------------------------------------------------------------------------- setups
def _write(relative: str, data: bytes | str) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())

    return setup


def _append_pyproject(text: str) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        path = root / "pyproject.toml"
        path.write_text((path.read_text() if path.exists() else "") + "\n" + text)

    return setup


def _latin1_in(relative: str) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        path = root / relative
        path.write_bytes(path.read_bytes().replace(b"import torch\n", LATIN1_LINE, 1))

    return setup


def _marker_with(replacement: str, long_line: bool = False) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        copy = root / ROBERTA
        marker = "# Copied from transformers.models.bert.modeling_bert.BertSelfOutput\n"
        copy.write_text(copy.read_text().replace(marker, marker.rstrip("\n") + f" with {replacement}\n", 1))
        if long_line:
            source = root / BERT
            header = "class BertSelfOutput(nn.Module):\n"
            source.write_text(source.read_text().replace(header, header + "    " + "a" * 3000 + " = 1\n", 1))

    return setup


def _link(relative: str, target: str) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        os.symlink(target, root / relative)

    return setup


def _fifo(relative: str) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        os.mkfifo(root / relative)

    return setup


def _chmod(relative: str, mode: int) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        (root / relative).chmod(mode)

    return setup


def _chown(relative: str) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        os.chown(root / relative, 65534, 65534)

    return setup


def _hard_link(relative: str) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        os.link(root / relative, scratch / "second_name.py")

    return setup


def _immutable(relative: str) -> Callable[[Path, Path], None]:
    def setup(root: Path, scratch: Path) -> None:
        subprocess.run(["chattr", "+i", str(root / relative)], check=True, capture_output=True)

    return setup


def _old_tree_then(edit: Callable[[Path], None]) -> Callable[[Path, Path], None]:
    """Files older than the cache's racy margin, a clean cached state, then `edit` (the case's own change)."""

    def setup(root: Path, scratch: Path) -> None:
        old = os.stat(root).st_mtime - 3600
        for path in root.rglob("*.py"):
            os.utime(path, (old, old))
        _modelgen(["check-copies", "--fix", "--repo", str(root)], scratch)
        _modelgen(["check-copies", "--repo", str(root)], scratch)
        edit(root)

    return setup


def _same_size_edit(root: Path) -> None:
    copy = root / ROBERTA
    status = copy.stat()
    text = copy.read_text()
    copy.write_text(text.replace("self.dropout(hidden_states)", "self.dropout(hidden_stateZ)", 1))
    os.utime(copy, ns=(status.st_atime_ns, status.st_mtime_ns))  # `touch -r`


def _wrong_typed_cache(root: Path, scratch: Path) -> None:
    _modelgen(["check-copies", "--repo", str(root)], scratch)
    for cache_file in (scratch / "cache").rglob("*.json"):
        entries = json.loads(cache_file.read_text())
        cache_file.write_text(json.dumps({key: {"line": "x", "replacements": 5} for key in entries}))


def _blocker(root: Path, scratch: Path) -> None:
    (scratch / "blocker").write_text("a file where the cache folder should be")


def _copy_of_lint_source(root: Path, scratch: Path) -> None:
    source = (root / LINT_MODEL).read_text()
    block = source[source.index("class BrandNewBertLayer") : source.index("class BrandNewBertPreTrainedModel")]
    folder = root / "src/transformers/models/other"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "modeling_other.py").write_text(
        "import torch\nfrom torch import nn\n\n\n"
        "# Copied from transformers.models.brand_new_bert.modeling_brand_new_bert.BrandNewBertLayer with BrandNewBert->Other\n"
        + block.replace("BrandNewBert", "Other").rstrip() + "\n"
    )


# ----------------------------------------------------------------------------- checks
def _findings_printed(root: Path, run: Run, scratch: Path) -> str | None:
    return None if "drifted" in run.stdout else "no findings printed"


def _unchanged(relative: str) -> Callable[[Path, Run, Path], str | None]:
    """The latin-1 file is left as it was (the other drifted files may be fixed)."""

    def check(root: Path, run: Run, scratch: Path) -> str | None:
        original = (FIXTURES / "copies_drift" / relative).read_bytes().replace(b"import torch\n", LATIN1_LINE, 1)
        return None if (root / relative).read_bytes() == original else f"{relative} was written"

    return check


def _fixed_with(keep: str) -> Callable[[Path, Run, Path], str | None]:
    def check(root: Path, run: Run, scratch: Path) -> str | None:
        path = root / MISTRAL
        if path.read_bytes() == (FIXTURES / "copies_drift" / MISTRAL).read_bytes():
            return "not fixed"
        status = path.stat()
        if keep == "owner" and (status.st_uid, status.st_gid) != (65534, 65534):
            return f"owner became {status.st_uid}:{status.st_gid}"
        if keep == "hard link" and (status.st_nlink != 2 or (scratch / "second_name.py").read_bytes() != path.read_bytes()):
            return "hard link broken"
        return None

    return check


def _no_finding_in(relative: str) -> Callable[[Path, Run, Path], str | None]:
    def check(root: Path, run: Run, scratch: Path) -> str | None:
        return f"a finding in {relative}" if relative in run.stdout else None

    return check


def _created(folder: str) -> Callable[[Path, Run, Path], str | None]:
    """`new` went on and wrote the new model's package."""

    def check(root: Path, run: Run, scratch: Path) -> str | None:
        package = root / "src" / "transformers" / "models" / folder
        return None if (package / f"modeling_{folder}.py").is_file() else f"no models/{folder}/ written"

    return check


def _nothing_written(root: Path, run: Run, scratch: Path) -> str | None:
    original = (FIXTURES / "copies_drift" / MISTRAL).read_bytes()
    return None if (root / MISTRAL).read_bytes() == original else "the refused file was written"


def _check(root: Path) -> list[str]:
    return ["check-copies", "--repo", str(root)]


def _fix(root: Path) -> list[str]:
    return ["check-copies", "--fix", "--repo", str(root)]


def _new(*extra: str) -> Callable[[Path], list[str]]:
    return lambda root: ["new", "--like", "bert", "--name", "Foo", *extra, "--repo", str(root)]


CASES = [
    # 2. inputs that reach generated code
    Case("checkpoint injects code", "2", "new_mini", _new("--checkpoint", INJECTION), 2, "not a Hub repository id"),
    Case("checkpoint with a space", "2", "new_mini", _new("--checkpoint", "org/my model"), 2, "not a Hub repository id"),
    Case("--name Bërt (not ASCII)", "2", "new_mini",
         lambda root: ["new", "--like", "bert", "--name", "Bërt", "--repo", str(root)], 2, "ASCII"),
    # 3. the cache
    Case("cache folder is a file", "3", "copies_drift", _check, 1, "warning: the result cache", setup=_blocker,
         environment=lambda root, scratch: {"MODELGEN_CACHE_DIR": str(scratch / "blocker")}, check=_findings_printed),
    Case("cache folder below a file", "3", "copies_drift", _check, 1, "warning: the result cache", setup=_blocker,
         environment=lambda root, scratch: {"MODELGEN_CACHE_DIR": str(scratch / "blocker/sub")}, check=_findings_printed),
    Case("cache JSON of wrong types", "3", "copies_drift", _check, 1, "drifted", setup=_wrong_typed_cache,
         check=_findings_printed),
    Case("same-size edit, mtime restored", "3", "copies_drift", _check, 1, "modeling_roberta.py:25: copy of",
         setup=_old_tree_then(_same_size_edit)),
    # 4. encodings and settings
    Case("latin-1 byte in a copy --fix repairs", "4", "copies_drift", _fix, 1, "modeling_mistral.py:1: not UTF-8",
         setup=_latin1_in(MISTRAL), writes=True, check=_unchanged(MISTRAL)),
    Case("latin-1 byte in the modeling file of --like", "4", "new_mini", _new(), 1, "not UTF-8",
         setup=_latin1_in(BERT)),
    Case("latin-1 pyproject.toml", "4", "copies_drift", _check, 2, "pyproject.toml:",
         setup=_write("pyproject.toml", b"[tool.ruff]\n# caf\xe9\nline-length = 119\n")),
    Case("[tool.modelgen] package = 5", "4", "copies_drift", _check, 2, "tool.modelgen.package",
         setup=_append_pyproject("[tool.modelgen]\npackage = 5\n")),
    Case('[tool.modelgen] src = ["a"]', "4", "copies_drift", _check, 2, "tool.modelgen.src",
         setup=_append_pyproject('[tool.modelgen]\nsrc = ["a"]\n')),
    Case("[tool] modelgen = 5", "4", "copies_drift", _check, 2, "tool.modelgen must be a table",
         setup=_write("pyproject.toml", "[tool]\nmodelgen = 5\n")),
    Case('[tool.ruff] line-length = "abc"', "4", "copies_drift", _check, 2, "tool.ruff.line-length",
         setup=_write("pyproject.toml", '[tool.ruff]\nline-length = "abc"\n')),
    Case("invalid TOML", "9", "copies_drift", _check, 2, "invalid TOML", setup=_write("pyproject.toml", "[tool\n")),
    Case("[tool.modelgen] lint = 5", "9", "lint_basic", lambda root: ["lint", "--repo", str(root)], 2,
         "tool.modelgen.lint", setup=_append_pyproject("[tool.modelgen]\nlint = 5\n")),
    Case("--repo FILE", "9", "copies_drift", lambda root: ["check-copies", "--repo", str(root / "pyproject.toml")], 2),
    Case("--repo MISSING", "9", "copies_drift", lambda root: ["check-copies", "--repo", str(root / "missing")], 2,
         "no such folder"),
    # 5. regular expressions
    Case("marker (\\w|\\w|\\w)*!->X", "5", "copies_drift", _check, 1, setup=_marker_with("(\\w|\\w|\\w)*!->X")),
    Case("marker (a|aa)+c->X on a long line", "5", "copies_drift", _check, 1,
         "modeling_roberta.py:25: replacement not applied", setup=_marker_with("(a|aa)+c->X", long_line=True)),
    # 6. special files
    Case("zero.py -> /dev/zero", "6", "copies_drift", _check, 1, "zero.py:1: note: skipped",
         setup=_link("src/transformers/models/bert/zero.py", "/dev/zero"), check=_findings_printed),
    Case("FIFO named fifo.py", "6", "copies_drift", _check, 1, "fifo.py:1: note: skipped: a FIFO",
         setup=_fifo("src/transformers/models/bert/fifo.py"), check=_findings_printed),
    Case("dangling symlink", "6", "copies_drift", _check, 1, "gone.py:1: a dangling link",
         setup=_link("src/transformers/models/bert/gone.py", "nowhere.py"), check=_findings_printed),
    Case("symlink loop", "6", "copies_drift", _check, 1, "loop.py:1: cannot be read",
         setup=_link("src/transformers/models/bert/loop.py", "loop.py"), check=_findings_printed),
    Case("unreadable file", "6", "copies_drift", _check, 1, "cannot be read", setup=_chmod(BERT, 0),
         needs="non-root"),
    Case("lint: FIFO modeling file", "6", "lint_basic", lambda root: ["lint", "--repo", str(root)], 1,
         "note: skipped: a FIFO", setup=_fifo("src/transformers/models/brand_new_bert/modeling_fifo.py")),
    Case("new: FIFO beside the modules of --like", "6", "new_mini", _new(), 0, "bert/fifo.py: skipped: a FIFO",
         setup=_fifo("src/transformers/models/bert/fifo.py"), writes=True, check=_created("foo")),
    Case("lint: dangling modeling file", "6", "lint_basic", lambda root: ["lint", "--repo", str(root)], 1,
         "modeling_gone.py:1:1: MG000", setup=_link("src/transformers/models/brand_new_bert/modeling_gone.py", "x")),
    # 7. --fix and metadata
    Case("--fix on a mode-444 file", "7", "copies_drift", _fix, 1, "modeling_mistral.py: the file is read-only",
         setup=_chmod(MISTRAL, 0o444), check=_nothing_written),
    Case("--fix on an immutable file", "7", "copies_drift", _fix, 1, "modeling_mistral.py: the file is immutable",
         setup=_immutable(MISTRAL), check=_nothing_written),
    Case("--fix keeps another user's owner", "7", "copies_drift", _fix, 0, setup=_chown(MISTRAL), writes=True,
         check=_fixed_with("owner")),
    Case("--fix keeps a hard link", "7", "copies_drift", _fix, 0, setup=_hard_link(MISTRAL), writes=True,
         check=_fixed_with("hard link")),
    Case("lint --fix on a mode-444 file", "7", "lint_basic",
         lambda root: ["lint", "--fix", "--select", "MG106", "--repo", str(root)], 1, "the file is read-only",
         setup=_chmod(LINT_MODEL, 0o444)),
    # 9. smaller items
    Case("binary .py with a marker", "9", "copies_drift", _check, 1, "binary.py:2: a binary file",
         setup=_write("src/transformers/models/bert/binary.py",
                      b"import torch\n\x00\x01\n# Copied from transformers.models.bert.modeling_bert.BertPooler\n")),
    Case("# Copied from inside a docstring", "9", "copies_drift", _check, 1,
         setup=_write("src/transformers/models/bert/prose.py",
                      '"""How to copy:\n\n# Copied from transformers.models.bert.modeling_bert.BertPooler\n'
                      'class Example:\n"""\n'),
         check=_no_finding_in("prose.py")),
    Case("a blocked check names the fix", "9", "copies_drift", _check, 1, "modelgen check-copies --fix"),
    Case("lint --fix of a copy's source", "9", "lint_basic",
         lambda root: ["lint", "--fix", "--select", "MG106", "--repo", str(root), str(root / LINT_MODEL)], 0,
         "`modelgen check-copies --fix` repairs them", setup=_copy_of_lint_source, writes=True),
]
