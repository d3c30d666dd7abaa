"""Command line: parse options, call the library, render, map errors to exit codes.

Exit codes: ``errors.ExitCode``, shown by ``--help``. One module per kind of command:
``articles`` (summarize, detect, eval, backends), ``feeds`` (batch, digest); what they share
(options, error handling, standard output) is in ``options``.
"""

from __future__ import annotations

import gc

import click

from .. import __version__
from .articles import detect, eval_command, list_backends, summarize
from .feeds import batch_command, digest_command
from .options import EXIT_CODES_HELP, handle_errors, summary_options

__all__ = ["cli", "handle_errors", "main", "summary_options"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="summarizer")
def cli() -> None:
    """Short TL;DR bullets for news articles, in the article's own language."""


for _command in (summarize, detect, eval_command, batch_command, digest_command, list_backends):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="summarizer")
    finally:
        # The process ends here: the collection Python runs at exit would visit every object
        # (10-30 ms, the language profiles and caches of a batch above all) to free memory the
        # OS takes back anyway. Frozen objects are left out of it; files are already closed.
        gc.freeze()
