"""`ruff format` as the formatter of generated and fixed code, with the target repository's settings.

Snippets are formatted in one ruff process per batch (not one process per snippet). An indented snippet
(a method) is wrapped in as many `class _:` headers as its indentation needs, so that ruff measures line
length with the real indentation, and unwrapped afterwards.
"""

from __future__ import annotations

import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.files import read_text
from modelgen.repo.settings import RepoSettings

_WRAPPER_INDENT = "    "


@lru_cache(maxsize=1)
def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


@lru_cache(maxsize=1)
def ruff_version() -> str:
    return subprocess.run([ruff_binary(), "--version"], capture_output=True, text=True, check=True).stdout.strip()


def _ruff_arguments(settings: RepoSettings) -> list[str]:
    if settings.pyproject is not None and "[tool.ruff" in read_text(settings.pyproject):
        return ["--config", str(settings.pyproject)]
    return ["--isolated", "--line-length", str(settings.line_length)]


def format_snippets(snippets: list[str], settings: RepoSettings) -> list[str]:
    """Format each snippet (a module, or a definition at any indentation) and return them in order."""
    if not snippets:
        return []
    wrapped = [_wrap(snippet) for snippet in snippets]
    with tempfile.TemporaryDirectory(prefix="modelgen-format-") as folder:
        paths = [Path(folder) / f"snippet_{index}.py" for index in range(len(wrapped))]
        for path, (text, _) in zip(paths, wrapped):
            path.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [ruff_binary(), "format", "--no-cache", *_ruff_arguments(settings), *map(str, paths)],
            capture_output=True,
            text=True,
            cwd=folder,
        )
        if result.returncode != 0:
            raise ModelgenError(f"ruff format failed: {_first_error_line(result.stderr)}")
        return [_unwrap(path.read_text(encoding="utf-8"), depth) for path, (_, depth) in zip(paths, wrapped)]


def format_module(text: str, settings: RepoSettings) -> str:
    return format_snippets([text], settings)[0]


def _wrap(snippet: str) -> tuple[str, int]:
    first_code_line = next((line for line in snippet.splitlines() if line.strip()), "")
    indent = len(first_code_line) - len(first_code_line.lstrip(" "))
    depth = indent // len(_WRAPPER_INDENT)
    headers = "".join(f"{_WRAPPER_INDENT * level}class _:\n" for level in range(depth))
    return headers + snippet, depth


def _unwrap(text: str, depth: int) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[depth:])


def _first_error_line(stderr: str) -> str:
    for line in stderr.splitlines():
        if line.strip():
            return line.strip()
    return "unknown error"




def fix_and_format_modules(texts: list[str], settings: RepoSettings, names: list[str] | None = None) -> list[str]:
    """`ruff check --fix` then `ruff format` on whole modules, in one ruff process per step for the batch.

    This is what a generated file goes through before it is written (the modular converter's formatting):
    the lint fixes of the repository's settings (import sorting, unused imports, pyupgrade) then the formatter.
    `names` gives each module its file name (per-file settings match on it).
    """
    if not texts:
        return []
    names = names or [f"module_{index}.py" for index in range(len(texts))]
    with tempfile.TemporaryDirectory(prefix="modelgen-fix-") as folder:
        paths = [Path(folder) / str(index) / name for index, name in enumerate(names)]
        for path, text in zip(paths, texts):
            path.parent.mkdir()
            path.write_text(text, encoding="utf-8")
        arguments = _ruff_arguments(settings)
        for step in (["check", "--fix", "--exit-zero", "--quiet"], ["format"]):
            result = subprocess.run(
                [ruff_binary(), *step, "--no-cache", *arguments, *map(str, paths)],
                capture_output=True,
                text=True,
                cwd=folder,
            )
            if result.returncode != 0 and step[0] == "format":
                raise ModelgenError(f"ruff format failed: {_first_error_line(result.stderr)}")
        return [path.read_text(encoding="utf-8") for path in paths]
