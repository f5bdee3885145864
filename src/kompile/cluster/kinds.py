"""Where each object kind lives in the Kubernetes API.

The kinds kompile emits are listed here, so applying them needs no discovery requests.
Any other kind is looked up once through the discovery document of its group version.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

Manifest = dict[str, t.Any]


@dataclass(frozen=True)
class Resource:
    """An API resource: group version, kind, plural name and scope."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool = True

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def qualified(self) -> str:
        """Return ``plural.group`` as kubectl prints it: ``deployments.apps``, ``services``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def display(self) -> str:
        """Return ``kind.group`` in lower case, kubectl's prefix: ``deployment.apps``."""
        kind = self.kind.lower()
        return f"{kind}.{self.group}" if self.group else kind

    def collection_path(self, namespace: str | None) -> str:
        prefix = f"/apis/{self.api_version}" if self.group else f"/api/{self.api_version}"
        if self.namespaced and namespace:
            return f"{prefix}/namespaces/{namespace}/{self.plural}"
        return f"{prefix}/{self.plural}"

    def object_path(self, namespace: str | None, name: str) -> str:
        return f"{self.collection_path(namespace)}/{name}"


KNOWN: tuple[Resource, ...] = (
    Resource("v1", "Namespace", "namespaces", namespaced=False),
    Resource("v1", "ServiceAccount", "serviceaccounts"),
    Resource("v1", "Secret", "secrets"),
    Resource("v1", "ConfigMap", "configmaps"),
    Resource("v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
    Resource("v1", "Service", "services"),
    Resource("v1", "Pod", "pods"),
    Resource("v1", "Event", "events"),
    Resource("apps/v1", "Deployment", "deployments"),
    Resource("apps/v1", "StatefulSet", "statefulsets"),
    Resource("apps/v1", "DaemonSet", "daemonsets"),
    Resource("batch/v1", "Job", "jobs"),
    Resource("batch/v1", "CronJob", "cronjobs"),
    Resource("networking.k8s.io/v1", "Ingress", "ingresses"),
    Resource("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies"),
    Resource("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers"),
    Resource("external-secrets.io/v1", "ExternalSecret", "externalsecrets"),
)
_BY_KIND = {(resource.api_version, resource.kind): resource for resource in KNOWN}

# Kinds that kompile creates and may therefore prune; Pods and Events are only read.
MANAGED_KINDS = tuple(resource for resource in KNOWN if resource.kind not in {"Pod", "Event"})


def known_resource(api_version: str, kind: str) -> Resource | None:
    return _BY_KIND.get((api_version, kind))


def resource_by_kind(kind: str) -> Resource:
    """Return the built-in resource for ``kind``; only for kinds listed in `KNOWN`."""
    for resource in KNOWN:
        if resource.kind == kind:
            return resource
    raise KeyError(kind)
