"""The ``arazzo`` command.

Exit codes:

- 0: the workflow succeeded (or the document is valid).
- 1: the workflow failed (or, for ``validate``, the document has errors).
- 2: the command line, the document or the inputs are invalid, and no
  request was sent.
- 130: Ctrl-C interrupted the command; 143: SIGTERM stopped ``run``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from arazzo_runner.errors import (
    ArazzoError,
    InputError,
    RunInterrupted,
    ValidationError,
)

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
# 128 + SIGINT, what shells report for a command stopped with Ctrl-C.
EXIT_INTERRUPTED = 130
# 128 + SIGTERM.
EXIT_TERMINATED = 143


def _interruptible(command: Callable[..., None]) -> Callable[..., None]:
    """Make Ctrl-C end ``command`` with exit code 130 and one line on stderr,
    in place of click's "Aborted!" and exit code 1, which reads as a failed
    workflow."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except KeyboardInterrupt:
            _echo_err("error: interrupted")
            sys.exit(EXIT_INTERRUPTED)

    return wrapper


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[list[bool]]:
    """Treat SIGTERM (a CI job cancelled, ``kill``) like Ctrl-C while the
    block runs, so that the run still reports what it had done. The yielded
    list gets one item when SIGTERM arrived."""
    terminated: list[bool] = []

    def handle(signum: int, frame: object) -> None:
        terminated.append(True)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handle)
    except ValueError:
        # Only the main thread may set signal handlers.
        yield terminated
        return
    try:
        yield terminated
    finally:
        signal.signal(signal.SIGTERM, previous)


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def _fail(message: str, hint: str | None = None) -> NoReturn:
    _echo_err(f"error: {message}")
    if hint:
        _echo_err(f"hint: {hint}")
    sys.exit(EXIT_INVALID)


class _LowerCaseLevelFormatter(logging.Formatter):
    """Prints ``warning: ...`` like the rest of the command's messages."""

    def format(self, record: logging.LogRecord) -> str:
        record.levelname = record.levelname.lower()
        return super().format(record)


