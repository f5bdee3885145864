"""Compose services to workloads: the Deployment and its pod template.

A service runs as a Deployment with one container named after the service. Compose's
``entrypoint`` replaces the image's ENTRYPOINT and ``command`` its CMD, which in Kubernetes
are the container's ``command`` and ``args``. A Deployment that mounts a ReadWriteOnce
claim uses the Recreate strategy, because a rolling update would start the new pod while
the old one still holds the claim, and on another node the new pod would wait forever.
"""

from __future__ import annotations

import typing as t

from kompile.convert.context import Context, Manifest
from kompile.convert.names import dns_label, selector_labels
from kompile.convert.secrets import escape_expansion
from kompile.convert.services import container_ports
from kompile.convert.storage import PodStorage


def compose_labels(service: dict[str, t.Any]) -> dict[str, str]:
    """Return the service's compose ``labels`` as a mapping (list form ``key=value`` too)."""
    labels = service.get("labels") or {}
    if isinstance(labels, list):
        pairs = (str(item).partition("=") for item in labels)
        return {key: value for key, _, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in labels.items()}


def container(
    service_name: str, service: dict[str, t.Any], env: list[dict[str, t.Any]], storage: PodStorage
) -> dict[str, t.Any]:
    """Return the container spec of a service."""
    spec: dict[str, t.Any] = {"name": dns_label(service_name), "image": service["image"]}
    if service.get("entrypoint"):
        spec["command"] = [escape_expansion(word) for word in service["entrypoint"]]
    if service.get("command"):
        spec["args"] = [escape_expansion(word) for word in service["command"]]
    if service.get("working_dir"):
        spec["workingDir"] = service["working_dir"]
    if env:
        spec["env"] = env
    ports = container_ports(service)
    if ports:
        spec["ports"] = ports
    if storage.mounts:
        spec["volumeMounts"] = storage.mounts
    return spec


def deployment(
    context: Context,
    service_name: str,
    service: dict[str, t.Any],
    env: list[dict[str, t.Any]],
    storage: PodStorage,
) -> Manifest:
    """Return the Deployment that runs ``service_name``."""
    project = context.project.name
    metadata = context.metadata("Deployment", service_name, owner=f"service {service_name!r}")
    annotations = compose_labels(service)
    if annotations:
        metadata["annotations"] = annotations
    replicas = (service.get("deploy") or {}).get("replicas")
    pod_metadata: dict[str, t.Any] = {"labels": dict(metadata["labels"])}
    if annotations:
        pod_metadata["annotations"] = dict(annotations)
    pod_spec: dict[str, t.Any] = {"containers": [container(service_name, service, env, storage)]}
    if storage.volumes:
        pod_spec["volumes"] = storage.volumes
    spec: dict[str, t.Any] = {
        "replicas": 1 if replicas is None else int(replicas),
        "selector": {"matchLabels": selector_labels(service_name, project)},
    }
    if storage.uses_single_node_claim:
        spec["strategy"] = {"type": "Recreate"}
    spec["template"] = {"metadata": pod_metadata, "spec": pod_spec}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec}
