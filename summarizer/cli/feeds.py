"""The commands on many articles: batch (one record each) and digest (stories)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import ExitCode, UsageError, printable
from ..render import BATCH_FORMATS, DIGEST_FORMATS
from .options import (
    BULLET_OPTIONS,
    EXIT_CODES_HELP,
    JOBS_OPTION,
    SUMMARY_OPTIONS,
    batch_engines,
    finite,
    handle_errors,
    quiet_stdout,
    summary_options,
    with_options,
)


@click.command("batch", epilog=EXIT_CODES_HELP)
@click.argument("paths", metavar="PATH...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write every record to FILE (default: standard output).",
)
@click.option(
    "-d",
    "--output-dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Write one <name>.tldr.md (or .tldr.json) per input under DIR.",
)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(BATCH_FORMATS),
    help="jsonl, json (one array) or markdown (a digest). Default: from FILE's "
    "suffix, markdown with --output-dir, else jsonl.",
)
@JOBS_OPTION
@click.option(
    "--engine",
    type=click.Choice(batch_engines()),
    default="local",
    show_default=True,
    help="local: this machine's cores; ray: actors on Ray (pip install 'summarizer[ray]').",
)
@click.option(
    "--ray-address",
    metavar="ADDRESS",
    help="Ray cluster to join (e.g. 'auto', 'HOST:6379'; default: $RAY_ADDRESS, else a "
    "Ray instance started for the run).",
)
@click.option(
    "--actors",
    type=click.IntRange(min=1),
    metavar="N",
    help="Ray actors  [default: one per CPU, or per GPU for the transformers backend]",
)
@click.option(
    "--gpus-per-actor",
    type=click.FloatRange(min=0),
    metavar="G",
    help="GPUs each Ray actor asks for  [default: 1 for the transformers backend on a "
    "cluster with GPUs, else 0]",
)
@click.option(
    "--recursive/--no-recursive", default=True, show_default=True, help="Walk into sub-folders."
)
@click.option(
    "--glob",
    "pattern",
    metavar="PATTERN",
    help="Only files matching PATTERN in folders (e.g. '*.txt'; with a / it matches "
    "the path under the folder).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Keep the results already in the output; summarize only the rest.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=86400.0),  # a day: fetch.MAX_TIMEOUT
    callback=finite,
    default=20.0,
    show_default=True,
    help="Seconds allowed to fetch one URL (connection, headers and body).",
)
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Let URLs redirect to loopback, private and link-local addresses (refused by "
    "default: a hostile server could reach this machine's network).",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=5 * 1024 * 1024,
    show_default=True,
    help="Largest page fetched from a URL, in bytes.",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bar and no final report (failures are still listed).",
)
@with_options(BULLET_OPTIONS)
@with_options(SUMMARY_OPTIONS)
@handle_errors
def batch_command(
    paths: tuple[str, ...],
    output: str | None,
    output_dir: str | None,
    output_format: str | None,
    jobs: int | None,
    engine: str,
    ray_address: str | None,
    actors: int | None,
    gpus_per_actor: float | None,
    recursive: bool,
    pattern: str | None,
    resume: bool,
    timeout: float,
    allow_private_urls: bool,
    max_size: int,
    quiet: bool,
    **params: Any,
) -> None:
    """Summarize many articles: folders, files, JSONL (- for stdin), http(s) URLs.

    \b
    Folders are searched (recursively by default) for .txt .md .html .htm .json
    .jsonl files; each line of a JSONL file is a record {"id"?, "text", "title"?,
    "url"?, "language"?}. One record per input, in input order whatever --jobs is;
    bullets are objects with a "text" field. A bad input yields an error record
    ("error": "...") and a line on stderr; the run goes on.
    """
    from ..batch import batch as run_batch
    from ..batch import default_format, get_engine

    fmt = output_format or default_format(output, output_dir)
    options, backend_config = summary_options(params, fmt)
    ray_flags = {
        "--ray-address": ray_address,
        "--actors": actors,
        "--gpus-per-actor": gpus_per_actor,
    }
    if engine == "ray":
        if jobs is not None:
            raise UsageError("--jobs is for --engine local; with --engine ray, use --actors")
        runner = get_engine(
            engine, address=ray_address, actors=actors, gpus_per_actor=gpus_per_actor
        )
    else:
        for flag, value in ray_flags.items():
            if value is not None:
                raise UsageError(f"{flag} needs --engine ray")
        runner = get_engine(engine)
    show = sys.stderr.isatty() and not quiet
    import signal

    previous_handler = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        report = run_batch(
            paths,
            options,
            output=output,
            output_dir=output_dir,
            fmt=fmt,
            jobs=jobs,
            engine=runner,
            recursive=recursive,
            glob=pattern,
            resume=resume,
            progress=show,
            on_failure=lambda message: click.echo(f"error: {printable(message)}", err=True),
            fetch_timeout=timeout,
            fetch_max_bytes=max_size,
            allow_private=allow_private_urls,
            # A model backend generates for --batch-size articles at once: hand it that many.
            group_size=backend_config.get("batch_size"),
            **backend_config,
        )
    except BrokenPipeError:
        quiet_stdout()
        sys.exit(ExitCode.FAILURE)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM via _raise_terminated
        code = ExitCode.TERMINATED if isinstance(exc, _Terminated) else ExitCode.INTERRUPTED
        where = output_dir or output
        if where:
            hint = f"the records done are kept in {where}; rerun the same command with --resume"
        else:
            hint = "use --output FILE or --output-dir DIR to be able to --resume a run"
        click.echo(f"summarizer: interrupted; {printable(hint)}", err=True)
        sys.exit(code)
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
    if not quiet:
        click.echo(f"summarizer: {report.line()}", err=True)
    sys.exit(report.exit_code)


@click.command("digest", epilog=EXIT_CODES_HELP)
@click.argument("paths", metavar="PATH...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the digest to FILE (default: standard output).",
)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(DIGEST_FORMATS),
    help="html (one self-contained page), markdown or json. Default: from FILE's suffix, "
    "else html.",
)
@click.option(
    "-n",
    "--bullets",
    "story_bullets",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Bullets per story, chosen across its articles.",
)
@click.option(
    "--prefer-language",
    metavar="CODE",
    help="Bullets and headline in this language when a story has an article in it "
    "(default: the story's most common language).",
)
@click.option(
    "--window",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    help="Hours a story stays open after its latest article (0: no limit).",
)
@JOBS_OPTION
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bar (failures are still listed).",
)
# Every summarizing option but -n/--bullets, which here counts a story's bullets.
@with_options(SUMMARY_OPTIONS[1:])
@handle_errors
def digest_command(
    paths: tuple[str, ...],
    output: str | None,
    output_format: str | None,
    story_bullets: int,
    prefer_language: str | None,
    window: float,
    jobs: int | None,
    quiet: bool,
    **params: Any,
) -> None:
    """Group articles into stories across languages and write one digest.

    \b
    The same inputs as batch (folders, files, JSONL records, - for stdin, URLs).
    Articles that report the same event, in any language, become one story: a
    headline, bullets chosen across its articles without repeating a fact, its
    keywords and its sources. A JSONL record with a title but no text is a source
    without bullets. Inputs that cannot be read are listed at the end of the digest
    and on stderr.
    """
    from ..digests import digest, write

    # Keywords come from each whole article, in the workers that summarize it.
    options, backend_config = summary_options({**params, "bullets": 3, "keywords": True})
    fmt = output_format or ("markdown" if str(output).endswith((".md", ".markdown")) else
                            "json" if str(output).endswith(".json") else "html")  # fmt: skip
    result = digest(
        paths,
        options,
        bullets=story_bullets,
        prefer_language=prefer_language,
        window=window or None,
        jobs=jobs,
        progress=sys.stderr.isatty() and not quiet,
        on_failure=lambda message: click.echo(f"error: {message}", err=True),
        **backend_config,
    )
    text = write(result, fmt, output)
    if output is None:
        click.echo(text, nl=False)
    used = sum(len(story.sources) for story in result.stories)
    if not quiet:
        click.echo(
            f"summarizer: {len(result.stories)} stories from {used} articles, "
            f"{len(result.failures)} failed", err=True,
        )  # fmt: skip
    if result.failures:
        sys.exit(ExitCode.ALL_FAILED if used == 0 else ExitCode.FAILURE)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that a batch stops as cleanly as on Ctrl-C."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated
