"""The harness itself: a wrong expectation must fail readably, and the CLI reports it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from arazzo_runner.conformance import InProcessRunner, load_case, run_cases
from arazzo_runner.conformance.cases import discover_cases
from arazzo_runner.errors import DocumentError
from tests.conftest import ROOT, arazzo_command, run_arazzo

SOURCE_CASE = (
    ROOT / "conformance" / "cases" / "02-workflow" / "outputs-map-step-outputs"
)


def _copy_case(tmp_path: Path, change: dict[str, object]) -> Path:
    folder = tmp_path / "cases" / "sample" / "wrong-output"
    shutil.copytree(SOURCE_CASE, folder)
    expected_path = folder / "expected.yaml"
    expected = yaml.safe_load(expected_path.read_text(encoding="utf-8"))
    expected["expect"].update(change)
    expected_path.write_text(
        yaml.safe_dump(expected, sort_keys=False), encoding="utf-8"
    )
    return folder


def test_wrong_output_reported(tmp_path: Path) -> None:
    folder = _copy_case(
        tmp_path, {"outputs": {"petId": 8, "pet": {"id": 7, "name": "Rex"}}}
    )
    case = load_case(folder, root=tmp_path / "cases")

    [outcome] = run_cases([case], InProcessRunner(), jobs=1, work_folder=tmp_path)

    assert not outcome.passed
    assert outcome.problems() == [
        'outputs: expected {"pet": {"id": 7, "name": "Rex"}, "petId": 8}, '
        'got {"pet": {"id": 7, "name": "Rex"}, "petId": 7}'
    ]


def test_wrong_request_facts_reported(tmp_path: Path) -> None:
    wrong = {
        "requests": {
            "count": 2,
            "order": ["GET /pets/8"],
            "perRoute": {"GET /pets/{petId}": 3},
            "items": [
                {
                    "index": 0,
                    "method": "POST",
                    "headers": {"X-Missing": "1"},
                    "query": {"a": ["1"]},
                }
            ],
        }
    }
    folder = _copy_case(tmp_path, wrong)
    case = load_case(folder, root=tmp_path / "cases")

    [outcome] = run_cases([case], InProcessRunner(), jobs=1, work_folder=tmp_path)

    problems = outcome.problems()
    assert 'requests.count: expected 2, got ["GET /pets/7"]' in problems
    assert 'requests.order: expected ["GET /pets/8"], got ["GET /pets/7"]' in problems
    assert "requests.perRoute['GET /pets/{petId}']: expected 3, got 1" in problems
    assert 'requests[0].method: expected "POST", got "GET"' in problems
    assert "requests[0].headers['X-Missing']: expected \"1\", got null" in problems
    assert 'requests[0].query: expected {"a": ["1"]}, got {}' in problems
    assert len(problems) == 6


def test_wrong_steps_and_error_reported(tmp_path: Path) -> None:
    wrong = {
        "error": {"kind": "transport-error", "stepId": "get"},
        "steps": [{"stepId": "get", "attempts": 2, "statusCode": 200}],
        "minWarnings": 1,
    }
    folder = _copy_case(tmp_path, wrong)
    case = load_case(folder, root=tmp_path / "cases")

    [outcome] = run_cases([case], InProcessRunner(), jobs=1, work_folder=tmp_path)

    assert outcome.problems() == [
        'error: expected {"kind": "transport-error", "stepId": "get"}, got null',
        "steps[0].attempts: expected 2, got 1",
        'warnings: expected "at least 1", got []',
    ]


def test_cli_exits_1_on_failure(tmp_path: Path) -> None:
    _copy_case(tmp_path, {"status": "failed"})

    completed = subprocess.run(
        [arazzo_command(), "conformance", str(tmp_path / "cases")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines[-1] == "0 passed, 1 failed"
    assert "FAILED sample/wrong-output" in lines
    assert '  status: expected "failed", got "succeeded"' in lines


@pytest.mark.parametrize("output_format", ["json", "junit", "markdown"])
def test_cli_formats(tmp_path: Path, output_format: str) -> None:
    shutil.copytree(SOURCE_CASE, tmp_path / "cases" / "sample" / "ok")

    completed = subprocess.run(
        [
            arazzo_command(),
            "conformance",
            str(tmp_path / "cases"),
            "--format",
            output_format,
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "sample/ok" in completed.stdout


def test_invalid_case_file_rejected(tmp_path: Path) -> None:
    folder = _copy_case(tmp_path, {"status": "maybe"})

    with pytest.raises(DocumentError, match="invalid case file at /expect/status"):
        load_case(folder)


def test_filter_matches_id_and_section(tmp_path: Path) -> None:
    shutil.copytree(SOURCE_CASE, tmp_path / "cases" / "sample" / "one")
    shutil.copytree(SOURCE_CASE, tmp_path / "cases" / "other" / "two")

    by_id = discover_cases([tmp_path / "cases"], text_filter="SAMPLE/")
    by_section = discover_cases([tmp_path / "cases"], text_filter="workflow object")

    assert [case.case_id for case in by_id] == ["sample/one"]
    assert [case.case_id for case in by_section] == ["other/two", "sample/one"]


def _break_cases(tmp_path: Path) -> None:
    """Add three broken cases beside a copy of the sample case."""
    cases = tmp_path / "cases"
    shutil.copytree(SOURCE_CASE, cases / "sample" / "good")
    _copy_case(tmp_path, {"bogus": 1})
    bad_yaml = cases / "sample" / "bad-yaml"
    shutil.copytree(SOURCE_CASE, bad_yaml)
    (bad_yaml / "expected.yaml").write_text('description: "x\nexpect: [\n')
    no_scenario = cases / "sample" / "no-scenario"
    shutil.copytree(SOURCE_CASE, no_scenario)
    (no_scenario / "scenario.yaml").unlink()


def test_broken_cases_are_discovered(tmp_path: Path) -> None:
    _break_cases(tmp_path)

    found = discover_cases([tmp_path / "cases"])

    errors = {case.case_id: case.load_error for case in found}
    assert list(errors) == [
        "sample/bad-yaml",
        "sample/good",
        "sample/no-scenario",
        "sample/wrong-output",
    ]
    assert errors["sample/good"] is None
    assert (
        "expected.yaml:3:1: invalid YAML in the case file: found unexpected end"
        in str(errors["sample/bad-yaml"])
    )
    assert "does not exist: scenario.yaml" in str(errors["sample/no-scenario"])
    assert "invalid case file at /expect" in str(errors["sample/wrong-output"])


def test_broken_case_keeps_section(tmp_path: Path) -> None:
    _copy_case(tmp_path, {"bogus": 1})

    [case] = discover_cases([tmp_path / "cases"])

    assert case.section == "Workflow Object"
    assert case.description.startswith("Workflow outputs are evaluated")


def test_broken_case_fails_with_reason(tmp_path: Path) -> None:
    _break_cases(tmp_path)
    found = discover_cases([tmp_path / "cases"])

    outcomes = run_cases(found, InProcessRunner(), jobs=2, work_folder=tmp_path)

    passed = {outcome.case.case_id: outcome.passed for outcome in outcomes}
    assert passed == {
        "sample/bad-yaml": False,
        "sample/good": True,
        "sample/no-scenario": False,
        "sample/wrong-output": False,
    }
    assert outcomes[0].error == outcomes[0].case.load_error


def test_cli_runs_cases_beside_broken(tmp_path: Path) -> None:
    _break_cases(tmp_path)

    completed = run_arazzo("conformance", str(tmp_path / "cases"))

    lines = completed.stdout.splitlines()
    assert completed.returncode == 1
    assert lines[-1] == "1 passed, 3 failed"
    assert "FAILED sample/bad-yaml" in lines
    assert "FAILED sample/no-scenario" in lines
    assert "FAILED sample/wrong-output" in lines
    assert completed.stderr == ""


def test_cli_prints_case_hint_once(tmp_path: Path) -> None:
    _copy_case(tmp_path, {"status": "maybe"})

    completed = run_arazzo("conformance", str(tmp_path / "cases"))

    output = completed.stdout + completed.stderr
    assert output.count("see conformance/README.md for the case format") == 1
