"""Run conformance cases: start each case's mocks, run the case, compare.

Two runners produce the JSON result that ``arazzo run --format json``
prints: :class:`InProcessRunner` calls this package's :class:`Runner`, and
:class:`CommandRunner` starts any executable from a command template, so
another Arazzo runner can be measured on the same cases.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from arazzo_runner.conformance.cases import Case
from arazzo_runner.conformance.compare import (
    Difference,
    check_result_shape,
    compare,
)
from arazzo_runner.engine.context import Limits
from arazzo_runner.errors import ArazzoError, InputError, ValidationError
from arazzo_runner.mock import MockServer
from arazzo_runner.openapi.serialize import parse_json
from arazzo_runner.result import RunError, RunResult

logger = logging.getLogger(__name__)

# Seconds before one HTTP request, or one runner command, times out. The mocks
# respond from 127.0.0.1 within milliseconds, so reaching a limit means a hang.
REQUEST_TIMEOUT_SECONDS = 10.0
COMMAND_TIMEOUT_SECONDS = 60.0

DEFAULT_COMMAND = (
    "arazzo run {document} --workflow {workflow} --inputs {inputs} "
    "--server={source}={url} --max-retry-wait 0 --format json {strict}"
)


@dataclass(frozen=True, slots=True)
class Invocation:
    """The arguments a runner receives for one case.

    ``servers`` maps each source name to the base URL of its mock;
    ``inputs_path`` is a JSON file with the input object.
    """

    case: Case
    servers: dict[str, str]
    inputs_path: Path


class CaseRunner(Protocol):
    """Something that runs one case and returns the JSON result object."""

    name: str

    def __call__(self, invocation: Invocation) -> dict[str, Any]: ...

    def stop(self) -> None:
        """End the runs in progress and start no more, when the suite is interrupted."""


class InProcessRunner:
    """Run cases with this package's :class:`Runner`, without retry waits."""

    name = "arazzo-runner (in process)"

    def __call__(self, invocation: Invocation) -> dict[str, Any]:
        """Run the case's workflow and return the result as ``arazzo run`` prints it."""
        from arazzo_runner.runner import Runner

        case = invocation.case
        try:
            runner = Runner.from_path(
                case.document,
                servers=invocation.servers,
                limits=Limits(max_retry_wait=0),
                timeout=REQUEST_TIMEOUT_SECONDS,
                strict=case.strict,
            )
        except ValidationError as exc:
            warnings = [str(d) for d in exc.diagnostics]
            return _invalid(case, "invalid-document", exc.message, warnings)
        except ArazzoError as exc:
            return _invalid(case, "invalid-document", exc.message)
        try:
            result = runner.run(case.workflow_id, case.inputs())
        except InputError as exc:
            return _invalid(case, "invalid-arguments", exc.message)
        return result.to_dict()

    def stop(self) -> None:
        """Do nothing, because a run in a thread cannot be ended from outside.

        The cases in progress finish first, which takes as long as their
        requests to the mocks on 127.0.0.1.
        """


def _invalid(
    case: Case, kind: str, message: str, warnings: list[str] | None = None
) -> dict[str, Any]:
    result = RunResult(
        case.workflow_id,
        "failed",
        warnings=warnings or [],
        error=RunError(kind, message),
    )
    return result.to_dict()


# The placeholders a command template may use; any other {name} is a typo.
_PLACEHOLDERS = ("document", "workflow", "inputs", "source", "url", "strict")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}")


