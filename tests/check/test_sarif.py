"""SARIF output validated against the SARIF 2.1.0 JSON schema shipped beside this file.

sarif-2.1.0.schema.json is the OASIS SARIF 2.1.0 schema (release 2.1.0-rtm.5, JSON
Schema draft 4) as the npm package @microsoft/jest-sarif 1.0.0-beta.0 ships it in
lib/schemas/sarif-2.1.0-rtm.5.json (MIT licence).
"""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kompile.check import all_rules
from kompile.cli import cli
from tests.check.projects import write_project

SCHEMA = json.loads((Path(__file__).parent / "sarif-2.1.0.schema.json").read_text())
LAMP = Path(__file__).resolve().parents[2] / "golden" / "lamp-stack" / "compose.yaml"

DOCKERFILE_PROJECT = {
    "compose.yaml": """
        services:
          api:
            build:
              context: ./api
            ports: ["8080:8080"]
    """,
    "api/Dockerfile": """
        FROM python:3.12
        RUN apt-get update && apt-get install -y gcc
        COPY id_rsa /root/.ssh/id_rsa
        CMD supervisord -n
    """,
}


def sarif_of(runner: CliRunner, compose: Path) -> dict[str, t.Any]:
    result = runner.invoke(cli, ["check", "-q", "--format", "sarif", "-f", str(compose)])
    assert result.exit_code in (0, 1), result.output
    document: dict[str, t.Any] = json.loads(result.stdout)
    return document


def schema_errors(document: object) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA)
    return [error.message for error in validator.iter_errors(document)]


def test_schema_rejects_a_broken_log() -> None:
    assert schema_errors({"version": "2.1.0", "runs": [{"results": []}]}) != []


def test_lamp_sarif_is_valid(runner: CliRunner) -> None:
    document = sarif_of(runner, LAMP)
    assert schema_errors(document) == []


@pytest.fixture
def dockerfile_sarif(runner: CliRunner, tmp_path: Path) -> dict[str, t.Any]:
    return sarif_of(runner, write_project(tmp_path, DOCKERFILE_PROJECT))


def test_dockerfile_sarif_is_valid(dockerfile_sarif: dict[str, t.Any]) -> None:
    assert schema_errors(dockerfile_sarif) == []


def test_results_point_into_the_dockerfile(dockerfile_sarif: dict[str, t.Any]) -> None:
    run = dockerfile_sarif["runs"][0]
    places = {
        (result["ruleId"], location["physicalLocation"]["artifactLocation"]["uri"])
        for result in run["results"]
        for location in result["locations"]
    }
    assert ("secret-file-in-image", "api/Dockerfile") in places
    assert ("multiple-processes", "api/Dockerfile") in places
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"].endswith("/")


def test_rule_index_matches_rule_table(dockerfile_sarif: dict[str, t.Any]) -> None:
    run = dockerfile_sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.id for rule in all_rules()]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
