"""The commands on single articles: summarize, detect, eval, backends."""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import backends
from ..errors import ExitCode, SummarizerError, UsageError, about, printable
from ..render import FORMATS, render
from .options import (
    BULLET_OPTIONS,
    SUMMARY_OPTIONS,
    handle_errors,
    progress_bar,
    summary_options,
    with_options,
    write_stdout,
)


@click.command()
@click.argument("source", metavar="INPUT")
@click.option(
    "-f", "--format", "output_format", type=click.Choice(FORMATS), default="text",
    show_default=True, help="Output format.",
)  # fmt: skip
@with_options(BULLET_OPTIONS)
@with_options(SUMMARY_OPTIONS)
@handle_errors
def summarize(source: str, output_format: str, **params: Any) -> None:
    """Summarize one article: a .txt, .md, .html or one-record .json file, or - for stdin."""
    from ..load import load_path, load_stdin
    from ..logs import log
    from ..pipeline import summarize_article

    options, backend_config = summary_options(params, output_format)
    article = load_stdin() if source == "-" else load_path(source)
    log.debug("loaded %s (%d characters)", article.source, len(article.text))
    summary = summarize_article(article, options, **backend_config)
    for warning in summary.warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    write_stdout(render(summary, output_format))


@click.command()
@click.argument("sources", metavar="PATH...", nargs=-1, required=True)
@click.option(
    "-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text",
    show_default=True, help="text: tab-separated PATH, code, confidence, shares; json: JSON Lines.",
)  # fmt: skip
@click.option(
    "--languages", metavar="CODES",
    help="Comma-separated ISO 639-1 codes detection may choose from (default: all).",
)  # fmt: skip
@click.option("-v", "--verbose", is_flag=True, help="Log details; show tracebacks.")
@handle_errors
def detect(
    sources: tuple[str, ...], output_format: str, languages: str | None, verbose: bool
) -> None:
    """Detect the language of articles (files, or - for stdin); shares for mixed documents.

    \b
    Prints "und" when the language cannot be told with confidence (empty input included).
    Exit code 1 when some input could not be read (the others are still reported).
    """
    from ..errors import EmptyInputError
    from ..language import parse_languages
    from ..load import load_path, load_stdin
    from ..models import UNDETERMINED, Language
    from ..pipeline import detect_article
    from ..render import language_line

    candidates = parse_languages(languages)
    failed = 0
    for source in sources:
        try:
            article = load_stdin() if source == "-" else load_path(source)
            found = detect_article(article, candidates)
        except EmptyInputError:
            found = Language(UNDETERMINED, 0.0)  # nothing to read is no language, not a failure
        except SummarizerError as exc:
            if isinstance(exc, UsageError):
                raise
            failed += 1
            click.echo(f"error: {about(source, str(exc))}", err=True)
            continue
        write_stdout(language_line(source, found, output_format) + "\n")
    if failed:
        sys.exit(ExitCode.FAILURE)


@click.command("eval")
@click.argument("data", metavar="DATA.jsonl", type=click.Path(dir_okay=False))
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="K",
    help="Evaluate the first K records only.",
)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--compress/--no-compress",
    default=True,
    show_default=True,
    help="Compress the backend's bullets (LEAD-k is always the sentences as written).",
)
@with_options(SUMMARY_OPTIONS)
@handle_errors
def eval_command(data: str, limit: int | None, output_format: str, **params: Any) -> None:
    """ROUGE-1/2/L F1 of a backend and of LEAD-k on records {"text", "summary", "title"?}.

    Tokens are lower-cased Unicode word runs (\\w+), with no stemming, so every language is
    scored alike. Scores are means over records, in percent.
    """
    from ..evaluate import evaluate, read_examples, render_table
    from ..logs import log
    from ..render import to_json

    options, backend_config = summary_options(params)
    examples = read_examples(data, limit)
    log.debug("evaluating %d records", len(examples))
    result = evaluate(examples, options, progress=progress_bar(len(examples)), **backend_config)
    click.echo(
        to_json(result.to_dict()) if output_format == "json" else render_table(result), nl=False
    )


@click.command("backends")
def list_backends() -> None:
    """List the available backends."""
    for name, description in backends.describe().items():
        click.echo(f"{name}\t{description}")
