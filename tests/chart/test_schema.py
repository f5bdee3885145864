"""values.schema.json: every key kompile writes is listed, so typos are rejected."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.chart import helm
from tests.chart.conftest import CASES, GOLDEN
from tests.chart.render import merge_values

LAMP = GOLDEN / "lamp-stack" / "compose.yaml"


def load(chart: Path) -> tuple[dict[str, t.Any], dict[str, t.Any]]:
    schema = json.loads((chart / "values.schema.json").read_text())
    values = yaml.safe_load((chart / "values.yaml").read_text())
    return schema, values


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_default_values_match_schema(case: str, make_chart: t.Callable[..., Path]) -> None:
    schema, values = load(make_chart(GOLDEN / case / "compose.yaml"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert list(jsonschema.Draft7Validator(schema).iter_errors(values)) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"wbe": {"replicas": 2}},
        {"web": {"replicsa": 2}},
        {"web": {"image": {"tga": "2"}}},
        {"persistence": {"db": {"sise": "2Gi"}}},
        {"secrets": {"webEnv": {"values": {"MYSQL_PASWORD": "x"}}}},
        {"web": {"replicas": "two"}},
        {"web": {"ingress": {"enabeld": True}}},
        {"db": {"autoscaling": {"maxReplica": 4}}},
    ],
    ids=["service", "workload", "image", "persistence", "secret-key", "type", "ingress", "hpa"],
)
def test_schema_rejects_typo(
    overrides: dict[str, t.Any], make_chart: t.Callable[..., Path]
) -> None:
    schema, values = load(make_chart(LAMP))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(merge_values(values, overrides)))
    assert len(errors) == 1


def test_schema_accepts_free_form_fields(make_chart: t.Callable[..., Path]) -> None:
    schema, values = load(make_chart(LAMP))
    overrides = {
        "web": {
            "resources": {"limits": {"cpu": "1"}},
            "env": {"EXTRA": "1"},
            "image": {"tag": 1.3},
        },
        "global": {"anything": True},
    }
    validator = jsonschema.Draft7Validator(schema)
    assert list(validator.iter_errors(merge_values(values, overrides))) == []


def test_helm_lint_rejects_typo_in_values(
    helm_python: Path, make_chart: t.Callable[..., Path]
) -> None:
    chart = make_chart(LAMP)
    values = chart / "values.yaml"
    values.write_text(values.read_text().replace("  replicas: 1", "  replicsa: 1", 1))
    messages = helm.lint(helm_python, [chart])[chart]
    assert "error: values.yaml" in helm.errors(messages)
