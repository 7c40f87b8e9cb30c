"""The one exception type a command turns into a one-line message and a non-zero exit code."""

from __future__ import annotations

from pathlib import Path


class ModelgenError(Exception):
    """A problem with the user's input, reported as `path:line: message` without a traceback."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        location = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{location}: {self.message}"


class UsageError(ModelgenError):
    """A problem with the command line or the repository's settings: exit code 2."""
