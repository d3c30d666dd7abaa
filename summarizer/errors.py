"""Every error the library raises on purpose derives from SummarizerError.

Messages name files and quote servers, and both can hold anything: an escape sequence that
retitles the terminal, a newline that splits one error into two. ``printable`` makes any such
string one printable line, and every SummarizerError's message goes through it.

``ExitCode`` is the one table of the command's exit codes; each error class carries its own.
"""

from __future__ import annotations

import enum
import re


class ExitCode(enum.IntEnum):
    """Exit codes of the `summarizer` command: the one table the CLI, batch and the docs use."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    ALL_FAILED = 3
    INTERRUPTED = 130  # 128 + SIGINT, as shells report it
    TERMINATED = 143  # 128 + SIGTERM

    @property
    def meaning(self) -> str:
        """What the code tells, in the words of ``--help`` and the README."""
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "success (batch, digest: no input failed)",
    ExitCode.FAILURE: (
        "failure: missing, unreadable, undecodable or empty input, a backend error, "
        "or the output cannot be written; batch, digest: some inputs failed"
    ),
    ExitCode.USAGE: "usage error: bad option, unknown backend or format",
    ExitCode.ALL_FAILED: "batch, digest: every input failed",
    ExitCode.INTERRUPTED: (
        "interrupted (Ctrl-C); batch keeps what was done: the same command with --resume "
        "finishes the run"
    ),
    ExitCode.TERMINATED: "terminated (SIGTERM); batch keeps what was done, as on Ctrl-C",
}

# C0 and C1 controls, DEL, lone surrogates (undecodable bytes of a file name), line and
# paragraph separators, and the bidirectional overrides that make text display reversed.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` as one printable line: control characters and the like become ``\\xNN``."""
    return _UNPRINTABLE.sub(_escape, text)


def about(source: str, message: str) -> str:
    """``message`` as a line about ``source``: prefixed with its name unless it already starts
    with it (as written, or escaped as a SummarizerError's message is), then made printable."""
    if message.startswith((source, printable(source))):
        return printable(message)
    return printable(f"{source}: {message}")


class SummarizerError(Exception):
    """Base class: the message is one line a user can act on (made printable here)."""

    exit_code = ExitCode.FAILURE

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (printable(args[0]), *args[1:])
        super().__init__(*args)


class InputError(SummarizerError):
    """The input cannot be read, decoded or parsed."""


class EmptyInputError(InputError):
    """The input holds no text to summarize."""


class DecodeError(InputError):
    """The input's bytes are not text in any encoding we accept."""


class OutputError(SummarizerError):
    """The results cannot be written (disk full, read-only or missing folder, no permission)."""


class UsageError(SummarizerError):
    """The caller asked for something that cannot work (bad option, unknown backend)."""

    exit_code = ExitCode.USAGE


class UnknownBackendError(UsageError):
    """No backend is registered under the requested name."""


class BackendError(SummarizerError):
    """A backend failed to produce a summary."""


class MissingDependencyError(BackendError):
    """An optional dependency needed by the requested feature is not installed."""
