"""Output safety: what a run checks and holds before it writes a single byte.

- ``lock_output``: one run at a time per output. A second run on the same ``--output`` or
  ``--output-dir`` fails at once, before it truncates or cleans anything.
- ``same_file_as_input``: an output that is an input under another name (a hard link, a
  symlink) would be truncated while it is read; compared by device and inode.
- ``is_regular_output``: a device, a FIFO or a symlink to one is written through, never
  replaced by a rename (which would turn ``/dev/null`` or a pipe into a plain file).
- ``remove_stale_temps``: temporary files of an atomic write cut short by a SIGKILL.
- ``make_folders``: creates an output's folders one by one, refusing a symlink on the way,
  so that a planted link never makes ``mkdir`` create folders outside the output folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError, OutputError, UsageError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, runs are not serialised
    fcntl = None  # type: ignore[assignment]

# mkstemp's names: the prefix atomic_write gives, eight random characters, the suffix.
_TEMP_TAIL = r"\.[a-z0-9_]{8}\.tmp"


class OutputLock:
    """An exclusive advisory lock on an output file, held until ``release`` or exit."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        self.also: OutputLock | None = None  # a second file locked with this one

    def release(self) -> None:
        """Let the next run in."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
        if self.also is not None:
            self.also.release()


def lock_output(path: Path, where: str, *, create: bool = True) -> OutputLock:
    """Lock ``path`` (created empty if missing and ``create``, never truncated), or fail at
    once if another run holds it. ``where`` is what the error names (the user's output)."""
    if fcntl is None:
        return OutputLock(None)
    flags = os.O_RDWR | getattr(os, "O_CLOEXEC", 0) | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:
        if create:
            raise
        return OutputLock(None)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise OutputError(
                f"{where} is being written by another summarizer run; wait for it to finish "
                "(or give another output)"
            ) from exc
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            return OutputLock(None)  # a file system without locks (some network mounts)
        raise
    return OutputLock(fd)


def is_regular_output(path: Path) -> bool:
    """Whether ``path`` is missing or (through symlinks) a regular file: what a rename may
    replace. A device, a FIFO, a socket or ``/dev/stdout`` must be written through."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return True  # a dangling link, a permission problem: the write will say so


def same_file_as_input(outputs: Iterable[Path], inputs: Iterable[str]) -> None:
    """UsageError when an existing output is one of the input files (same device and inode)."""
    identities: dict[tuple[int, int], Path] = {}
    for output in outputs:
        with contextlib.suppress(OSError):
            info = os.stat(output)
            if stat.S_ISREG(info.st_mode):
                identities[(info.st_dev, info.st_ino)] = output
    if not identities:
        return
    for path in dict.fromkeys(inputs):  # a feed's records share one path: stat it once
        try:
            info = os.stat(path)
        except OSError:
            continue
        same = identities.get((info.st_dev, info.st_ino))
        if same is not None:
            raise UsageError(
                f"{same} is the same file as the input {path} (a hard or symbolic link); "
                "write the results to another file"
            )


def remove_stale_temps(folder: Path, names: str, *, recursive: bool = False) -> int:
    """Delete temporary files an interrupted atomic write left in ``folder`` (and below):
    ``.<name>.<8 random characters>.tmp`` where ``<name>`` matches the regex ``names``."""
    pattern = re.compile(rf"\.(?:{names}){_TEMP_TAIL}")
    removed = 0
    for entry in _entries(folder, recursive):
        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


def _entries(folder: Path, recursive: bool) -> Iterator[os.DirEntry[str]]:
    """Entries under ``folder``, without following symlinks, with a stack (no recursion: a
    tree thousands of levels deep is walked like any other)."""
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as scan:
                entries = list(scan)
        except OSError:
            continue
        for entry in entries:
            yield entry
            if recursive and entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)


def make_folders(root: Path, relative: Path) -> None:
    """Create ``root / relative`` folder by folder; InputError if a part is a symlink (or not
    a folder): nothing is ever created through a link planted inside ``root``."""
    current = root
    for part in relative.parts:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):  # made meanwhile: checked below
                os.mkdir(current)
            info = os.lstat(current)
        if stat.S_ISLNK(info.st_mode):
            raise InputError(f"refusing to write outside {root}: {current} is a symlink")
        if not stat.S_ISDIR(info.st_mode):
            raise InputError(f"cannot write under {current}: it is not a folder")
