"""Every error the library raises on purpose derives from SummarizerError."""

from __future__ import annotations


class SummarizerError(Exception):
    """Base class: the message is one line a user can act on."""

    exit_code = 1


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

    exit_code = 2


class UnknownBackendError(UsageError):
    """No backend is registered under the requested name."""


class BackendError(SummarizerError):
    """A backend failed to produce a summary."""


class MissingDependencyError(BackendError):
    """An optional dependency needed by the requested feature is not installed."""
