"""Healthchecks to probes: commands, timings, start periods and probe choices."""

from __future__ import annotations

import pytest

from kompile.errors import ConversionError, KompileError
from tests.convert.conftest import ConvertText


def test_healthcheck_without_test_warns(convert_text: ConvertText) -> None:
    text = """
services:
  web:
    image: example/web:1.0
    healthcheck:
      interval: 45s
      retries: 4
"""
    result = convert_text(text)
    container = result.container("Deployment", "web")
    assert "readinessProbe" not in container
    assert "livenessProbe" not in container
    assert result.warned("'web'", "healthcheck", "no test")


def test_cmd_shell_runs_through_sh(convert_text: ConvertText) -> None:
    text = """
services:
  web:
    image: web:1
    healthcheck:
      test: curl -f http://localhost || exit 1
      interval: 1m30s
      timeout: 10s
      retries: 5
"""
    probe = convert_text(text).container("Deployment", "web")["readinessProbe"]
    assert probe["exec"]["command"] == ["sh", "-c", "curl -f http://localhost || exit 1"]
    assert probe["periodSeconds"] == 90
    assert probe["timeoutSeconds"] == 10
    assert probe["failureThreshold"] == 5


def test_cmd_is_the_argv(convert_text: ConvertText) -> None:
    text = """
services:
  db:
    image: postgres:16
    healthcheck: {test: ["CMD", "pg_isready", "-U", "app"]}
"""
    container = convert_text(text).container("Deployment", "db")
    assert container["livenessProbe"]["exec"]["command"] == ["pg_isready", "-U", "app"]
    assert container["readinessProbe"]["exec"]["command"] == ["pg_isready", "-U", "app"]


def test_compose_default_timings(convert_text: ConvertText) -> None:
    text = """
services:
  db:
    image: postgres:16
    healthcheck: {test: ["CMD", "true"]}
"""
    probe = convert_text(text).container("Deployment", "db")["readinessProbe"]
    assert probe["periodSeconds"] == 30
    assert probe["timeoutSeconds"] == 30
    assert probe["failureThreshold"] == 3


def test_start_period_adds_startup_probe(convert_text: ConvertText) -> None:
    text = """
services:
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD", "true"]
      start_period: 40s
      start_interval: 5s
"""
    probe = convert_text(text).container("Deployment", "db")["startupProbe"]
    assert probe["periodSeconds"] == 5
    assert probe["failureThreshold"] == 8


@pytest.mark.parametrize("healthcheck", ["{disable: true}", '{test: ["NONE"]}'])
def test_disabled_healthcheck(convert_text: ConvertText, healthcheck: str) -> None:
    text = f"""
services:
  db:
    image: postgres:16
    healthcheck: {healthcheck}
"""
    result = convert_text(text)
    assert "readinessProbe" not in result.container("Deployment", "db")
    assert result.warnings == []


def test_http_probe_choice(convert_text: ConvertText) -> None:
    text = """
services:
  web:
    image: web:1
    healthcheck: {test: ["CMD", "true"], interval: 10s}
    x-kompile: {probe: {type: http, port: 8080, path: /healthz}}
"""
    probe = convert_text(text).container("Deployment", "web")["readinessProbe"]
    assert probe["httpGet"] == {"path": "/healthz", "port": 8080}
    assert "exec" not in probe
    assert probe["periodSeconds"] == 10


def test_tcp_probe_choice(convert_text: ConvertText) -> None:
    text = """
services:
  db:
    image: db:1
    x-kompile: {probe: {type: tcp, port: 5432}}
"""
    probe = convert_text(text).container("Deployment", "db")["livenessProbe"]
    assert probe["tcpSocket"] == {"port": 5432}


def test_unknown_probe_type_rejected(convert_text: ConvertText) -> None:
    text = """
services:
  db:
    image: db:1
    x-kompile: {probe: {type: grpc, port: 5432}}
"""
    with pytest.raises(ConversionError, match=r"x-kompile\.probe\.type"):
        convert_text(text)


def test_kompose_readiness_labels(convert_text: ConvertText) -> None:
    text = """
services:
  web:
    image: web:1
    healthcheck: {test: ["CMD", "true"]}
    labels:
      kompose.service.healthcheck.readiness.http_get_path: /ready
      kompose.service.healthcheck.readiness.http_get_port: "8080"
      kompose.service.healthcheck.readiness.interval: 5s
"""
    container = convert_text(text).container("Deployment", "web")
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": 8080}
    assert container["readinessProbe"]["periodSeconds"] == 5
    assert container["livenessProbe"]["exec"]["command"] == ["true"]


def test_kompose_readiness_disable(convert_text: ConvertText) -> None:
    text = """
services:
  web:
    image: web:1
    healthcheck: {test: ["CMD", "true"]}
    labels: {kompose.service.healthcheck.readiness.disable: "true"}
"""
    container = convert_text(text).container("Deployment", "web")
    assert "readinessProbe" not in container
    assert "livenessProbe" in container


def test_invalid_interval_rejected(convert_text: ConvertText) -> None:
    text = """
services:
  web:
    image: web:1
    healthcheck: {test: ["CMD", "true"], interval: soon}
"""
    with pytest.raises(KompileError, match=r"healthcheck\.interval"):
        convert_text(text)
