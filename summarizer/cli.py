"""Command line: parse options, call the library, render, map errors to exit codes.

Exit codes: ``errors.ExitCode``, shown by ``--help``.
"""

from __future__ import annotations

import functools
import gc
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from . import __version__, backends
from .errors import ExitCode, OutputError, SummarizerError, UsageError, printable
from .render import BATCH_FORMATS, DIGEST_FORMATS, FORMATS, render

if TYPE_CHECKING:
    from .models import Options


def _exit_codes_help() -> str:
    """The table of exit codes, at the end of `summarizer --help` and `batch --help`."""
    import textwrap

    rows = [
        textwrap.fill(
            code.meaning, 72, initial_indent=f"{code.value:<5}", subsequent_indent=" " * 5
        )
        for code in ExitCode
    ]
    return "\b\nExit codes:\n" + "\n".join(rows)


def batch_engines() -> tuple[str, ...]:
    """Engines of `summarizer batch` (registered in summarizer.batch.engines, imported lazily)."""
    return ("local", "ray")


EXIT_CODES_HELP = _exit_codes_help()

F = TypeVar("F", bound=Callable[..., Any])
# What click.option(...) returns: a decorator that adds one option to a command.
OptionDecorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def handle_errors(func: F) -> F:
    """Turn library errors into one line on stderr and the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .logs import setup_logging

        verbose = bool(kwargs.get("verbose"))
        setup_logging(verbose)
        try:
            return func(*args, **kwargs)
        except UsageError as exc:
            raise click.UsageError(str(exc)) from exc
        except SummarizerError as exc:
            if verbose:
                import traceback

                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(ExitCode.FAILURE)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line unless -v
            if verbose:
                import traceback

                traceback.print_exc()
            message = printable(f"unexpected {type(exc).__name__}: {exc}")
            click.echo(f"error: {message} (rerun with -v)", err=True)
            sys.exit(ExitCode.FAILURE)

    return wrapper  # type: ignore[return-value]


def _quiet_stdout() -> None:
    """The reader of standard output went away (`| head`): stop quietly. What is still
    buffered goes to /dev/null, so that Python's flush at exit raises no second error."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Refuse NaN, which passes every range check (all its comparisons are false)."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("nan is not a number of seconds", ctx, param)
    return value


# Options every summarizing command shares, in the order --help lists them.
SUMMARY_OPTIONS: list[OptionDecorator] = [
    click.option(
        "-n", "--bullets", type=click.IntRange(min=1), default=3, show_default=True,
        help="Number of TL;DR bullets.",
    ),
    click.option(
        "-l", "--language", metavar="CODE",
        help="ISO 639-1 code of the article's language; skips detection.",
    ),
    click.option(
        "--languages", metavar="CODES",
        help="Comma-separated ISO 639-1 codes detection may choose from (default: all).",
    ),
    click.option(
        "-b", "--backend", type=click.Choice(backends.available()),
        default=backends.DEFAULT_BACKEND, show_default=True,
        help="Summarization backend.",
    ),
    click.option(
        "--target-words", type=click.IntRange(min=0), default=30, show_default=True,
        help="Bullet length aimed at, in words: a longer sentence is cut after its last whole "
        "clause that fits, else kept whole (0: no target).",
    ),
    click.option(
        "--max-words", type=click.IntRange(min=0), default=60, show_default=True,
        help="Hard cap on a bullet's words: a longer one (a run-on) is cut at a word, "
        "with \"…\" (0: no cap).",
    ),
    click.option(
        "--model", metavar="ID_OR_PATH", envvar="SUMMARIZER_MODEL", show_envvar=True,
        help="Hugging Face model id or local folder (transformers backend).",
    ),
    click.option(
        "--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto",
        show_default=True, help="Where the model runs; auto: cuda, then mps, then cpu.",
    ),
    click.option(
        "--dtype", type=click.Choice(["auto", "float32", "bfloat16", "float16"]),
        default="auto", show_default=True,
        help="Model weights' type; auto: bfloat16 on GPUs that have it, float32 on CPU.",
    ),
    click.option(
        "--batch-size", type=click.IntRange(min=1), default=8, show_default=True,
        help="Texts the model generates for at once (halved on out-of-memory).",
    ),
    click.option(
        "--num-beams", type=click.IntRange(min=1),
        help="Beam search width (default: the model's own generation config).",
    ),
    click.option(
        "--max-input-tokens", type=click.IntRange(min=32),
        help="Longest model input, in tokens (default: the model's limit, at most 4096).",
    ),
    click.option(
        "--strict", is_flag=True,
        help="Drop generated bullets with a number or name not in the article; "
        "fill with extractive ones.",
    ),
    click.option(
        "--prompt-file", type=click.Path(dir_okay=False),
        help="Prompt template for chat and base models ({bullets} {language} {article}).",
    ),
    click.option(
        "--chat-template", type=click.Path(dir_okay=False),
        help="Jinja chat template file for a model that lacks one (else: a TL;DR: prompt).",
    ),
    click.option(
        "--gguf-file", metavar="NAME",
        help="Load this GGUF checkpoint from the --model folder (needs gguf, accelerate).",
    ),
    click.option(
        "--trust-remote-code", is_flag=True,
        help="Let the model run code from its repository (off unless given).",
    ),
    click.option("-v", "--verbose", is_flag=True, help="Log details; show tracebacks."),
]  # fmt: skip

