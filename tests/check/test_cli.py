"""``kompile check`` on the command line: exit codes, formats, threshold, ignore, secrets.

Exit codes: 1 when an error-level finding remains, 0 otherwise, 2 on invalid input with
one ``Error:`` line on stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kompile.check import RULES
from kompile.cli import cli, main
from tests.check.projects import write_project

LAMP = Path(__file__).resolve().parents[2] / "golden" / "lamp-stack" / "compose.yaml"
SECRET_VALUES = ("my-secret-pw", "my-pw", "hunter2", "abc123")

TIDY = """
services:
  web:
    image: nginx:1.27-alpine
    user: "101"
    labels:
      team: web
    restart: unless-stopped
    mem_limit: 128m
    healthcheck:
      test: [CMD, curl, -f, http://localhost/]
"""


def invoke(runner: CliRunner, compose: Path, *extra: str) -> Result:
    return runner.invoke(cli, ["check", "-f", str(compose), *extra])


def test_errors_exit_1(runner: CliRunner) -> None:
    result = invoke(runner, LAMP, "-q")
    assert result.exit_code == 1
    assert "4 errors" in result.stdout


def test_tidy_project_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    compose = write_project(tmp_path, {"compose.yaml": TIDY})
    result = invoke(runner, compose)
    assert result.exit_code == 0, result.output
    assert result.stdout == "no findings in 1 service\n"


def test_warnings_alone_exit_0(runner: CliRunner, tmp_path: Path) -> None:
    compose = write_project(tmp_path, {"compose.yaml": TIDY.replace("    mem_limit: 128m\n", "")})
    result = invoke(runner, compose)
    assert result.exit_code == 0
    assert "[no-memory-limit]" in result.stdout
    assert result.stdout.endswith("0 errors, 1 warning, 0 info in 1 service\n")


def test_main_returns_exit_code_1() -> None:
    with pytest.raises(SystemExit) as done:
        main(["check", "-q", "-f", str(LAMP)])
    assert done.value.code == 1


def test_severity_threshold_hides_lower(runner: CliRunner) -> None:
    result = invoke(runner, LAMP, "-q", "--severity", "error")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if not line.startswith("    fix:")]
    assert len(lines) == 5
    assert all(" error [" in line for line in lines[:-1])
    assert lines[-1] == "4 errors, 0 warnings, 0 info in 2 services (11 below --severity)"


def test_json_format(runner: CliRunner) -> None:
    result = invoke(runner, LAMP, "-q", "--format", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert document["project"] == "lamp-stack"
    assert document["summary"] == {
        "error": 4,
        "warning": 7,
        "info": 4,
        "ignored": 0,
        "below_threshold": 0,
    }
    first = document["findings"][0]
    assert set(first) == {
        "rule",
        "severity",
        "service",
        "key",
        "file",
        "line",
        "column",
        "message",
        "fix",
    }
    assert first["file"] == "compose.yaml"


def test_ignore_skips_rules(runner: CliRunner, tmp_path: Path) -> None:
    compose_text = LAMP.read_text().replace(
        "  db:\n",
        "  db:\n    x-kompile:\n      check:\n        ignore: [secret-in-environment, user-root]\n",
    )
    compose = write_project(tmp_path, {"compose.yaml": compose_text})
    result = invoke(runner, compose, "-q")
    assert result.exit_code == 1  # web still has its secrets
    assert "services.db.environment" not in result.stdout
    assert "[user-root] services.db" not in result.stdout
    assert "[user-root] services.web" in result.stdout
    assert result.stdout.endswith("(3 ignored by x-kompile.check)\n")


def test_convert_accepts_the_check_key(runner: CliRunner, tmp_path: Path) -> None:
    compose_text = TIDY.replace(
        "    user:", "    x-kompile:\n      check:\n        ignore: []\n    user:"
    )
    compose = write_project(tmp_path, {"compose.yaml": compose_text})
    result = runner.invoke(cli, ["convert", "-q", "-f", str(compose)])
    assert result.exit_code == 0, result.output
    assert "kind: Deployment" in result.stdout


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("ignore: [user-rot]", "unknown rule id 'user-rot'. Did you mean 'user-root'?"),
        ("ignore: user-root", "ignore must be a list of rule ids, not str"),
        ("ignore: [{user-root: true}]", "unknown rule id {'user-root': True}"),
        ("ignored: [user-root]", "unknown check setting 'ignored'"),
        ("[user-root]", "check must be a mapping, not list"),
    ],
    ids=["unknown-rule", "not-a-list", "not-a-string", "unknown-setting", "not-a-mapping"],
)
def test_invalid_check_setting_exits_2(
    runner: CliRunner, tmp_path: Path, setting: str, message: str
) -> None:
    indented = setting if setting.startswith("[") else f"\n        {setting}"
    compose_text = TIDY.replace("    user:", f"    x-kompile:\n      check: {indented}\n    user:")
    compose = write_project(tmp_path, {"compose.yaml": compose_text})
    result = invoke(runner, compose)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_invalid_dockerfile_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    compose = write_project(
        tmp_path,
        {"compose.yaml": "services:\n  app:\n    build: .\n", "Dockerfile": "RUN true\n"},
    )
    result = invoke(runner, compose)
    assert result.exit_code == 2
    assert "Dockerfile:1: RUN comes before the first FROM" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_missing_dockerfile_warns(runner: CliRunner, tmp_path: Path) -> None:
    compose = write_project(tmp_path, {"compose.yaml": "services:\n  app:\n    build: ./web\n"})
    result = invoke(runner, compose)
    assert result.exit_code == 0
    assert "Dockerfile web/Dockerfile not found" in result.stderr
    assert "[build-without-image]" in result.stdout


def test_strict_turns_warnings_into_errors(runner: CliRunner, tmp_path: Path) -> None:
    compose = write_project(tmp_path, {"compose.yaml": "services:\n  app:\n    build: ./web\n"})
    result = invoke(runner, compose, "--strict")
    assert result.exit_code == 2
    assert "not found" in result.stderr


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_secret_values_never_printed(runner: CliRunner, tmp_path: Path, output_format: str) -> None:
    compose_text = LAMP.read_text().replace(
        "    image: mysql:5.7\n",
        "    image: mysql:5.7\n"
        "    command: mysqld --admin-password=hunter2\n"
        "    build:\n      context: .\n      args:\n        NPM_TOKEN: abc123\n",
    )
    dockerfile = "FROM mysql:5.7\nENV API_KEY=abc123\nCMD mysqladmin -phunter2 ping\n"
    compose = write_project(tmp_path, {"compose.yaml": compose_text, "Dockerfile": dockerfile})
    result = invoke(runner, compose, "--format", output_format)
    assert result.exit_code == 1
    assert "secret-in-build-arg" in result.stdout
    assert "command-credentials" in result.stdout
    for value in SECRET_VALUES:
        assert value not in result.stdout
        assert value not in result.stderr


def test_list_rules_names_every_rule(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "--list-rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert sorted(listed) == sorted(RULES)


def test_check_does_not_import_cluster_libraries(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from kompile.cli import main\n"
        "try:\n"
        f"    main(['check', '-q', '-f', {str(LAMP)!r}, '--format', 'sarif'])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 1, done.code\n"
        "print(' '.join(m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'deepdiff')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == ""
