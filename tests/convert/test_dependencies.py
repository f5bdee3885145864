"""depends_on conditions: init containers that wait, or an annotation and a warning."""

from __future__ import annotations

from tests.convert.conftest import ConvertText

DEPENDS_CASE = """
services:
  db:
    image: postgres:16
    expose: ["5432"]
    healthcheck: {test: ["CMD", "pg_isready"], interval: 5s}
  migrate:
    image: example/migrate:1
    restart: "no"
    depends_on: {db: {condition: service_healthy}}
  api:
    image: example/api:1
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
"""


def test_dependency_gets_readiness_probe(convert_text: ConvertText) -> None:
    result = convert_text(DEPENDS_CASE)
    probe = result.container("Deployment", "db")["readinessProbe"]
    assert probe["exec"]["command"] == ["pg_isready"]


def test_migration_is_job(convert_text: ConvertText) -> None:
    result = convert_text(DEPENDS_CASE)
    names = [job["metadata"]["name"] for job in result.of_kind("Job")]
    assert len(names) == 1
    assert names[0].startswith("migrate-")
    assert "Deployment/migrate" not in result.names()


def test_without_flag_annotates_and_warns(convert_text: ConvertText) -> None:
    result = convert_text(DEPENDS_CASE)
    annotations = result.get("Deployment", "api")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["kompile/depends-on"] == (
        "db (service_healthy), migrate (service_completed_successfully)"
    )
    assert "initContainers" not in result.pod("Deployment", "api")
    assert result.warned("'api'", "depends_on", "db, migrate", "--wait-for-dependencies")


def test_flag_adds_wait_containers(convert_text: ConvertText) -> None:
    result = convert_text(DEPENDS_CASE, wait_for_dependencies=True)
    init = result.pod("Deployment", "api")["initContainers"]
    assert [container["name"] for container in init] == ["wait-for-db"]
    assert "nc -z -w 2 db 5432" in init[0]["command"][-1]
    assert init[0]["command"][:2] == ["timeout", "300"]


def test_completed_condition_warns_with_flag(convert_text: ConvertText) -> None:
    result = convert_text(DEPENDS_CASE, wait_for_dependencies=True)
    assert result.warned("'api'", "depends_on.migrate", "completed")


def test_dependency_without_ports_waits_for_name(convert_text: ConvertText) -> None:
    text = """
services:
  cache: {image: redis:7}
  app: {image: app:1, depends_on: [cache]}
"""
    result = convert_text(text, wait_for_dependencies=True)
    init = result.pod("Deployment", "app")["initContainers"]
    assert "nslookup cache" in init[0]["command"][-1]
