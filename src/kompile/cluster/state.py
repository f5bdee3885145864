"""The desired objects of a project and the live objects the cluster holds for it."""

from __future__ import annotations

import copy
import typing as t
from dataclasses import dataclass

from kompile.cluster.client import ApiStatus, Cluster
from kompile.cluster.kinds import MANAGED_KINDS, Resource
from kompile.cluster.objects import ObjectKey, object_key, project_selector
from kompile.convert.names import MANAGED_BY, MANAGED_BY_LABEL, PART_OF_LABEL
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
    cluster: Cluster,
    resources: t.Iterable[Resource],
    namespace: str,
    project: str,
    desired: t.Sequence[Desired] = (),
    foreign: dict[ObjectKey, Manifest] | None = None,
) -> dict[ObjectKey, tuple[Resource, Manifest]]:
    """Return the project's live objects: one LIST per namespaced kind in ``namespace``.

    Kinds of desired objects are listed whole when ``foreign`` is given, which then
    receives the objects that have a desired name but belong to someone else (another
    project, or no kompile project at all). Other kinds are listed by the project's labels.
    Cluster-scoped objects are never listed by label, because other deployments of the
    same project (into other namespaces) carry the same labels: each desired one is read
    by name instead, so only what this run manages is compared, applied or pruned.
    """
    live: dict[ObjectKey, tuple[Resource, Manifest]] = {}
    selector = project_selector(project)
    wanted_keys = {item.key for item in desired}
    wanted_kinds = {item.resource for item in desired}
    for resource in resources:
        if not resource.namespaced:
            continue
        path = resource.collection_path(namespace)
        whole = foreign is not None and resource in wanted_kinds
        query = {} if whole else {"labelSelector": selector}
        try:
            listing = cluster.request("GET", path, query=query).body
        except ApiStatus as error:
            # A kind the cluster does not serve (an uninstalled CRD) has no objects of the project.
            if error.code == 404:
                continue
            raise ClusterError(
                f"cannot list {resource.qualified} in namespace {namespace}: {error}",
                hint=hint_for(error.code),
            ) from None
        for obj in _items(cluster, listing, resource):
            key = object_key(resource, obj)
            if not whole or _is_projects(obj, project):
                live[key] = (resource, obj)
            elif foreign is not None and key in wanted_keys:
                foreign[key] = obj
    for wanted in desired:
        if wanted.resource.namespaced:
            continue
        path = wanted.resource.object_path(None, wanted.name)
        try:
            found = cluster.request("GET", path).body
        except ApiStatus as error:
            if error.code == 404:
                continue
            raise ClusterError(
                f"cannot read {wanted.resource.qualified} {wanted.name}: {error}",
                hint=hint_for(error.code),
            ) from None
        if isinstance(found, dict):
            live[wanted.key] = (wanted.resource, found)
    return live


def _items(cluster: Cluster, listing: t.Any, resource: Resource) -> list[Manifest]:
    items = listing.get("items") if isinstance(listing, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ClusterError(
            f"the API server at {cluster.host} sent an invalid list of {resource.qualified}",
            hint="check that the kubeconfig points at a Kubernetes API server",
        )
    for item in items:
        item.setdefault("apiVersion", resource.api_version)
        item.setdefault("kind", resource.kind)
    return t.cast(list[Manifest], items)


def resources_to_list(desired: list[Desired], *, everything: bool) -> list[Resource]:
    """Return the namespaced kinds to list: every kind kompile makes, or the desired ones."""
    kinds = {item.resource for item in desired if item.resource.namespaced}
    if everything:
        kinds.update(resource for resource in MANAGED_KINDS if resource.namespaced)
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
        raise ClusterError(
            f"cannot read namespace {namespace}: {error}", hint=hint_for(error.code)
        ) from None
    return True


def hint_for(code: int) -> str:
    """Return what to do about an error status of the API server."""
    if code == 401:
        return "check the credentials of the kubeconfig user; they may have expired"
    if code == 403:
        return "ask for RBAC rights on this resource, or use another kubeconfig context"
    if code >= 500:
        return "the API server failed; check its health and rerun"
    return "check the cluster and rerun"


def _is_projects(obj: Manifest, project: str) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return labels.get(PART_OF_LABEL) == project and labels.get(MANAGED_BY_LABEL) == MANAGED_BY


def owner_of(obj: Manifest) -> str:
    """Describe the owner of an object outside the project: another project, or a tool."""
    labels = (obj.get("metadata") or {}).get("labels") or {}
    project = labels.get(PART_OF_LABEL)
    if project and labels.get(MANAGED_BY_LABEL) == MANAGED_BY:
        return f"kompile project {project}"
    return "another tool (it lacks kompile's project labels)"
