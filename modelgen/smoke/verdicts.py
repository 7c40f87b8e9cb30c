"""The verdicts a smoke run gives, their order, and the finding kinds a maintainer acts on differently.

`fail`: the model is broken (build, forward, NaN or overflow, save/load losing keys or changing outputs, dropout
active in eval, a forward that differs with no random call to explain it). `finding`: behaviour that transformers
knowingly accepts but a maintainer should know of, with one of `FINDING_KINDS`. `skip`: not checked, with the
reason. A model's verdict is its worst class's.

Standard library only: the smoke worker imports this under the target tree's interpreter.
"""

from __future__ import annotations

from collections.abc import Iterable

VERDICTS = ("pass", "skip", "finding", "fail")  # best to worst
FINDING_KINDS = {
    "init:no-post-init": "the class never calls post_init(), so _init_weights never runs for its own layers",
    "init:ineffective": "_init_weights runs but writes a tensor that is not the parameter (nothing changes)",
    "init:framework-default": "parameters left at PyTorch's default initialisation (on purpose or by omission)",
    "random-in-eval": "random calls in an eval-mode forward make two identical calls differ",
}


def worst(verdicts: Iterable[str]) -> str:
    """The worst of `verdicts` ("pass" for none)."""
    return max(verdicts, key=VERDICTS.index, default="pass")


def is_blocking(verdict: str, strict: bool = False) -> bool:
    """Whether a verdict makes the run exit 1: a fail always, a finding only under `--strict`."""
    return verdict == "fail" or (strict and verdict == "finding")


def verdict_entries(model_type: str, status: str, classes: list[dict], error: str | None) -> list[dict]:
    """Every non-pass verdict of one model as {model, class, check, kind, verdict, message}: one per failed check,
    per finding and per skip of each class; one for the model where it failed or was skipped before any class
    (import, config, timeout, crash: the check is the error's leading word)."""
    entries = []
    for entry in classes:
        name = entry.get("name", "-")
        base = {"model": model_type, "class": name}
        for check in entry.get("failed_checks") or []:
            entries.append({**base, "check": check, "kind": None, "verdict": "fail",
                            "message": _part(entry.get("error"), f"{check}:")})
        for finding in entry.get("findings") or []:
            entries.append({**base, "check": finding["check"], "kind": finding["kind"], "verdict": "finding",
                            "message": finding["message"]})
        if entry.get("status") == "skip" or entry.get("skip_reason"):
            entries.append({**base, "check": "skip", "kind": None, "verdict": "skip",
                            "message": entry.get("skip_reason") or entry.get("error") or ""})
        elif entry.get("status") == "fail" and not entry.get("failed_checks"):
            entries.append({**base, "check": "fail", "kind": None, "verdict": "fail", "message": entry.get("error")})
    if not classes and status != "pass":
        check = (error or status).split(":", 1)[0].split()[0] if (error or "").strip() else status
        entries.append({"model": model_type, "class": "-", "check": check, "kind": None, "verdict": status,
                        "message": error or ""})
    return entries


def entry_key(entry: dict) -> tuple[str, str, str, str]:
    return (entry["model"], entry["class"], entry["check"], entry.get("kind") or "")


def _part(error: str | None, prefix: str) -> str:
    """The `check: message` part of a class's joined error text that belongs to one check."""
    for part in (error or "").split("; "):
        if part.startswith(prefix):
            return part[len(prefix):].strip()
    return error or ""