# The headline and compression switches of the commands that print bullets.
BULLET_OPTIONS: list[OptionDecorator] = [
    click.option(
        "--headline/--no-headline", default=False, show_default=True,
        help="Put a one-line headline above the bullets.",
    ),
    click.option(
        "--compress/--no-compress", default=True, show_default=True,
        help="Delete connectives, fact-free attributions, asides and concessive clauses.",
    ),
    click.option(
        "--keywords/--no-keywords", default=False, show_default=True,
        help="Add 3-8 key phrases (JSON: a keywords field; Markdown: a line).",
    ),
]  # fmt: skip


def with_options(options: Sequence[OptionDecorator]) -> Callable[[F], F]:
    """Add a list of click options to a command, shown by --help in the list's order."""

    def decorate(func: F) -> F:
        command: Callable[..., Any] = func
        for option in reversed(options):
            command = option(command)
        return cast(F, command)

    return decorate


def summary_options(params: Mapping[str, Any]) -> tuple[Options, dict[str, Any]]:
    """The library's Options and the chosen backend's settings, from a command's parsed values.

    Called inside the command, so that its usage errors (a bad --language) meet handle_errors.
    A command without --compress or --headline gets the library's defaults.
    """
    from .pipeline import make_options

    options = make_options(
        bullets=params["bullets"],
        backend=params["backend"],
        language=params["language"],
        languages=params["languages"],
        target_words=params["target_words"],
        max_words=params["max_words"],
        compress=params.get("compress", True),
        headline=params.get("headline", False),
        keywords=params.get("keywords", False),
    )
    # Every backend's options are parsed; the chosen backend receives only its own.
    backend_config = backends.config_for(
        options.backend,
        model=params["model"],
        device=params["device"],
        batch_size=params["batch_size"],
        strict=params["strict"],
        prompt_file=params["prompt_file"],
        trust_remote_code=params["trust_remote_code"],
        dtype=params["dtype"],
        num_beams=params["num_beams"],
        max_input_tokens=params["max_input_tokens"],
        chat_template=params["chat_template"],
        gguf_file=params["gguf_file"],
    )
    return options, backend_config


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="summarizer")
def cli() -> None:
    """Short TL;DR bullets for news articles, in the article's own language."""


@cli.command()
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
    from .load import load_path, load_stdin
    from .logs import log
    from .pipeline import summarize_article

    options, backend_config = summary_options(params)
    article = load_stdin() if source == "-" else load_path(source)
    log.debug("loaded %s (%d characters)", article.source, len(article.text))
    summary = summarize_article(article, options, **backend_config)
    for warning in summary.warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    _write_stdout(render(summary, output_format))


def _write_stdout(text: str) -> None:
    """Write results to standard output; a full disk is an OutputError (a closed pipe is
    handled by handle_errors)."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()  # a full disk shows here, not in an ignored error at exit
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write standard output: {exc.strerror or exc}") from exc


@cli.command()
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
    from .errors import EmptyInputError
    from .language import parse_languages
    from .load import load_path, load_stdin
    from .models import UNDETERMINED, Language
    from .pipeline import detect_article
    from .render import language_line

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
            click.echo(f"error: {printable(source)}: {exc}", err=True)
            continue
        _write_stdout(language_line(source, found, output_format) + "\n")
    if failed:
        sys.exit(ExitCode.FAILURE)


@cli.command("eval")
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
    from .evaluate import evaluate, read_examples, render_table
    from .logs import log
    from .render import to_json

    options, backend_config = summary_options(params)
    examples = read_examples(data, limit)
    log.debug("evaluating %d records", len(examples))
    result = evaluate(examples, options, progress=_progress(len(examples)), **backend_config)
    click.echo(
        to_json(result.to_dict()) if output_format == "json" else render_table(result), nl=False
    )


def _progress(total: int) -> Callable[[Any], Any] | None:
    """A progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return lambda items: tqdm(items, total=total, unit="article", file=sys.stderr)


@cli.command("batch", epilog=EXIT_CODES_HELP)
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
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes  [default: the number of cores]",
)
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
    callback=_finite,
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
    from .batch import batch as run_batch
    from .batch import default_format, get_engine

    options, backend_config = summary_options(params)
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
            fmt=output_format or default_format(output, output_dir),
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
        _quiet_stdout()
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


@cli.command("digest", epilog=EXIT_CODES_HELP)
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
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes  [default: the number of cores]",
)
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
    from .digests import digest, write

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


@cli.command("backends")
def list_backends() -> None:
    """List the available backends."""
    for name, description in backends.describe().items():
        click.echo(f"{name}\t{description}")


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="summarizer")
    finally:
        # The process ends here: the collection Python runs at exit would visit every object
        # (10-30 ms, the language profiles and caches of a batch above all) to free memory the
        # OS takes back anyway. Frozen objects are left out of it; files are already closed.
        gc.freeze()