def _exit_text(returncode: int) -> str:
    """Describe an exit code, naming the signal when a signal ended the process."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}"
    return f"exit code {returncode}"


class CommandRunner:
    """Run cases with an executable, from a command template.

    The template is split like a POSIX shell line (no shell runs it).
    ``{document}``, ``{workflow}`` and ``{inputs}`` are replaced by the
    document path, the workflow id and the inputs file path. When the case
    names no workflow, the word ``{workflow}`` is left out together with an
    option word just before it (``--workflow {workflow}``), and so is a word
    ``-OPTION={workflow}``. Elsewhere ``{workflow}`` then becomes empty text.
    A word containing ``{source}`` or ``{url}`` is repeated once per mocked
    source with its name and base URL. The word ``{strict}`` becomes
    ``--strict`` for a strict case and is left out otherwise. The executable
    must print one JSON result object on stdout, as ``arazzo run --format
    json`` does; its exit code is not checked.
    """

    def __init__(self, template: str = DEFAULT_COMMAND) -> None:
        """Split ``template`` into words.

        Raises:
            InputError: The template has an unclosed quotation mark or a
                trailing escape, or has no words.
        """
        try:
            words = shlex.split(template)
        except ValueError as exc:
            raise InputError(
                f"cannot split {template!r} into words: {str(exc).lower()}",
                hint="close each quotation mark, or escape a literal one with \\",
            ) from exc
        if not words:
            raise InputError(
                "the command is empty",
                hint="give an executable and its arguments, such as the "
                "default in conformance/README.md",
            )
        unknown = sorted(
            {
                name
                for word in words
                for name in _PLACEHOLDER.findall(word)
                if name not in _PLACEHOLDERS
            }
        )
        if unknown:
            raise InputError(
                "unknown placeholder "
                + ", ".join("{" + name + "}" for name in unknown)
                + " in the command",
                hint="use only " + ", ".join("{" + n + "}" for n in _PLACEHOLDERS),
            )
        self.template = template
        self.words = words
        self.name = words[0]
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[str]] = set()
        self._stopped = False

    def command(self, invocation: Invocation) -> list[str]:
        """Return the argument list for one case."""
        workflow_id = invocation.case.workflow_id or ""
        values = {
            "document": str(invocation.case.document),
            "workflow": workflow_id,
            "inputs": str(invocation.inputs_path),
        }
        arguments: list[str] = []
        for number, word in enumerate(self.words):
            if word == "{strict}":
                if invocation.case.strict:
                    arguments.append("--strict")
                continue
            if not workflow_id and _names_workflow_only(word):
                # No workflow id means "the only workflow", so the option that
                # would name one is left out.
                previous = self.words[number - 1] if number else ""
                if word == "{workflow}" and _is_plain_option(previous):
                    arguments.pop()
                continue
            if "{source}" in word or "{url}" in word:
                for source, url in invocation.servers.items():
                    arguments.append(
                        word.replace("{source}", source).replace("{url}", url)
                    )
                continue
            for key, value in values.items():
                word = word.replace("{" + key + "}", value)
            arguments.append(word)
        return arguments

    def __call__(self, invocation: Invocation) -> dict[str, Any]:
        """Run the command and parse the JSON object it prints.

        Raises:
            RunnerError: the command could not start, timed out or printed
                no JSON object.
        """
        arguments = self.command(invocation)
        try:
            returncode, stdout, stderr = self._execute(arguments)
        except OSError as exc:
            raise RunnerError(f"the runner command failed: {exc}") from exc
        try:
            data = parse_json(stdout)
        except (ValueError, RecursionError) as exc:
            last_lines = stderr.strip().splitlines()[-3:]
            reason = "it nests too deep" if isinstance(exc, RecursionError) else exc
            raise RunnerError(
                f"the runner command printed no JSON object ({_exit_text(returncode)}"
                f"): {reason}; stderr: {' | '.join(last_lines)}"
            ) from exc
        if not isinstance(data, dict):
            raise RunnerError("the runner command printed JSON that is not an object")
        return data

    def stop(self) -> None:
        """Kill each runner command in progress with its children; start no more."""
        with self._lock:
            self._stopped = True
            running = list(self._running)
        for process in running:
            _kill_group(process)

    def _execute(self, arguments: list[str]) -> tuple[int, str, str]:
        """Run one command; return its exit code, stdout and stderr.

        Raises:
            OSError: The command could not start.
            RunnerError: The command timed out, or :meth:`stop` was called
                before it started.
        """
        with self._lock:
            if self._stopped:
                raise RunnerError("the run was interrupted before this case started")
            # The user's own --runner-command, run without a shell. In a session
            # of its own it leads a process group, which _kill_group ends with
            # every child, and a terminal's Ctrl-C reaches only this process.
            process = subprocess.Popen(
                arguments,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                encoding="utf-8",
                errors="replace",
                start_new_session=True,
            )
            self._running.add(process)
        try:
            stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            _kill_group(process)
            process.communicate()
            raise RunnerError(
                f"the runner command timed out after {COMMAND_TIMEOUT_SECONDS:g} "
                "seconds"
            ) from exc
        finally:
            with self._lock:
                self._running.discard(process)
        return process.returncode, stdout, stderr


def _kill_group(process: subprocess.Popen[str]) -> None:
    """Kill ``process`` and, outside Windows, every process of its group."""
    if sys.platform == "win32":
        process.kill()
        return
    with contextlib.suppress(ProcessLookupError):  # the group has ended already
        os.killpg(process.pid, signal.SIGKILL)


def _names_workflow_only(word: str) -> bool:
    """Return whether ``word`` is ``{workflow}`` or ``-OPTION={workflow}``."""
    if word == "{workflow}":
        return True
    option, _, value = word.partition("=")
    return value == "{workflow}" and _is_plain_option(option)


def _is_plain_option(word: str) -> bool:
    """Return whether ``word`` starts with ``-`` and has no placeholder."""
    return word.startswith("-") and "{" not in word


class RunnerError(ArazzoError):
    """The runner under test crashed or printed something unreadable."""


@dataclass(slots=True)
class CaseOutcome:
    """The result of one case: passed, or the differences and errors found."""

    case: Case
    differences: list[Difference] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    result: dict[str, Any] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Return whether the case passed."""
        return self.error is None and not self.differences

    def problems(self) -> list[str]:
        """Return the error and every difference, one line each."""
        lines = [f"error: {self.error}"] if self.error else []
        return lines + [str(difference) for difference in self.differences]


