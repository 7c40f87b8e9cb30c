"""What a fix must not do: leave a file that does not parse, or add a name that is not defined.

A copy rewritten from its source can bring along a name that means nothing where the copy lives (`self`
inside a `@staticmethod`, a parameter the copy's own signature lacks). Ruff's F821 (undefined name) runs
once over the old and the new text of every rewritten file; a name undefined only in the new text stops
the fix before anything is written.
"""

from __future__ import annotations

import ast
import json
import subprocess
import tempfile
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.formatting import ruff_binary


def check_rewrites(rewrites: dict[Path, tuple[str, str]], relative) -> None:
    """Raise `ModelgenError` at `path:line` unless every new text parses and adds no undefined name.

    `rewrites`: path -> (old text, new text); `relative` names a path as findings do.
    """
    for path, (_, new) in rewrites.items():
        try:
            ast.parse(new)
        except SyntaxError as error:
            raise ModelgenError(
                f"a fix would leave the file unparsable ({error.msg}); nothing was written", relative(path), error.lineno
            ) from None
    if not rewrites:
        return
    paths = list(rewrites)
    undefined = _undefined_names([text for path in paths for text in rewrites[path]])
    for index, path in enumerate(paths):
        before, after = undefined[2 * index], undefined[2 * index + 1]
        known = {name for _, name in before}
        added = [(line, name) for line, name in after if name not in known]
        if added:
            line, name = added[0]
            raise ModelgenError(
                f"a fix would add the undefined name `{name}` (ruff F821); nothing was written", relative(path), line
            )


def _undefined_names(texts: list[str]) -> list[list[tuple[int, str]]]:
    """(line, name) of every F821 finding of each text, from one ruff process."""
    with tempfile.TemporaryDirectory(prefix="modelgen-safety-") as folder:
        files = [Path(folder) / f"text_{index}.py" for index in range(len(texts))]
        for file, text in zip(files, texts):
            file.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [ruff_binary(), "check", "--isolated", "--no-cache", "--select", "F821", "--output-format", "json",
             "--exit-zero", *map(str, files)],
            check=False, capture_output=True, text=True, cwd=folder,
        )
        if result.returncode != 0:
            raise ModelgenError(f"ruff check failed: {result.stderr.strip()[:300]}")
        found: dict[str, list[tuple[int, str]]] = {str(file): [] for file in files}
        for item in json.loads(result.stdout or "[]"):
            name = item["message"].split("`")[1] if "`" in item["message"] else item["message"]
            found[str(Path(item["filename"]))].append((item["location"]["row"], name))
        return [found[str(file)] for file in files]
