"""The official `kubernetes` Python client against the double: discovery through
DynamicClient, server-side apply, dry run, error mapping, retries and the `cluster` fixture.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config, dynamic
from kubernetes.dynamic.exceptions import (
    ConflictError,
    NotFoundError,
    TooManyRequestsError,
    UnprocessibleEntityError,
)

from tests.apiserver.plugin import Cluster
from tests.apiserver.server import ApiServer


@pytest.fixture
def dynamic_client(kubeconfig: Path, tmp_path: Path) -> Iterator[dynamic.DynamicClient]:
    api = config.new_client_from_config(config_file=str(kubeconfig))
    # A private discovery cache, because the library caches per host across processes.
    yield dynamic.DynamicClient(api, cache_file=str(tmp_path / "discovery.json"))
    api.close()


def config_map(name: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def test_dynamic_client_discovers_kinds(dynamic_client: dynamic.DynamicClient) -> None:
    for api_version, kind in (
        ("v1", "ConfigMap"),
        ("apps/v1", "Deployment"),
        ("batch/v1", "CronJob"),
        ("networking.k8s.io/v1", "Ingress"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("v1", "ServiceAccount"),
        ("external-secrets.io/v1", "ExternalSecret"),
    ):
        resource = dynamic_client.resources.get(api_version=api_version, kind=kind)
        assert resource.kind == kind


def test_server_side_apply_and_dry_run(dynamic_client: dynamic.DynamicClient) -> None:
    maps = dynamic_client.resources.get(api_version="v1", kind="ConfigMap")
    created = maps.server_side_apply(
        body=config_map("settings", {"a": "1"}), namespace="default", field_manager="kompile"
    )
    assert created.metadata.managedFields[0].manager == "kompile"
    dry = maps.server_side_apply(
        body=config_map("settings", {"a": "2"}),
        namespace="default",
        field_manager="kompile",
        dry_run="All",
    )
    assert dry.data.a == "2"
    assert dry.metadata.resourceVersion == created.metadata.resourceVersion
    assert maps.get(name="settings", namespace="default").data.a == "1"


def test_errors_map_to_client_exceptions(dynamic_client: dynamic.DynamicClient) -> None:
    maps = dynamic_client.resources.get(api_version="v1", kind="ConfigMap")
    with pytest.raises(NotFoundError) as missing:
        maps.get(name="absent", namespace="default")
    assert json.loads(missing.value.body)["reason"] == "NotFound"
    maps.server_side_apply(
        body=config_map("c", {"a": "1"}), namespace="default", field_manager="one"
    )
    with pytest.raises(ConflictError) as conflict:
        maps.server_side_apply(
            body=config_map("c", {"a": "2"}), namespace="default", field_manager="two"
        )
    cause = json.loads(conflict.value.body)["details"]["causes"][0]
    assert cause == {
        "reason": "FieldManagerConflict",
        "message": 'conflict with "one"',
        "field": ".data.a",
    }
    with pytest.raises(UnprocessibleEntityError):
        maps.create(body=config_map("Not_Valid", {}), namespace="default")


def test_too_many_requests_on_patch_raises(
    apiserver: ApiServer, dynamic_client: dynamic.DynamicClient
) -> None:
    maps = dynamic_client.resources.get(api_version="v1", kind="ConfigMap")
    apiserver.fail_next(method="PATCH", path="configmaps", status=429, retry_after=2)
    with pytest.raises(TooManyRequestsError) as throttled:
        maps.server_side_apply(
            body=config_map("c", {"a": "1"}), namespace="default", field_manager="kompile"
        )
    assert throttled.value.headers["Retry-After"] == "2"


def test_typed_client_reads_defaults(kubeconfig: Path) -> None:
    api = config.new_client_from_config(config_file=str(kubeconfig))
    try:
        apps = client.AppsV1Api(api)
        body = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx"}]},
                },
            },
        }
        created = apps.create_namespaced_deployment("default", body)
        assert created.spec.replicas == 1
        assert created.spec.template.spec.containers[0].image_pull_policy == "Always"
        assert created.metadata.generation == 1
    finally:
        api.close()


def test_cluster_fixture_gives_private_namespace(cluster: Cluster) -> None:
    result = cluster.kubectl("get", "namespace", cluster.namespace, "-o", "name")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"namespace/{cluster.namespace}"
    assert cluster.namespace.startswith("kompile-test-")
