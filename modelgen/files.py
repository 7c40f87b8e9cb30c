"""The one way modelgen reads the files of a tree: regular files only, UTF-8 only, a problem per file.

A FIFO, a device, a socket or a link that leaves the repository is skipped with a note (`skipped=True`):
reading it could block forever or never end. A dangling link, a link loop, a vanished or unreadable file,
a binary file and a file that is not UTF-8 are errors for that file only: the caller reports the
`FileProblem` and goes on with the other files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from modelgen.errors import ModelgenError

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


class FileProblem(ModelgenError):
    """A file that cannot be read as text; `skipped`: a special file passed over on purpose (a note)."""

    def __init__(self, message: str, path: Path | str, line: int | None = None, skipped: bool = False):
        super().__init__(message, path, line)
        self.skipped = skipped


def check_regular(path: Path, root: Path | None = None) -> None:
    """Raise `FileProblem` unless `path` is (or links, inside `root`, to) a regular file."""
    try:
        is_link = path.is_symlink()
        status = path.stat()
    except FileNotFoundError:
        raise FileProblem("a dangling link" if is_link else "vanished (no such file)", path) from None
    except OSError as error:
        raise FileProblem(f"cannot be read: {error.strerror or error}", path) from None
    if is_link and root is not None and not _inside(path, root):
        raise FileProblem("skipped: a link to outside the repository", path, skipped=True)
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "a special file")
        raise FileProblem(f"skipped: {kind}, not a regular file", path, skipped=True)


def read_bytes(path: Path, root: Path | None = None) -> bytes:
    check_regular(path, root)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO swapped in after the check never blocks
    except FileNotFoundError:
        raise FileProblem("vanished (no such file)", path) from None
    except OSError as error:
        raise FileProblem(f"cannot be read: {error.strerror or error}", path) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise FileProblem("skipped: not a regular file", path, skipped=True)
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read()
    except OSError as error:
        raise FileProblem(f"cannot be read: {error.strerror or error}", path) from None
    finally:
        os.close(descriptor)


def decode(data: bytes, path: Path | str) -> str:
    """UTF-8 text, or a `FileProblem` at the line of the first byte that is not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FileProblem(f"not UTF-8 (byte 0x{data[error.start]:02x})", path, line) from None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise FileProblem("a binary file (a NUL byte), not text", path, line)
    return text


def read_text(path: Path, root: Path | None = None) -> str:
    return decode(read_bytes(path, root), path)


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False
