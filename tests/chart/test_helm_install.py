"""Charts installed by Helm into the API double hold the objects kompile convert writes.

Helm v4 (through helm-sdkpy) installs each chart with the secret values set, once with
``prefixNames`` true and once false. The objects read back from the double must equal
convert's output for the same compose file, apart from the release-name prefix, Helm's
labels and annotations, and what the server sets. Uninstalling must remove them all.
"""

from __future__ import annotations

import base64
import typing as t
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kompile.cli import cli
from tests.apiserver.server import ApiServer
from tests.chart import helm, live
from tests.chart.conftest import CASES, GOLDEN, REPOSITORY

RELEASE = "rel"
LAMP_CHART = REPOSITORY / "charts" / "lamp-stack"
LAMP_COMPOSE = GOLDEN / "lamp-stack" / "compose.yaml"
LAMP_NAMESPACE = "shop"
GOLDEN_CHARTS = [case for case in CASES if (GOLDEN / case / "chart" / "Chart.yaml").exists()]
PREFIX_MODES = pytest.mark.parametrize("prefixed", [True, False], ids=["prefixed", "unprefixed"])


def converted(runner: CliRunner, compose: Path) -> list[dict[str, t.Any]]:
    result = runner.invoke(cli, ["convert", "-q", "-f", str(compose)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return [obj for obj in yaml.safe_load_all(result.stdout) if obj]


def name_prefix(chart: Path, prefixed: bool) -> str:
    """Return what the release puts before each object name: ``rel-<chart>-`` or ""."""
    name = yaml.safe_load((chart / "Chart.yaml").read_text())["name"]
    return f"{RELEASE}-{name}-" if prefixed else ""


def release_for(
    chart: Path, namespace: str, expected: list[dict[str, t.Any]], prefixed: bool, **extra: t.Any
) -> helm.Release:
    values = {"prefixNames": prefixed, **live.secret_values(expected), **extra}
    return helm.Release(RELEASE, namespace, chart, values)


def installed_differences(
    stored: list[dict[str, t.Any]], expected: list[dict[str, t.Any]], prefix: str
) -> list[str]:
    """Return how the objects a release stored in one namespace differ from ``expected``."""
    release_free = [live.release_free(obj, prefix) for obj in live.chart_objects(stored)]
    return live.differences(expected, release_free)


@PREFIX_MODES
def test_lamp_chart_installs_convert_output(
    prefixed: bool,
    apiserver: ApiServer,
    kubeconfig: Path,
    helm_python: Path,
    runner: CliRunner,
) -> None:
    apiserver.create_namespace(LAMP_NAMESPACE)
    expected = converted(runner, LAMP_COMPOSE)
    release = release_for(LAMP_CHART, LAMP_NAMESPACE, expected, prefixed)
    hidden = live.secret_texts(release.values)
    assert helm.install(helm_python, kubeconfig, [release], hidden=hidden) == [""]

    stored = live.read_objects(apiserver.url)[LAMP_NAMESPACE]
    names = {live.identity(obj) for obj in stored}
    web = "rel-lamp-stack-web" if prefixed else "web"
    assert ("Deployment", web) in names
    assert ("Secret", "sh.helm.release.v1.rel.v1") in names
    prefix = name_prefix(LAMP_CHART, prefixed)
    assert installed_differences(stored, expected, prefix) == []

    assert helm.uninstall(helm_python, kubeconfig, [release]) == [""]
    assert live.read_objects(apiserver.url).get(LAMP_NAMESPACE, []) == []


def test_install_comparison_finds_changes(
    apiserver: ApiServer, kubeconfig: Path, helm_python: Path, runner: CliRunner
) -> None:
    apiserver.create_namespace(LAMP_NAMESPACE)
    expected = converted(runner, LAMP_COMPOSE)
    release = release_for(LAMP_CHART, LAMP_NAMESPACE, expected, True, web={"replicas": 3})
    changed_secret = "changed-db-password"
    release.values["secrets"]["dbEnv"]["values"]["MYSQL_PASSWORD"] = changed_secret
    hidden = live.secret_texts(release.values)
    assert helm.install(helm_python, kubeconfig, [release], hidden=hidden) == [""]

    stored = live.read_objects(apiserver.url)[LAMP_NAMESPACE]
    found = installed_differences(stored, expected, "rel-lamp-stack-")
    assert any(line.startswith("Deployment/web: ") and "replicas" in line for line in found)
    assert any(line.startswith("Secret/db-env: ") and "MYSQL_PASSWORD" in line for line in found)
    encoded = base64.b64encode(changed_secret.encode()).decode()
    assert not any(changed_secret in line for line in found)
    assert not any(encoded in line for line in found)
    assert len(found) == 2, found


@PREFIX_MODES
def test_golden_charts_install_convert_output(
    prefixed: bool,
    apiserver: ApiServer,
    kubeconfig: Path,
    helm_python: Path,
    runner: CliRunner,
) -> None:
    expected = {case: converted(runner, GOLDEN / case / "compose.yaml") for case in GOLDEN_CHARTS}
    releases = []
    for case in GOLDEN_CHARTS:
        apiserver.create_namespace(case)
        releases.append(release_for(GOLDEN / case / "chart", case, expected[case], prefixed))
    hidden = [text for release in releases for text in live.secret_texts(release.values)]
    errors = helm.install(helm_python, kubeconfig, releases, hidden=hidden)
    failed = {case: error for case, error in zip(GOLDEN_CHARTS, errors, strict=True) if error}
    assert failed == {}

    stored = live.read_objects(apiserver.url)
    mismatches = {}
    for case in GOLDEN_CHARTS:
        prefix = name_prefix(GOLDEN / case / "chart", prefixed)
        found = installed_differences(stored.get(case, []), expected[case], prefix)
        if found:
            mismatches[case] = found
    assert mismatches == {}

    errors = helm.uninstall(helm_python, kubeconfig, releases, wait=False)
    failed = {case: error for case, error in zip(GOLDEN_CHARTS, errors, strict=True) if error}
    assert failed == {}
    remaining = live.read_objects(apiserver.url)
    left = {case: [live.identity(obj) for obj in remaining.get(case, [])] for case in GOLDEN_CHARTS}
    assert {case: names for case, names in left.items() if names} == {}
