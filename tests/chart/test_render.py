"""Render equivalence: with default values the chart renders what convert writes.

helm-sdkpy 0.1.32 cannot render a chart without a cluster, so the templates are rendered
by `tests.chart.gotemplate`, a renderer for the template subset the chart writer uses,
and compared object by object with ``kompile convert``'s output. The release adds a name
prefix and Helm's labels; `without_release` takes those off before the comparison.
"""

from __future__ import annotations

import base64
import typing as t
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kompile.cli import cli
from tests.chart.conftest import CASES, GOLDEN
from tests.chart.gotemplate import TemplateError
from tests.chart.render import by_identity, render_chart, render_objects, without_release
from tests.kubeschema import schema_errors

LAMP = GOLDEN / "lamp-stack" / "compose.yaml"
PREFIX = "rel-lamp-stack-"


def converted(runner: CliRunner, compose: Path) -> list[dict[str, t.Any]]:
    result = runner.invoke(cli, ["convert", "-q", "-f", str(compose)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return list(yaml.safe_load_all(result.stdout))


def secret_values(objects: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    """Return values that give every Secret of ``objects`` its converted data."""
    secrets = {}
    for obj in objects:
        if obj["kind"] == "Secret":
            key = obj["metadata"]["name"].replace("-env", "Env")
            data = {k: base64.b64decode(v).decode() for k, v in obj["data"].items()}
            secrets[key] = {"values": data}
    return {"secrets": secrets}


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_default_values_render_convert_output(
    case: str, runner: CliRunner, make_chart: t.Callable[..., Path]
) -> None:
    compose = GOLDEN / case / "compose.yaml"
    chart = make_chart(compose, "--chart-secret-values")
    name = yaml.safe_load((chart / "Chart.yaml").read_text())["name"]
    rendered = [without_release(obj, f"rel-{name}-") for obj in render_objects(chart)]
    expected = by_identity(converted(runner, compose))
    actual = by_identity(rendered)
    assert sorted(actual) == sorted(expected)
    for identity, obj in expected.items():
        assert actual[identity] == obj, identity


def test_names_carry_release(make_chart: t.Callable[..., Path]) -> None:
    objects = render_objects(make_chart(LAMP, "--chart-secret-values"), release="shop")
    names = sorted(obj["metadata"]["name"] for obj in objects)
    assert names[0] == "shop-lamp-stack-app"
    assert all(name.startswith("shop-lamp-stack-") for name in names)


def test_release_labels_added(make_chart: t.Callable[..., Path]) -> None:
    objects = by_identity(render_objects(make_chart(LAMP, "--chart-secret-values")))
    web = objects[("Deployment", PREFIX + "web")]
    assert web["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert web["metadata"]["labels"]["app.kubernetes.io/instance"] == "rel"
    assert web["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "web",
        "app.kubernetes.io/part-of": "lamp-stack",
        "app.kubernetes.io/instance": "rel",
    }


def test_prefix_names_off_keeps_compose_names(
    runner: CliRunner, make_chart: t.Callable[..., Path]
) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    objects = render_objects(chart, {"prefixNames": False})
    expected = by_identity(converted(runner, LAMP))
    assert sorted(by_identity(objects)) == sorted(expected)


def test_secret_values_required_by_default(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP)
    with pytest.raises(TemplateError, match=r"secrets\.dbEnv\.values\.MYSQL_PASSWORD is required"):
        render_objects(chart)


def test_secret_values_given_at_install(
    runner: CliRunner, make_chart: t.Callable[..., Path]
) -> None:
    expected = converted(runner, LAMP)
    chart = make_chart(LAMP)
    rendered = render_objects(chart, secret_values(expected))
    actual = by_identity([without_release(obj, PREFIX) for obj in rendered])
    for obj in expected:
        assert actual[(obj["kind"], obj["metadata"]["name"])] == obj


def test_secret_values_absent_from_chart(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP)
    for path in chart.rglob("*"):
        if path.is_file():
            assert "my-secret-pw" not in path.read_text(), path


def test_existing_secret_replaces_secret(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP)
    overrides = secret_values([])
    overrides["secrets"] = {
        "webEnv": {"existingSecret": "web-credentials"},
        "dbEnv": {"existingSecret": "db-credentials"},
    }
    objects = by_identity(render_objects(chart, overrides))
    assert not [identity for identity in objects if identity[0] == "Secret"]
    env = objects[("Deployment", PREFIX + "web")]["spec"]["template"]["spec"]["containers"][0]
    references = [
        item["valueFrom"]["secretKeyRef"]["name"] for item in env["env"] if "valueFrom" in item
    ]
    assert references == ["web-credentials", "web-credentials"]


def test_persistence_off_uses_empty_dir(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    objects = by_identity(render_objects(chart, {"persistence": {"db": {"enabled": False}}}))
    assert ("PersistentVolumeClaim", PREFIX + "db") not in objects
    assert ("PersistentVolumeClaim", PREFIX + "app") in objects
    pod = objects[("Deployment", PREFIX + "db")]["spec"]["template"]["spec"]
    assert pod["volumes"] == [{"name": "db", "emptyDir": {}}]


def test_existing_claim_used(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    overrides = {"persistence": {"app": {"existingClaim": "site-files"}}}
    objects = by_identity(render_objects(chart, overrides))
    assert ("PersistentVolumeClaim", PREFIX + "app") not in objects
    pod = objects[("Deployment", PREFIX + "web")]["spec"]["template"]["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"] == {"claimName": "site-files"}


def test_claim_size_and_class(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    overrides = {"persistence": {"db": {"size": "20Gi", "storageClass": "fast"}}}
    claim = by_identity(render_objects(chart, overrides))[("PersistentVolumeClaim", PREFIX + "db")]
    assert claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    assert claim["spec"]["storageClassName"] == "fast"


def test_workload_values_reach_pod(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    resources = {"limits": {"memory": "512Mi"}}
    probe = {"tcpSocket": {"port": 3306}, "periodSeconds": 10}
    overrides = {
        "db": {
            "replicas": 2,
            "image": {"tag": "8.0", "pullPolicy": "Always"},
            "env": {"MYSQL_USER": "shop", "TZ": "UTC"},
            "resources": resources,
            "livenessProbe": probe,
            "nodeSelector": {"disk": "ssd"},
            "tolerations": [{"key": "db", "operator": "Exists"}],
            "podSecurityContext": {"fsGroup": 999},
            "securityContext": {"runAsNonRoot": True},
        }
    }
    objects = by_identity(render_objects(chart, overrides))

    deployment = objects[("Deployment", PREFIX + "db")]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert deployment["spec"]["replicas"] == 2
    assert container["image"] == "mysql:8.0"
    assert container["imagePullPolicy"] == "Always"
    assert {"name": "MYSQL_USER", "value": "shop"} in container["env"]
    assert container["env"][-1] == {"name": "TZ", "value": "UTC"}
    assert container["resources"] == resources
    assert container["livenessProbe"] == probe
    assert container["securityContext"] == {"runAsNonRoot": True}
    assert pod["nodeSelector"] == {"disk": "ssd"}
    assert pod["tolerations"] == [{"key": "db", "operator": "Exists"}]
    assert pod["securityContext"] == {"fsGroup": 999}

    web = objects[("Deployment", PREFIX + "web")]["spec"]["template"]["spec"]["containers"][0]
    assert web["image"] == "my-lamp-stack:latest"


def test_service_type_and_ports(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    ports = [{"name": "http", "port": 8080, "targetPort": 80, "protocol": "TCP"}]
    overrides = {"web": {"service": {"type": "LoadBalancer", "ports": ports}}}
    service = by_identity(render_objects(chart, overrides))[("Service", PREFIX + "web")]
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["ports"] == ports


def test_notes_name_port_forward(make_chart: t.Callable[..., Path]) -> None:
    notes = render_chart(make_chart(LAMP, "--chart-secret-values"))["NOTES.txt"]
    assert "port-forward service/rel-lamp-stack-web 8080:80" in notes
    assert "{{" not in notes


def test_template_braces_kept_verbatim(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(GOLDEN / "verbatim-values" / "compose.yaml", "--chart-secret-values")
    objects = by_identity(render_objects(chart))
    container = objects[("Deployment", "rel-verbatim-values-renderer")]["spec"]["template"]
    container = container["spec"]["containers"][0]
    assert container["args"][2] == "echo '{{ .Values.greeting }}' > /tmp/out && sleep 3600"
    assert {"name": "GREETING", "value": "hello {{ name }}"} in container["env"]
    assert {"name": "ENABLED", "value": "yes"} in container["env"]


def test_ingress_off_by_default(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    kinds = {obj["kind"] for obj in render_objects(chart)}
    assert "Ingress" not in kinds
    assert "HorizontalPodAutoscaler" not in kinds


def test_ingress_enabled_is_valid(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    ingress_values = {
        "enabled": True,
        "className": "nginx",
        "annotations": {"example.com/owner": "shop"},
        "hosts": [{"host": "shop.example.com", "paths": [{"path": "/"}]}],
        "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
    }
    objects = render_objects(chart, {"web": {"ingress": ingress_values}})
    ingress = by_identity(objects)[("Ingress", PREFIX + "web")]
    assert schema_errors([ingress]) == []
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == ingress_values["tls"]
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "shop.example.com"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": PREFIX + "web", "port": {"number": 80}}


def test_autoscaling_enabled_drops_replicas(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    overrides = {"web": {"autoscaling": {"enabled": True, "maxReplicas": 6}}}
    objects = by_identity(render_objects(chart, overrides))
    autoscaler = objects[("HorizontalPodAutoscaler", PREFIX + "web")]
    assert schema_errors([autoscaler]) == []
    assert autoscaler["spec"]["maxReplicas"] == 6
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == PREFIX + "web"
    assert "replicas" not in objects[("Deployment", PREFIX + "web")]["spec"]
    assert objects[("Deployment", PREFIX + "db")]["spec"]["replicas"] == 1


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_rendered_objects_are_valid(case: str, make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(GOLDEN / case / "compose.yaml", "--chart-secret-values")
    objects = render_objects(chart)
    assert objects
    assert schema_errors(objects) == []
