"""The `summarizer` command's entry point: Ctrl-C while the CLI is still loading ends quietly."""

from __future__ import annotations

import sys

from .errors import ExitCode


def main() -> None:
    """Load the CLI and run it; an interrupt during the load is one line, not a traceback."""
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
    run()
