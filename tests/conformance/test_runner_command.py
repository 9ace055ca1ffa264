"""``--runner-command``: measure another executable on the same cases."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from arazzo_runner.conformance import CommandRunner, harness, load_case, run_cases
from arazzo_runner.conformance.harness import Invocation
from arazzo_runner.errors import InputError
from tests.conftest import ROOT, arazzo_command, run_arazzo

STATUS_CASE = ROOT / "conformance" / "cases" / "02-workflow" / "only-workflow-chosen"
SOURCE_CASE = (
    ROOT / "conformance" / "cases" / "02-workflow" / "outputs-map-step-outputs"
)

# A stand-in runner: it sends GET {url}/status for the one source and prints a
# result object, as the runner contract in conformance/README.md requires.
STAND_IN = """\
import json, sys, urllib.request
arguments = sys.argv[1:]
document, inputs = arguments[0], arguments[arguments.index("--inputs") + 1]
source, url = arguments[arguments.index("--server") + 1].split("=", 1)
with urllib.request.urlopen(url + "/status") as response:
    code = response.status
print(json.dumps({"workflowId": None, "status": "succeeded", "outputs": {},
                  "steps": [{"stepId": "a", "outcome": "succeeded", "attempts": 1,
                             "statusCode": code}], "warnings": [], "error": None}))
