"""The desired objects of a project and the live objects the cluster holds for it."""

from __future__ import annotations

import copy
import typing as t
from dataclasses import dataclass

from kompile.cluster.client import ApiStatus, Cluster
from kompile.cluster.kinds import MANAGED_KINDS, Resource
from kompile.cluster.objects import ObjectKey, object_key, project_selector
from kompile.convert.pipeline import KIND_ORDER
from kompile.errors import ClusterError

Manifest = dict[str, t.Any]


@dataclass(frozen=True)
class Desired:
    """One object to apply, with where it lives in the API."""

    resource: Resource
    obj: Manifest
    key: ObjectKey

    @property
    def name(self) -> str:
        return self.key.name


def prepare(cluster: Cluster, objects: list[Manifest], namespace: str) -> list[Desired]:
    """Return the objects in apply order, each namespaced object placed in ``namespace``."""
    prepared = []
    for original in objects:
        obj = copy.deepcopy(original)
        resource = cluster.resource(obj["apiVersion"], obj["kind"])
        metadata = obj.setdefault("metadata", {})
        if resource.namespaced:
            metadata.setdefault("namespace", namespace)
        prepared.append(Desired(resource, obj, object_key(resource, obj)))
    return sorted(prepared, key=lambda desired: (kind_rank(desired.resource.kind), desired.key))


def kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def list_live(
    cluster: Cluster, resources: t.Iterable[Resource], namespace: str, project: str
) -> dict[ObjectKey, tuple[Resource, Manifest]]:
    """Return the project's live objects of each kind: one LIST request per kind."""
    live: dict[ObjectKey, tuple[Resource, Manifest]] = {}
    selector = project_selector(project)
    for resource in resources:
        path = resource.collection_path(namespace if resource.namespaced else None)
        try:
            listing = cluster.request("GET", path, query={"labelSelector": selector}).body or {}
        except ApiStatus as error:
            # A kind the cluster does not serve (an uninstalled CRD) has no objects of the project.
            if error.code == 404:
                continue
            raise ClusterError(
                f"cannot list {resource.qualified} in namespace {namespace}: {error}",
                hint=_hint_for(error.code),
            ) from None
        for item in listing.get("items") or []:
            item.setdefault("apiVersion", resource.api_version)
            item.setdefault("kind", resource.kind)
            live[object_key(resource, item)] = (resource, item)
    return live


def resources_to_list(
    desired: list[Desired], *, everything: bool, namespaces: bool = False
) -> list[Resource]:
    """Return the kinds to list: every kind kompile makes, or only the desired ones.

    Namespaces are listed only when desired or when ``namespaces`` is set: a run without
    ``--create-namespace`` does not manage the namespace it deploys into.
    """
    kinds = {item.resource for item in desired}
    if everything:
        kinds.update(
            resource for resource in MANAGED_KINDS if resource.kind != "Namespace" or namespaces
        )
    return sorted(kinds, key=lambda resource: (kind_rank(resource.kind), resource.kind))


def namespace_exists(cluster: Cluster, namespace: str) -> bool:
    try:
        cluster.request("GET", f"/api/v1/namespaces/{namespace}")
    except ApiStatus as error:
        if error.code == 404:
            return False
        if error.code == 403:
            # Users without rights on Namespaces can still deploy into theirs.
            return True
        raise ClusterError(f"cannot read namespace {namespace}: {error}") from None
    return True


def _hint_for(code: int) -> str:
    if code in (401, 403):
        return "check the credentials and RBAC rights of the kubeconfig context"
    return "check the cluster and rerun"
