"""The resource types the double serves, and how the server treats each of them.

One table drives discovery, OpenAPI, routing and the write path, so a type added here is
served everywhere at once. The flags mirror the registry strategies of kube-apiserver 1.32:
which types count `metadata.generation`, which reset `status` on writes to the main
resource, which have a `scale` subresource and which return the deleted object from DELETE.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceType:
    """One API resource: group/version/plural, Kind, scope and server behaviour flags."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # The server sets generation 1 at create and counts spec changes.
    tracks_generation: bool = False
    # Status is a subresource, so writes to the main resource keep the stored status.
    has_status: bool = True
    has_scale: bool = False
    # DELETE returns the object (Pod, ServiceAccount) instead of a Success Status.
    returns_deleted_object: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version_path(self) -> str:
        """Return the URL prefix, `/api/v1` or `/apis/<group>/<version>`."""
        if self.group:
            return f"/apis/{self.group}/{self.version}"
        return f"/api/{self.version}"


RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(
        "", "v1", "namespaces", "namespace", "Namespace", namespaced=False, short_names=("ns",)
    ),
    ResourceType(
        "", "v1", "configmaps", "configmap", "ConfigMap", short_names=("cm",), has_status=False
    ),
    ResourceType("", "v1", "secrets", "secret", "Secret", has_status=False),
    ResourceType(
        "", "v1", "services", "service", "Service", short_names=("svc",), categories=("all",)
    ),
    ResourceType(
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        short_names=("pvc",),
    ),
    ResourceType(
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        short_names=("sa",),
        has_status=False,
        returns_deleted_object=True,
    ),
    ResourceType(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        short_names=("po",),
        categories=("all",),
        returns_deleted_object=True,
    ),
    ResourceType("", "v1", "events", "event", "Event", short_names=("ev",), has_status=False),
    ResourceType(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        short_names=("deploy",),
        categories=("all",),
        tracks_generation=True,
        has_scale=True,
    ),
    # Served so that clients which look up a Deployment's ReplicaSets (Helm's readiness
    # check) find the type; the simulated controllers create no ReplicaSets.
    ResourceType(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        short_names=("rs",),
        categories=("all",),
        tracks_generation=True,
        has_scale=True,
    ),
    ResourceType(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        short_names=("sts",),
        categories=("all",),
        tracks_generation=True,
        has_scale=True,
    ),
    ResourceType(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        short_names=("ds",),
        categories=("all",),
        tracks_generation=True,
    ),
    ResourceType("batch", "v1", "jobs", "job", "Job", categories=("all",), tracks_generation=True),
    ResourceType(
        "batch",
        "v1",
        "cronjobs",
        "cronjob",
        "CronJob",
        short_names=("cj",),
        categories=("all",),
        tracks_generation=True,
    ),
    ResourceType(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "ingress",
        "Ingress",
        short_names=("ing",),
        tracks_generation=True,
    ),
    ResourceType(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "networkpolicy",
        "NetworkPolicy",
        short_names=("netpol",),
        tracks_generation=True,
        has_status=False,
    ),
    ResourceType(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        short_names=("hpa",),
        categories=("all",),
    ),
    # A custom resource: the apiextensions server counts generation for every CRD object.
    ResourceType(
        "external-secrets.io",
        "v1",
        "externalsecrets",
        "externalsecret",
        "ExternalSecret",
        short_names=("es",),
        categories=("external-secrets",),
        tracks_generation=True,
    ),
)


def find_by_plural(group: str, version: str, plural: str) -> ResourceType | None:
    for resource in RESOURCE_TYPES:
        if (resource.group, resource.version, resource.plural) == (group, version, plural):
            return resource
    return None


def find_by_kind(api_version: str, kind: str) -> ResourceType | None:
    for resource in RESOURCE_TYPES:
        if resource.api_version == api_version and resource.kind == kind:
            return resource
    return None


def group_versions() -> list[tuple[str, str]]:
    """Return the (group, version) pairs in table order, each once, core group first."""
    seen: list[tuple[str, str]] = []
    for resource in RESOURCE_TYPES:
        pair = (resource.group, resource.version)
        if pair not in seen:
            seen.append(pair)
    return seen


def resources_in(group: str, version: str) -> list[ResourceType]:
    return [r for r in RESOURCE_TYPES if (r.group, r.version) == (group, version)]
