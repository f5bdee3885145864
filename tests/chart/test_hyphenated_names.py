"""Services named with a dash or underscore (``auth-api``, ``web_front``).

Go templates read ``.Values.auth-api`` as a subtraction, so a chart that used compose
names as values keys failed to render. Values keys are camelCase instead, and the
templates never look up a key with a dash.
"""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import yaml
from click.testing import CliRunner

from kompile.cli import cli
from tests.chart import helm
from tests.chart.conftest import GOLDEN
from tests.chart.render import by_identity, render_objects, without_release

COMPOSE = GOLDEN / "hyphenated-service-names" / "compose.yaml"
PREFIX = "rel-hyphenated-service-names-"
# A .Values lookup whose key path contains a dash: a parse error in Go templates.
DASHED_LOOKUP = re.compile(r"\.Values(?:\.[A-Za-z0-9_]+)*\.[A-Za-z0-9_]*-")


def test_values_keys_are_camel_case(make_chart: t.Callable[..., Path]) -> None:
    values = yaml.safe_load((make_chart(COMPOSE) / "values.yaml").read_text())
    assert "authApi" in values
    assert "webFront" in values
    assert "auth-api" not in values
    assert "web_front" not in values


def test_templates_have_no_dashed_lookup(make_chart: t.Callable[..., Path]) -> None:
    templates = make_chart(COMPOSE) / "templates"
    for path in templates.iterdir():
        assert DASHED_LOOKUP.findall(path.read_text()) == [], path.name
    deployment = (templates / "auth-api-deployment.yaml").read_text()
    assert ".Values.authApi.image" in deployment


def test_object_names_stay_dns_names(runner: CliRunner, make_chart: t.Callable[..., Path]) -> None:
    result = runner.invoke(cli, ["convert", "-q", "-f", str(COMPOSE)], catch_exceptions=False)
    expected = by_identity(list(yaml.safe_load_all(result.stdout)))
    rendered = [without_release(obj, PREFIX) for obj in render_objects(make_chart(COMPOSE))]
    actual = by_identity(rendered)
    assert sorted(actual) == sorted(expected)
    assert ("Deployment", "auth-api") in actual
    assert ("Deployment", "web-front") in actual
    for identity, obj in expected.items():
        assert actual[identity] == obj, identity


def test_image_tag_override_changes_one_image(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(COMPOSE)
    objects = by_identity(render_objects(chart, {"authApi": {"image": {"tag": "1.3"}}}))

    def image(name: str) -> str:
        pod = objects[("Deployment", PREFIX + name)]["spec"]["template"]["spec"]
        return str(pod["containers"][0]["image"])

    assert image("auth-api") == "example/auth:1.3"
    assert image("web-front") == "example/front:3.0"


def test_helm_lint_passes(helm_python: Path, make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(COMPOSE)
    messages = helm.lint(helm_python, [chart])[chart]
    assert helm.errors(messages) == []
