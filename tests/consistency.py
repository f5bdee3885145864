"""Cross-object checks that schema validation cannot make, for any list of manifests.

The schemas check each object alone. These checks look at the objects together, as a
cluster would when it runs them:

- no two objects share kind, namespace and name;
- every object name is a DNS-1123 subdomain, and the names that become DNS labels
  (Services, workloads, containers, pod volumes, Namespaces) are DNS-1123 labels;
- every Service with a selector selects the pod template of some workload;
- every volumeMount names a volume of its pod, and no two mounts of a container share a
  path;
- every ConfigMap, Secret and claim that a pod uses is among the objects or is named as
  external;
- every Ingress backend is a Service among the objects, with that port, and every
  autoscaler targets a workload among the objects.

TLS Secrets of an Ingress are usually made by a certificate manager, so they are not
required to be among the objects.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Iterable

Manifest = dict[str, t.Any]

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_KINDS = ("Service", "Namespace", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


def is_dns_label(name: str) -> bool:
    return len(name) <= 63 and bool(_LABEL.match(name))


def is_dns_subdomain(name: str) -> bool:
    return len(name) <= 253 and bool(_SUBDOMAIN.match(name))


def pod_template(workload: Manifest) -> dict[str, t.Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return t.cast(dict[str, t.Any], spec["template"])


def _identity(obj: Manifest) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def _name_errors(objects: list[Manifest]) -> list[str]:
    errors = []
    seen: set[tuple[str, str | None, str]] = set()
    for obj in objects:
        name = obj["metadata"]["name"]
        key = (obj["kind"], obj["metadata"].get("namespace"), name)
        if key in seen:
            errors.append(f"{_identity(obj)}: two objects share this kind and name")
        seen.add(key)
        valid = is_dns_label(name) if obj["kind"] in LABEL_KINDS else is_dns_subdomain(name)
        if not valid:
            errors.append(f"{_identity(obj)}: the name is not a valid DNS-1123 name")
    return errors


def _references(pod: dict[str, t.Any]) -> list[tuple[str, str]]:
    """Return (kind, name) of every ConfigMap, Secret and claim a pod spec uses."""
    found: list[tuple[str, str]] = []
    for volume in pod.get("volumes") or []:
        if "configMap" in volume:
            found.append(("ConfigMap", volume["configMap"]["name"]))
        if "secret" in volume:
            found.append(("Secret", volume["secret"]["secretName"]))
        if "persistentVolumeClaim" in volume:
            found.append(("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]))
    containers = [*(pod.get("initContainers") or []), *pod["containers"]]
    for container in containers:
        for source in container.get("envFrom") or []:
            if "configMapRef" in source:
                found.append(("ConfigMap", source["configMapRef"]["name"]))
            if "secretRef" in source:
                found.append(("Secret", source["secretRef"]["name"]))
        for variable in container.get("env") or []:
            value_from = variable.get("valueFrom") or {}
            if "configMapKeyRef" in value_from:
                found.append(("ConfigMap", value_from["configMapKeyRef"]["name"]))
            if "secretKeyRef" in value_from:
                found.append(("Secret", value_from["secretKeyRef"]["name"]))
    return found


def _pod_errors(workload: Manifest, emitted: set[tuple[str, str]]) -> list[str]:
    errors = []
    identity = _identity(workload)
    pod = pod_template(workload)["spec"]
    volumes = [volume["name"] for volume in pod.get("volumes") or []]
    for name in volumes:
        if not is_dns_label(name):
            errors.append(f"{identity}: volume {name!r} is not a valid DNS-1123 label")
        if volumes.count(name) > 1:
            errors.append(f"{identity}: two volumes are named {name!r}")
    # A StatefulSet's volumeClaimTemplates give each pod a volume of the template's name.
    templates = (
        (workload["spec"].get("volumeClaimTemplates") or [])
        if workload["kind"] == "StatefulSet"
        else []
    )
    mountable = volumes + [template["metadata"]["name"] for template in templates]
    for container in [*(pod.get("initContainers") or []), *pod["containers"]]:
        if not is_dns_label(container["name"]):
            errors.append(f"{identity}: container {container['name']!r} is not a DNS-1123 label")
        paths: list[str] = []
        for mount in container.get("volumeMounts") or []:
            if mount["name"] not in mountable:
                errors.append(f"{identity}: volumeMount {mount['name']!r} has no volume")
            if mount["mountPath"] in paths:
                errors.append(f"{identity}: two mounts share the path {mount['mountPath']}")
            paths.append(mount["mountPath"])
    for reference in _references(pod):
        if reference not in emitted:
            errors.append(
                f"{identity}: {reference[0]}/{reference[1]} is neither emitted nor external"
            )
    return errors


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def _service_errors(objects: list[Manifest]) -> list[str]:
    errors = []
    templates = [
        pod_template(obj)["metadata"].get("labels") or {}
        for obj in objects
        if obj["kind"] in WORKLOAD_KINDS
    ]
    ports: dict[str, list[int]] = {}
    for service in (obj for obj in objects if obj["kind"] == "Service"):
        ports[service["metadata"]["name"]] = [
            port["port"] for port in service["spec"].get("ports") or []
        ]
        selector = service["spec"].get("selector")
        if selector and not any(_selects(selector, labels) for labels in templates):
            errors.append(f"{_identity(service)}: the selector matches no pod template")
    for ingress in (obj for obj in objects if obj["kind"] == "Ingress"):
        for rule in ingress["spec"].get("rules") or []:
            for path in rule.get("http", {}).get("paths") or []:
                backend = path["backend"]["service"]
                if backend["name"] not in ports:
                    errors.append(f"{_identity(ingress)}: Service {backend['name']} is missing")
                elif backend["port"].get("number") not in ports[backend["name"]]:
                    errors.append(f"{_identity(ingress)}: the backend port is not a Service port")
    return errors


def _autoscaler_errors(objects: list[Manifest]) -> list[str]:
    errors = []
    workloads = {(obj["kind"], obj["metadata"]["name"]) for obj in objects}
    for hpa in (obj for obj in objects if obj["kind"] == "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) not in workloads:
            errors.append(f"{_identity(hpa)}: the target {target['kind']} is missing")
    return errors


def consistency_errors(
    objects: list[Manifest], external: Iterable[tuple[str, str]] = ()
) -> list[str]:
    """Return one line per inconsistency among ``objects``; ``external`` may be referenced."""
    emitted = {(obj["kind"], obj["metadata"]["name"]) for obj in objects} | set(external)
    # An ExternalSecret makes its operator create the Secret named by its target.
    emitted |= {
        ("Secret", obj["spec"]["target"]["name"])
        for obj in objects
        if obj["kind"] == "ExternalSecret"
    }
    errors = _name_errors(objects)
    for workload in (obj for obj in objects if obj["kind"] in WORKLOAD_KINDS):
        errors += _pod_errors(workload, emitted)
    errors += _service_errors(objects)
    errors += _autoscaler_errors(objects)
    return errors
