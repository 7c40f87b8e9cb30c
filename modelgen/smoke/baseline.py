"""A baseline of accepted smoke verdicts, so a whole tree can gate CI on `smoke --all` from day one.

`--write-baseline FILE` records every non-pass verdict of the run, keyed by (model, class, check, kind); with
`--baseline FILE` only verdicts outside it make the run fail, and entries of models that ran and now pass are
listed, so the file can shrink. Models a run did not cover (another `--shard`) never count as fixed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from modelgen.changeset import write_atomic
from modelgen.errors import ModelgenError
from modelgen.smoke.runner import ModelResult
from modelgen.smoke.verdicts import entry_key, verdict_entries

FORMAT_VERSION = 1
_FIELDS = ("model", "class", "check", "kind", "verdict")


def result_entries(results: Sequence[ModelResult]) -> list[dict]:
    return [entry for result in results
            for entry in verdict_entries(result.model_type, result.status, result.classes, result.error)]


def write_baseline(path: Path, results: Sequence[ModelResult]) -> None:
    entries = sorted(({name: entry[name] for name in _FIELDS} for entry in result_entries(results)),
                     key=entry_key)
    write_atomic(path, json.dumps({"smoke_baseline": FORMAT_VERSION, "entries": entries}, indent=1) + "\n")


def read_baseline(path: Path) -> dict[tuple[str, str, str, str], dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ModelgenError(f"cannot read the baseline: {error.strerror}", path) from None
    except ValueError as error:
        raise ModelgenError(f"the baseline is not JSON: {error}", path) from None
    if not isinstance(data, dict) or data.get("smoke_baseline") != FORMAT_VERSION or not isinstance(
            data.get("entries"), list):
        raise ModelgenError(f"not a modelgen smoke baseline (version {FORMAT_VERSION})", path)
    entries = {}
    for entry in data["entries"]:
        if not (isinstance(entry, dict) and all(isinstance(entry.get(name), str) for name in ("model", "class", "check"))
                and isinstance(entry.get("kind"), (str, type(None)))):
            raise ModelgenError(f"malformed baseline entry: {entry!r}", path)
        entries[entry_key(entry)] = entry
    return entries


def compare_with_baseline(results: Sequence[ModelResult], baseline: dict) -> tuple[list[dict], list[dict]]:
    """(new entries: verdicts the baseline does not hold, fixed: baseline entries of models that ran and now pass
    that check)."""
    current = result_entries(results)
    new = [entry for entry in current if entry_key(entry) not in baseline]
    ran = {result.model_type for result in results}
    seen = {entry_key(entry) for entry in current}
    fixed = [entry for key, entry in sorted(baseline.items()) if entry["model"] in ran and key not in seen]
    return new, fixed