"""


def _stand_in(tmp_path: Path) -> str:
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN, encoding="utf-8")
    return f"{sys.executable} {script} {{document}} --inputs {{inputs}} --server {{source}}={{url}}"


def test_stand_in_runner_passes(tmp_path: Path) -> None:
    case = load_case(STATUS_CASE)

    [outcome] = run_cases(
        [case], CommandRunner(_stand_in(tmp_path)), jobs=1, work_folder=tmp_path
    )

    assert outcome.problems() == []
    assert [entry["localPath"] for entry in outcome.requests] == ["/status"]


def test_template_expands_each_source() -> None:
    case = load_case(STATUS_CASE)
    runner = CommandRunner(
        "run {document} --workflow {workflow} --server={source}={url} {strict}"
    )
    invocation = Invocation(
        case, {"a": "http://127.0.0.1:1/v1", "b": "http://127.0.0.1:2"}, Path("in.json")
    )

    arguments = runner.command(invocation)

    # The case names no workflow, so the empty --workflow option is dropped,
    # and it is not strict, so {strict} is left out.
    assert arguments == [
        "run",
        str(case.document),
        "--server=a=http://127.0.0.1:1/v1",
        "--server=b=http://127.0.0.1:2",
    ]


def test_unreadable_output_is_an_error(tmp_path: Path) -> None:
    case = load_case(STATUS_CASE)
    runner = CommandRunner(f"{sys.executable} -c print('not-json')")

    [outcome] = run_cases([case], runner, jobs=1, work_folder=tmp_path)

    assert not outcome.passed
    assert outcome.error is not None
    assert "printed no JSON object" in outcome.error


def test_cli_with_runner_command(tmp_path: Path) -> None:
    shutil.copytree(STATUS_CASE, tmp_path / "cases" / "sample" / "status")

    completed = subprocess.run(
        [
            arazzo_command(),
            "conformance",
            str(tmp_path / "cases"),
            "--runner-command",
            _stand_in(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.splitlines()[-1] == "1 passed, 0 failed"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "'unclosed",
            'error: --runner-command: cannot split "\'unclosed" into words: '
            "no closing quotation",
        ),
        ("", "error: --runner-command: the command is empty"),
        ("   ", "error: --runner-command: the command is empty"),
    ],
    ids=["unclosed-quote", "empty", "blank"],
)
def test_cli_rejects_bad_runner_command(
    tmp_path: Path, template: str, message: str
) -> None:
    shutil.copytree(STATUS_CASE, tmp_path / "cases" / "sample" / "status")

    completed = run_arazzo(
        "conformance", str(tmp_path / "cases"), "--runner-command", template
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert message in completed.stderr.splitlines()
    assert "Traceback" not in completed.stderr


def test_unclosed_quote_is_input_error() -> None:
    with pytest.raises(InputError, match="cannot split"):
        CommandRunner("run 'unclosed")


def test_unknown_placeholder_is_input_error() -> None:
    with pytest.raises(InputError, match=r"unknown placeholder \{input\}"):
        CommandRunner("run {document} --inputs {input}")


def _raw_printing(tmp_path: Path, text: str) -> CommandRunner:
    script = tmp_path / "print_raw.py"
    script.write_text(f"print({text!r})", encoding="utf-8")
    return CommandRunner(f"{sys.executable} {script}")


@pytest.mark.parametrize(
    ("text", "reason"),
    [("[" * 100_000, "nests too deep"), ('{"status": NaN}', "NaN is not a JSON")],
    ids=["deep", "nan"],
)
def test_bad_json_output_fails_case(tmp_path: Path, text: str, reason: str) -> None:
    case = load_case(STATUS_CASE)
    runner = _raw_printing(tmp_path, text)
    [outcome] = run_cases([case], runner, jobs=1, work_folder=tmp_path)
    assert outcome.error is not None
    assert reason in outcome.error


def test_killed_runner_names_signal(tmp_path: Path) -> None:
    case = load_case(STATUS_CASE)
    script = tmp_path / "die.py"
    script.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    runner = CommandRunner(f"{sys.executable} {script}")
    [outcome] = run_cases([case], runner, jobs=1, work_folder=tmp_path)
    assert outcome.error is not None
    assert "killed by SIGKILL" in outcome.error


def _printing(tmp_path: Path, output: object) -> CommandRunner:
    """Return a runner command that prints ``output`` as JSON, whatever the case."""
    script = tmp_path / "print_result.py"
    script.write_text(f"print({json.dumps(json.dumps(output))})", encoding="utf-8")
    return CommandRunner(f"{sys.executable} {script}")


@pytest.mark.parametrize(
    ("output", "error"),
    [
        (
            {"status": "succeeded", "steps": ["a", "b"], "warnings": 5},
            "runner output: warnings must be an array; "
            "steps[0] must be an object; steps[1] must be an object",
        ),
        ({"status": 1}, "runner output: status must be a string"),
        (
            {"status": "failed", "outputs": [1]},
            "runner output: outputs must be an object",
        ),
        (
            {"status": "failed", "steps": [{"stepId": 3, "attempts": True}]},
            "runner output: steps[0].stepId must be a string; "
            "steps[0].attempts must be an integer",
        ),
        (
            {"status": "failed", "steps": [{"statusCode": "200", "outputs": "x"}]},
            "runner output: steps[0].statusCode must be an integer; "
            "steps[0].outputs must be an object",
        ),
        (
            {"status": "failed", "warnings": ["a", 2]},
            "runner output: warnings[1] must be a string",
        ),
        (
            {"status": "failed", "error": "boom"},
            "runner output: error must be an object",
        ),
        (
            {"status": "failed", "error": {"kind": 1, "message": [], "stepId": {}}},
            "runner output: error.kind must be a string; error.message must be a "
            "string; error.stepId must be a string",
        ),
    ],
    ids=[
        "audit-example",
        "status",
        "outputs",
        "step-id-and-attempts",
        "status-code-and-step-outputs",
        "warning-item",
        "error",
        "error-members",
    ],
)
def test_wrong_output_shape_fails_case(
    tmp_path: Path, output: dict[str, object], error: str
) -> None:
    case = load_case(STATUS_CASE)

    [outcome] = run_cases(
        [case], _printing(tmp_path, output), jobs=1, work_folder=tmp_path
    )

    assert outcome.error == error
    assert outcome.differences == []


def test_null_members_count_as_absent(tmp_path: Path) -> None:
    output = {
        "status": "succeeded",
        "outputs": None,
        "steps": [{"stepId": "a", "statusCode": None, "outputs": None}],
        "warnings": None,
        "error": None,
    }
    case = load_case(STATUS_CASE)

    [outcome] = run_cases(
        [case], _printing(tmp_path, output), jobs=1, work_folder=tmp_path
    )

    assert outcome.error is None


def test_wrong_shape_leaves_other_cases(tmp_path: Path) -> None:
    output = {"status": "succeeded", "steps": ["a"], "warnings": 5}
    cases = [load_case(STATUS_CASE), load_case(SOURCE_CASE)]

    outcomes = run_cases(
        cases, _printing(tmp_path, output), jobs=1, work_folder=tmp_path
    )

    assert [outcome.case.case_id for outcome in outcomes] == [
        "only-workflow-chosen",
        "outputs-map-step-outputs",
    ]
    assert all(outcome.error is not None for outcome in outcomes)


def test_cli_reports_wrong_shape(tmp_path: Path) -> None:
    shutil.copytree(STATUS_CASE, tmp_path / "cases" / "sample" / "one")
    shutil.copytree(SOURCE_CASE, tmp_path / "cases" / "sample" / "two")
    runner = _printing(tmp_path, {"status": "succeeded", "steps": ["a"], "warnings": 5})

    completed = run_arazzo(
        "conformance", str(tmp_path / "cases"), "--runner-command", runner.template
    )

    lines = completed.stdout.splitlines()
    assert completed.returncode == 1
    assert lines[-1] == "0 passed, 2 failed"
    assert "FAILED sample/one" in lines
    assert "FAILED sample/two" in lines
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    ("template", "without_workflow", "with_workflow"),
    [
        (
            "run --workflow {workflow} -x",
            ["run", "-x"],
            ["run", "--workflow", "wf", "-x"],
        ),
        ("run --workflow={workflow} -x", ["run", "-x"], ["run", "--workflow=wf", "-x"]),
        ("run -w {workflow}", ["run"], ["run", "-w", "wf"]),
        ("run -w={workflow}", ["run"], ["run", "-w=wf"]),
        ("run {document} {workflow}", ["run", "DOC"], ["run", "DOC", "wf"]),
        ("run id:{workflow}", ["run", "id:"], ["run", "id:wf"]),
    ],
    ids=[
        "option-then-word",
        "option-equals",
        "short-option",
        "short-option-equals",
        "positional",
        "inside-text",
    ],
)
def test_workflow_placeholder_forms(
    template: str, without_workflow: list[str], with_workflow: list[str]
) -> None:
    runner = CommandRunner(template)
    servers = {"api": "http://127.0.0.1:1"}
    unnamed = load_case(STATUS_CASE)
    named = load_case(SOURCE_CASE)

    first = runner.command(Invocation(unnamed, servers, Path("in.json")))
    second = runner.command(Invocation(named, servers, Path("in.json")))

    assert [
        word.replace(str(unnamed.document), "DOC") for word in first
    ] == without_workflow
    assert [
        word.replace(str(named.document), "DOC") for word in second
    ] == with_workflow


# A runner that never finishes in time: it starts a child of its own, writes
# both process ids to a file in the folder it is given, and sleeps.
SLOW = """\
import os, pathlib, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
path = pathlib.Path(sys.argv[1]) / f"{os.getpid()}.pids"
path.write_text(f"{os.getpid()} {child.pid}")
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    """Return whether process ``pid`` exists and is not a zombie (Linux only)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_interrupt_stops_runner_commands(tmp_path: Path) -> None:
    for name in ("one", "two", "three"):
        shutil.copytree(STATUS_CASE, tmp_path / "cases" / "sample" / name)
    script = tmp_path / "slow.py"
    script.write_text(SLOW, encoding="utf-8")
    started = tmp_path / "started"
    started.mkdir()
    process = subprocess.Popen(
        [
            arazzo_command(),
            "conformance",
            str(tmp_path / "cases"),
            "--jobs",
            "2",
            "--runner-command",
            f"{sys.executable} {script} {started}",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for(lambda: len(list(started.glob("*.pids"))) == 2, 30)
        time.sleep(0.2)  # both files are written in full
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
        process.wait()

    pids = [
        int(pid) for path in started.glob("*.pids") for pid in path.read_text().split()
    ]
    assert process.returncode == 130
    assert "error: interrupted" in stderr
    assert "Traceback" not in stderr
    assert len(pids) == 4
    assert _wait_for(lambda: not any(_alive(pid) for pid in pids), 5)


def test_timeout_kills_runner_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(harness, "COMMAND_TIMEOUT_SECONDS", 0.5)
    script = tmp_path / "slow.py"
    script.write_text(SLOW, encoding="utf-8")
    runner = CommandRunner(f"{sys.executable} {script} {tmp_path}")
    started = time.monotonic()

    [outcome] = run_cases(
        [load_case(STATUS_CASE)], runner, jobs=1, work_folder=tmp_path
    )

    [pids_file] = tmp_path.glob("*.pids")
    pids = [int(pid) for pid in pids_file.read_text().split()]
    assert outcome.error == "the runner command timed out after 0.5 seconds"
    assert time.monotonic() - started < 10
    assert _wait_for(lambda: not any(_alive(pid) for pid in pids), 5)
