"""Logging for the command line: one printable line per message, on standard error.

Imported when a command runs, not for ``--help``.
"""

from __future__ import annotations

import logging
import sys

from .errors import printable

log = logging.getLogger("summarizer")


class OneLineFormatter(logging.Formatter):
    """Log messages name files: each is escaped to one printable line (tracebacks, for -v,
    keep their lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


def setup_logging(verbose: bool) -> None:
    """Warnings only, or everything with ``verbose``, as "summarizer: message" on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter("summarizer: %(message)s"))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        handlers=[handler],
        force=True,
    )
    # The HTML extractor's libraries log every page they give up on ("discarding data: None",
    # "lxml parsing failed"): noise next to our own one-line error, so only -v shows them.
    for name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.CRITICAL)