def _setup_logging(verbose: int) -> None:
    level = (
        logging.WARNING
        if verbose == 0
        else logging.INFO
        if verbose == 1
        else logging.DEBUG
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LowerCaseLevelFormatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger("arazzo_runner")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def _pairs(values: tuple[str, ...], option: str, what: str) -> dict[str, str]:
    """Split ``NAME=VALUE`` option values into a mapping.

    Raises:
        InputError: a value has no ``=``, no name or no value.
    """
    result = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            raise InputError(
                f"{option} {value!r} is not {what}", hint=f"write {option} {what}"
            )
        result[name] = rest
    return result


# Findings about command-line options rather than about the document.
_OPTION_CODES = frozenset({"unknown-server-source", "unknown-source-override"})


def _option_errors(diagnostics: list[Any]) -> list[str]:
    """Return the messages of the errors, when every error is about an option."""
    errors = [d for d in diagnostics if getattr(d, "severity", None) == "error"]
    if errors and all(getattr(d, "code", None) in _OPTION_CODES for d in errors):
        return [f"{d.message} ({d.hint})" if d.hint else str(d.message) for d in errors]
    return []


class _Seconds(click.FloatRange):
    """A number of seconds of at least 0: a ``FloatRange`` that also rejects
    NaN, which passes its comparisons, and infinity unless ``infinite_ok``."""

    def __init__(self, *, min_open: bool = False, infinite_ok: bool = False) -> None:
        super().__init__(min=0, min_open=min_open)
        self.infinite_ok = infinite_ok

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number of seconds.", param, ctx)
        if math.isinf(number) and not self.infinite_ok:
            self.fail(f"{value!r} is not a finite number of seconds.", param, ctx)
        return number


class _DocumentPath(click.types.StringParamType):
    """A document given as a file path or an ``http(s)`` URL, kept as text.

    ``click.Path`` would turn a URL into a ``pathlib.Path``, which collapses
    the ``//`` after the scheme.
    """

    name = "document"

    def __init__(self, *, dir_okay: bool = False) -> None:
        self.dir_okay = dir_okay

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        from arazzo_runner.document.sources import is_remote

        text = str(value)
        if is_remote(text):
            return text
        return str(click.Path(dir_okay=self.dir_okay).convert(text, param, ctx))


def _input_value(name: str, text: str) -> Any:
    """Read an ``--input`` value: JSON, ``@PATH`` of a JSON file, or text.

    Raises:
        InputError: the ``@PATH`` file cannot be read or is not JSON.
    """
    # Unlike json.loads, parse_json rejects NaN and Infinity, so that
    # `--input n=NaN` is the string "NaN", as for any other text that is not
    # JSON, and never a number that a JSON body cannot carry.
    from arazzo_runner.openapi.serialize import parse_json

    if text.startswith("@"):
        path = Path(text[1:])
        try:
            return parse_json(path.read_text(encoding="utf-8"))
        except IsADirectoryError:
            raise InputError(
                f"--input {name}: {str(path)!r} is a folder",
                hint="name a JSON file after the @",
            ) from None
        except OSError as exc:
            raise InputError(
                f"--input {name}: cannot read {str(path)!r}: {exc.strerror}"
            ) from None
        except ValueError as exc:
            raise InputError(
                f"--input {name}: {str(path)!r} is not valid JSON: {exc}"
            ) from None
    try:
        return parse_json(text)
    except ValueError:
        return text


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arazzo-runner")
def main() -> None:
    """Run and check Arazzo 1.0.x workflows."""


@main.command()
@click.argument("document", type=_DocumentPath())
@click.option(
    "--inputs",
    "inputs_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON or YAML file with the workflow inputs (an object).",
)
@click.option(
    "--input",
    "input_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set one input on top of --inputs. VALUE is read as JSON when it "
    "parses, else as a string; @PATH reads a JSON file.",
)
@click.option(
    "--workflow", "workflow_id", help="Workflow to run; optional with one workflow."
)
@click.option(
    "--server",
    "servers",
    multiple=True,
    metavar="SOURCE=URL",
    help="Base URL (with base path) replacing every server of a source description.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME=PATH_OR_URL",
    help="Load a source description from another path or URL.",
)
@click.option(
    "--max-retry-wait",
    type=_Seconds(infinite_ok=True),
    metavar="SECONDS",
    help="Cap each wait before a retry, in seconds (0: no waiting, inf: no cap).",
)
@click.option(
    "--max-steps",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Maximum step executions in one run, retries excluded; ends goto loops.",
)
@click.option(
    "--max-depth",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="Maximum nesting of workflows that call workflows.",
)
@click.option("--strict", is_flag=True, help="Treat every warning as an error.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Result format on stdout.",
)
@click.option(
    "--timeout",
    type=_Seconds(min_open=True),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Time limit of each HTTP exchange, up to the whole response, in seconds.",
)
@click.option("--insecure", is_flag=True, help="Do not verify TLS certificates.")
@click.option(
    "--validate-responses",
    is_flag=True,
    help="Check each response against the operation's declared responses; "
    "a mismatch is a warning, or fails the step with --strict.",
)
@click.option(
    "-v", "--verbose", count=True, help="Log more: -v for info, -vv for debug."
)
@_interruptible
def run(
    document: str,
    inputs_file: Path | None,
    input_values: tuple[str, ...],
    workflow_id: str | None,
    servers: tuple[str, ...],
    sources: tuple[str, ...],
    max_retry_wait: float | None,
    max_steps: int,
    max_depth: int,
    strict: bool,
    output_format: str,
    timeout: float,
    insecure: bool,
    validate_responses: bool,
    verbose: int,
) -> None:
    """Run a workflow of DOCUMENT (a file path or an http(s) URL) and print
    its result."""
    from arazzo_runner.engine.context import Limits
    from arazzo_runner.report.console import ProgressPrinter, format_summary
    from arazzo_runner.result import RunError, RunResult
    from arazzo_runner.runner import Runner, load_inputs_file

    _setup_logging(verbose)

    def invalid(kind: str, message: str, warnings: list[str] | None = None) -> NoReturn:
        if output_format == "json":
            result = RunResult(
                workflow_id,
                "failed",
                warnings=warnings or [],
                error=RunError(kind, message),
            )
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        sys.exit(EXIT_INVALID)

    try:
        server_map = _pairs(servers, "--server", "SOURCE=URL")
        source_map = _pairs(sources, "--source", "NAME=PATH_OR_URL")
        input_map = _pairs(input_values, "--input", "NAME=VALUE")
    except InputError as exc:
        _echo_err(f"error: {exc.message}")
        _echo_err(f"hint: {exc.hint}")
        invalid("invalid-arguments", exc.message)
    inputs: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    try:
        if inputs_file is not None:
            inputs = load_inputs_file(inputs_file)
        overrides = {name: _input_value(name, text) for name, text in input_map.items()}
    except InputError as exc:
        _echo_err(f"error: {exc}")
        invalid("invalid-inputs", str(exc))

    try:
        runner = Runner.from_path(
            document,
            servers=server_map,
            sources=source_map,
            strict=strict,
            limits=Limits(
                max_step_executions=max_steps,
                max_depth=max_depth,
                max_retry_wait=max_retry_wait,
            ),
            timeout=timeout,
            verify_tls=not insecure,
            observers=[ProgressPrinter(_echo_err)],
            validate_responses=validate_responses,
        )
    except ValidationError as exc:
        for diagnostic in exc.diagnostics:
            _echo_err(str(diagnostic))
        wrong_options = _option_errors(exc.diagnostics)
        if wrong_options:
            # The document is fine; a --server or --source name is wrong.
            _echo_err("error: " + "; ".join(wrong_options) + "; no request was sent")
            invalid("invalid-arguments", "; ".join(wrong_options))
        _echo_err(f"error: {document}: {exc.message}; no request was sent")
        invalid("invalid-document", exc.message, [str(d) for d in exc.diagnostics])
    except ArazzoError as exc:
        _echo_err(f"error: {exc}")
        invalid("invalid-document", exc.message)

    for warning in runner.warnings:
        _echo_err(str(warning))
    try:
        inputs = runner._with_overrides(workflow_id, inputs, overrides)
        with _sigterm_as_interrupt() as terminated:
            result = runner.run(workflow_id, inputs)
    except InputError as exc:
        _echo_err(f"error: {exc}")
        invalid("invalid-arguments", exc.message)
    except RunInterrupted as exc:
        _echo_err(f"error: {exc.message}")
        if output_format == "json":
            click.echo(json.dumps(exc.result.to_dict(), ensure_ascii=False))
        else:
            click.echo(format_summary(exc.result))
        sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
    if result.error is not None and result.error.kind == "invalid-inputs":
        _echo_err(f"error: {result.error.message}")
        if output_format == "json":
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        sys.exit(EXIT_INVALID)

    if output_format == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        click.echo(format_summary(result))
    sys.exit(EXIT_SUCCEEDED if result.succeeded else EXIT_FAILED)


@main.command()
@click.argument("openapi", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--scenario",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Scenario file (YAML) scripting the responses.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one.",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append one JSON object per request received to this file.",
)
def mock(openapi: Path, scenario: Path, port: int, log_path: Path | None) -> None:
    """Serve a scripted stand-in of the API that OPENAPI describes."""
    from arazzo_runner.mock import MockServer, load_scenario

    _setup_logging(0)
    try:
        server = MockServer(
            openapi, load_scenario(scenario), port=port, log_path=log_path
        )
        server.start()
    except ArazzoError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}")
    click.echo(f"listening on http://127.0.0.1:{server.port}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@main.command()
@click.argument(
    "documents",
    nargs=-1,
    required=True,
    # A folder is reported as an unreadable document, like a missing file,
    # so that the exit code stays 1 and the other documents are still checked.
    type=_DocumentPath(dir_okay=True),
)
@click.option("--strict", is_flag=True, help="Treat every warning as an error.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="Report format on stdout: text lines, one JSON object, or GitHub "
    "Actions annotations.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME=PATH_OR_URL",
    help="Load a source description from another path or URL (every DOCUMENT).",
)
@_interruptible
def validate(
    documents: tuple[str, ...],
    strict: bool,
    output_format: str,
    sources: tuple[str, ...],
) -> None:
    """Check DOCUMENTS (file paths or http(s) URLs) and report every problem
    found.

    Exits with 0 when no document has an error (warnings are allowed) and 1
    otherwise.
    """
    from arazzo_runner.report.diagnostics import format_diagnostics
    from arazzo_runner.validate import validate_document

    try:
        source_map = _pairs(sources, "--source", "NAME=PATH_OR_URL")
    except InputError as exc:
        _fail(exc.message, exc.hint)
    found = [
        diagnostic
        for document in documents
        for diagnostic in validate_document(document, strict=strict, sources=source_map)
    ]
    click.echo(format_diagnostics(found, output_format), nl=False)
    errors = [d for d in found if d.severity == "error"]
    sys.exit(EXIT_FAILED if errors else EXIT_SUCCEEDED)


@main.command()
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--filter",
    "text_filter",
    metavar="TEXT",
    help="Run only the cases whose id or section contains TEXT, ignoring case.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "junit", "markdown"]),
    default="text",
    show_default=True,
    help="Report format on stdout; markdown writes the docs/conformance.md page.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Number of cases run at the same time.",
)
@click.option(
    "--runner-command",
    metavar="TEMPLATE",
    help="Run each case with this command instead of this package's runner. "
    "{document}, {workflow} and {inputs} are replaced; a word with {source} "
    "or {url} is repeated per mocked source; {strict} becomes --strict for "
    "strict cases. See conformance/README.md.",
)
def conformance(
    paths: tuple[Path, ...],
    text_filter: str | None,
    output_format: str,
    jobs: int,
    runner_command: str | None,
) -> None:
    """Run the conformance cases under PATHS (default: conformance/cases).

    Exits with 0 when every case passed, 1 when a case failed or could not be
    loaded, 2 when an option is invalid or no case matched, and 130 when
    interrupted.
    """
    import tempfile

    from arazzo_runner.conformance import report
    from arazzo_runner.conformance.cases import discover_cases
    from arazzo_runner.conformance.harness import (
        CaseRunner,
        CommandRunner,
        InProcessRunner,
        run_cases,
    )

    runner: CaseRunner = InProcessRunner()
    if runner_command is not None:
        try:
            runner = CommandRunner(runner_command)
        except InputError as exc:
            _fail(f"--runner-command: {exc.message}", exc.hint)

    _setup_logging(0)
    # The runner's warnings about each case's document are part of that case's
    # result, so only errors (a crashed case, a mock failure) go to stderr.
    logging.getLogger("arazzo_runner").setLevel(logging.ERROR)
    roots = list(paths) or [Path("conformance/cases")]
    try:
        cases = discover_cases(roots, text_filter=text_filter)
    except ArazzoError as exc:
        _fail(str(exc))
    if not cases:
        _fail("no conformance case matched", "check the paths and --filter")
    try:
        with tempfile.TemporaryDirectory(prefix="arazzo-conformance-") as folder:
            outcomes = run_cases(cases, runner, jobs=jobs, work_folder=Path(folder))
    except KeyboardInterrupt:
        _echo_err("error: interrupted, so no report was printed")
        sys.exit(EXIT_INTERRUPTED)

    renderers = {
        "text": report.render_text,
        "json": report.render_json,
        "junit": report.render_junit,
    }
    if output_format == "markdown":
        click.echo(report.render_markdown(outcomes, runner.name), nl=False)
    else:
        click.echo(renderers[output_format](outcomes))
    failed = any(not outcome.passed for outcome in outcomes)
    sys.exit(EXIT_FAILED if failed else EXIT_SUCCEEDED)
