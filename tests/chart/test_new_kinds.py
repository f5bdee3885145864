"""Objects and fields the mapping does not make yet still reach the chart intact.

The chart writer keeps every field it does not turn into a value, and renames every
reference to an object of the chart, so kinds such as StatefulSet, ConfigMap, Ingress and
HorizontalPodAutoscaler render as given.
"""

from __future__ import annotations

import copy
import typing as t
from pathlib import Path

from kompile.output.chart import build_chart, write_chart
from tests.chart.render import by_identity, render_objects, without_release

PROJECT = "shop"
LABELS = {
    "app.kubernetes.io/name": "api",
    "app.kubernetes.io/part-of": PROJECT,
    "app.kubernetes.io/managed-by": "kompile",
}
SELECTOR = {k: v for k, v in LABELS.items() if not k.endswith("managed-by")}


def metadata(name: str) -> dict[str, t.Any]:
    return {"name": name, "labels": dict(LABELS)}


OBJECTS: list[dict[str, t.Any]] = [
    {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata("api-config"),
        "data": {"settings.ini": "[main]\nmode = {{ fast }}\n", "LEVEL": "08"},
    },
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata("api"),
        "spec": {
            "selector": dict(SELECTOR),
            "ports": [{"name": "tcp-80", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
        },
    },
    {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": metadata("api"),
        "spec": {
            "serviceName": "api",
            "replicas": 3,
            "selector": {"matchLabels": dict(SELECTOR)},
            "template": {
                "metadata": {"labels": dict(LABELS)},
                "spec": {
                    "containers": [
                        {
                            "name": "api",
                            "image": "example/api:2.0",
                            "resources": {"limits": {"memory": "256Mi"}},
                            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                            "envFrom": [{"configMapRef": {"name": "api-config"}}],
                            "volumeMounts": [{"name": "settings", "mountPath": "/etc/api"}],
                        }
                    ],
                    "volumes": [{"name": "settings", "configMap": {"name": "api-config"}}],
                },
            },
        },
    },
    {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata("api"),
        "spec": {
            "rules": [
                {
                    "host": "shop.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "api", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ]
        },
    },
    {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata("api"),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "api"},
            "minReplicas": 1,
            "maxReplicas": 5,
        },
    },
]


def make(tmp_path: Path) -> Path:
    files = build_chart(PROJECT, copy.deepcopy(OBJECTS), ["api"])
    folder = tmp_path / "chart"
    write_chart(folder, files, secret_values=False)
    return folder


def test_new_kinds_render_as_given(tmp_path: Path) -> None:
    rendered = [without_release(obj, "rel-shop-") for obj in render_objects(make(tmp_path))]
    actual = by_identity(rendered)
    expected = by_identity(OBJECTS)
    assert sorted(actual) == sorted(expected)
    for identity, obj in expected.items():
        assert actual[identity] == obj, identity


def test_references_follow_release(tmp_path: Path) -> None:
    objects = by_identity(render_objects(make(tmp_path)))
    workload = objects[("StatefulSet", "rel-shop-api")]
    assert workload["spec"]["serviceName"] == "rel-shop-api"
    pod = workload["spec"]["template"]["spec"]
    assert pod["volumes"][0]["configMap"]["name"] == "rel-shop-api-config"
    assert pod["containers"][0]["envFrom"][0]["configMapRef"]["name"] == "rel-shop-api-config"
    backend = objects[("Ingress", "rel-shop-api")]["spec"]["rules"][0]["http"]["paths"][0]
    assert backend["backend"]["service"]["name"] == "rel-shop-api"
    target = objects[("HorizontalPodAutoscaler", "rel-shop-api")]["spec"]["scaleTargetRef"]
    assert target["name"] == "rel-shop-api"


def test_workload_fields_become_values(tmp_path: Path) -> None:
    chart = make(tmp_path)
    overrides = {"api": {"replicas": 1, "resources": {"limits": {"memory": "1Gi"}}}}
    objects = by_identity(render_objects(chart, overrides))
    workload = objects[("StatefulSet", "rel-shop-api")]
    assert workload["spec"]["replicas"] == 1
    container = workload["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"] == {"limits": {"memory": "1Gi"}}
    assert container["readinessProbe"] == {"httpGet": {"path": "/ready", "port": 8080}}
