"""The ``arazzo validate`` command, and ``arazzo run`` refusing invalid documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from arazzo_runner.cli import main
from tests.conftest import run_arazzo
from tests.validate.conftest import valid_document, write_documents


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _invalid(tmp_path: Path) -> Path:
    document = valid_document()
    document["workflows"][0]["steps"][0]["operationId"] = "nope"
    document["workflows"][0]["steps"][0]["summary"] = "unknown field"
    return write_documents(tmp_path, document)


def test_valid_document_exits_zero(tmp_path: Path, runner: CliRunner) -> None:
    path = write_documents(tmp_path, valid_document())
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 0
    assert result.output == "0 errors, 0 warnings\n"


def test_warnings_alone_exit_zero(tmp_path: Path, runner: CliRunner) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["summary"] = "unknown field"
    path = write_documents(tmp_path, document)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 0
    assert "warning: unknown-field" in result.output
    assert result.output.endswith("0 errors, 1 warning\n")


def test_strict_fails_on_warnings(tmp_path: Path, runner: CliRunner) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["summary"] = "unknown field"
    path = write_documents(tmp_path, document)
    result = runner.invoke(main, ["validate", "--strict", str(path)])
    assert result.exit_code == 1
    assert "error: unknown-field" in result.output


def test_text_format_lists_every_problem(tmp_path: Path, runner: CliRunner) -> None:
    path = _invalid(tmp_path)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{path}:18:5: error: operation-target")
    assert "(at /workflows/0/steps/0/operationId)" in lines[0]
    assert "hint: " in lines[0]
    assert lines[1].startswith(f"{path}:23:5: warning: unknown-field")
    assert lines[-1] == "1 error, 1 warning"


def test_json_format_is_one_object(tmp_path: Path, runner: CliRunner) -> None:
    path = _invalid(tmp_path)
    result = runner.invoke(main, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False
    assert report["errors"] == 1
    assert report["warnings"] == 1
    error = report["diagnostics"][0]
    assert error == {
        "severity": "error",
        "code": "operation-target",
        "message": "no source has an operation with operationId 'nope'",
        "file": str(path),
        "pointer": "/workflows/0/steps/0/operationId",
        "line": 18,
        "column": 5,
        "hint": "operationIds are case-sensitive; check the spelling",
    }


def test_github_format_writes_annotations(tmp_path: Path, runner: CliRunner) -> None:
    path = _invalid(tmp_path)
    result = runner.invoke(main, ["validate", "--format", "github", str(path)])
    assert result.exit_code == 1
    error, warning = result.output.splitlines()
    assert error.startswith(
        f"::error file={path},line=18,col=5,title=operation-target::no source"
    )
    assert warning.startswith(
        f"::warning file={path},line=23,col=5,title=unknown-field::unknown field"
    )
    assert "%0Ahint: operationIds are case-sensitive" in error


def test_github_format_escapes_newlines(tmp_path: Path, runner: CliRunner) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["successCriteria"][0]["condition"] = "$x =="
    path = write_documents(tmp_path, document)
    result = runner.invoke(main, ["validate", "--format", "github", str(path)])
    (line,) = result.output.splitlines()
    assert line.startswith("::error ")
    assert "%0A" in line


def test_several_documents_report_together(tmp_path: Path, runner: CliRunner) -> None:
    good_folder = tmp_path / "good"
    bad_folder = tmp_path / "bad"
    good_folder.mkdir()
    bad_folder.mkdir()
    good = write_documents(good_folder, valid_document())
    bad = _invalid(bad_folder)
    result = runner.invoke(main, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert str(good) not in result.output
    assert str(bad) in result.output


def test_missing_file_is_error(tmp_path: Path, runner: CliRunner) -> None:
    missing = tmp_path / "missing.yaml"
    result = runner.invoke(main, ["validate", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: error: unreadable: file not found" in result.output


def test_directory_is_error(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}: error: unreadable: is a directory, not a file" in (
        result.output
    )


def test_unparsable_document_is_located(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("arazzo: 1.0.1\ninfo: [\n")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}:3:1: error: unreadable: invalid YAML")


def test_installed_command_validates(tmp_path: Path) -> None:
    completed = run_arazzo("validate", "--format", "json", str(_invalid(tmp_path)))
    assert completed.returncode == 1
    assert json.loads(completed.stdout)["errors"] == 1
    assert completed.stderr == ""


def test_run_refuses_invalid_document(tmp_path: Path) -> None:
    completed = run_arazzo("run", "--workflow", "main", str(_invalid(tmp_path)))
    assert completed.returncode == 2
    assert "error: operation-target" in completed.stderr
    assert "no request was sent" in completed.stderr


def test_run_refuses_schema_error(tmp_path: Path) -> None:
    document = valid_document()
    document["info"]["version"] = 1.0
    completed = run_arazzo(
        "run", "--workflow", "main", str(write_documents(tmp_path, document))
    )
    assert completed.returncode == 2
    assert "'version' must be a string, not a number" in completed.stderr


def test_run_strict_refuses_warnings(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["summary"] = "unknown field"
    path = write_documents(tmp_path, document)
    completed = run_arazzo("run", "--strict", "--workflow", "main", str(path))
    assert completed.returncode == 2
    assert "error: unknown-field" in completed.stderr


@pytest.mark.parametrize(
    ("field", "described"),
    [("openapi", "an OpenAPI 3.1.0"), ("swagger", "a Swagger 2.0")],
)
def test_openapi_document_is_one_error(
    tmp_path: Path, runner: CliRunner, field: str, described: str
) -> None:
    path = tmp_path / "openapi.yaml"
    version = "3.1.0" if field == "openapi" else "2.0"
    path.write_text(
        f"{field}: '{version}'\ninfo: {{title: t, version: '1'}}\npaths: {{}}\n"
    )
    result = runner.invoke(main, ["validate", "--format", "json", str(path)])
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert [d["code"] for d in report["diagnostics"]] == ["not-arazzo"]
    assert report["diagnostics"][0]["message"].startswith(
        f"the document is {described}"
    )