def run_case(case: Case, runner: CaseRunner, work_folder: Path) -> CaseOutcome:
    """Start the case's mocks, run the case and compare the outcome."""
    started = time.perf_counter()
    outcome = CaseOutcome(case)
    if case.load_error is not None:
        outcome.error = case.load_error
        return outcome
    try:
        _run_and_compare(case, runner, work_folder, outcome)
    except ArazzoError as exc:
        outcome.error = str(exc)
    except Exception as exc:  # one broken case must not stop the suite
        logger.exception("conformance case %s crashed", case.case_id)
        outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.seconds = time.perf_counter() - started
    return outcome


def _run_and_compare(
    case: Case, runner: CaseRunner, work_folder: Path, outcome: CaseOutcome
) -> None:
    received: list[dict[str, Any]] = []
    lock = threading.Lock()
    mocks: dict[str, MockServer] = {}
    try:
        for source in case.sources:
            mocks[source.name] = MockServer(
                source.openapi,
                source.scenario,
                mask_secrets=False,
                on_request=_collector(received, lock, source.name),
            )
        for mock in mocks.values():
            mock.start()
        servers = {name: mock.base_url for name, mock in mocks.items()}
        inputs_path = case.inputs_path or _empty_inputs(work_folder)
        outcome.result = runner(Invocation(case, servers, inputs_path))
    finally:
        for mock in mocks.values():
            mock.stop()
        base_paths = {name: mock.base_path for name, mock in mocks.items()}
        outcome.requests = [_localized(entry, base_paths) for entry in received]

    problems = check_result_shape(outcome.result)
    if problems:
        raise RunnerError("runner output: " + "; ".join(problems))
    outcome.differences = compare(case.expect, outcome.result, outcome.requests)


def _collector(
    received: list[dict[str, Any]], lock: threading.Lock, source: str
) -> Callable[[dict[str, Any]], None]:
    def collect(entry: dict[str, Any]) -> None:
        with lock:
            received.append({**entry, "source": source})

    return collect


def _localized(entry: dict[str, Any], base_paths: dict[str, str]) -> dict[str, Any]:
    """Add ``localPath``: the path with its mock's base path removed."""
    base_path = base_paths.get(str(entry.get("source")), "")
    path = str(entry.get("path", ""))
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    return {**entry, "localPath": path}


def _empty_inputs(work_folder: Path) -> Path:
    path = work_folder / "empty-inputs.json"
    if not path.exists():
        path.write_text("{}", encoding="utf-8")
    return path


def run_cases(
    cases: list[Case],
    runner: CaseRunner,
    *,
    jobs: int,
    work_folder: Path,
    on_outcome: Callable[[CaseOutcome], None] | None = None,
) -> list[CaseOutcome]:
    """Run ``cases`` on ``jobs`` threads; return the outcomes in case order.

    On KeyboardInterrupt the cases not started are cancelled and
    ``runner.stop()`` ends the ones in progress. Their mocks are stopped
    before the interrupt is raised again.
    """
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(run_case, case, runner, work_folder) for case in cases]
        outcomes = []
        for future in futures:
            outcome = future.result()
            if on_outcome is not None:
                on_outcome(outcome)
            outcomes.append(outcome)
        return outcomes
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        runner.stop()
        raise
    finally:
        pool.shutdown(wait=True)
