"""What the commands share: their options, the error handling that turns library errors into
one line and an exit code, and writing to standard output."""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from .. import backends
from ..errors import ExitCode, OutputError, SummarizerError, UsageError, printable

if TYPE_CHECKING:
    from ..models import Options


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
        from ..logs import setup_logging

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
            quiet_stdout()
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


def quiet_stdout() -> None:
    """The reader of standard output went away (`| head`): stop quietly. What is still
    buffered goes to /dev/null, so that Python's flush at exit raises no second error."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
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

# batch and digest: how many processes summarize (a model backend runs one model per machine).
JOBS_OPTION: OptionDecorator = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), metavar="N",
    help="Worker processes  [default: the number of cores; 1 for the transformers backend]",
)  # fmt: skip


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
        "--keywords/--no-keywords", default=None,
        help="3-8 key phrases of each article: a keywords field in JSON and JSONL (there by "
        "default), a line in text and Markdown (only with --keywords).",
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


def summary_options(
    params: Mapping[str, Any], output_format: str | None = None
) -> tuple[Options, dict[str, Any]]:
    """The library's Options and the chosen backend's settings, from a command's parsed values.

    Called inside the command, so that its usage errors (a bad --language) meet handle_errors.
    A command without --compress or --headline gets the library's defaults. Keywords, unless
    --keywords or --no-keywords says otherwise, are in JSON and JSONL output only: a record's
    field, where a reader of text or Markdown asked for bullets.
    """
    keywords = params.get("keywords")
    if keywords is None:
        keywords = output_format in ("json", "jsonl")
    from ..pipeline import make_options

    options = make_options(
        bullets=params["bullets"],
        backend=params["backend"],
        language=params["language"],
        languages=params["languages"],
        target_words=params["target_words"],
        max_words=params["max_words"],
        compress=params.get("compress", True),
        headline=params.get("headline", False),
        keywords=keywords,
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


def write_stdout(text: str) -> None:
    """Write results to standard output; a full disk is an OutputError (a closed pipe is
    handled by handle_errors)."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()  # a full disk shows here, not in an ignored error at exit
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write standard output: {exc.strerror or exc}") from exc


def progress_bar(total: int) -> Callable[[Any], Any] | None:
    """A progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return lambda items: tqdm(items, total=total, unit="article", file=sys.stderr)
