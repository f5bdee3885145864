"""Discovery documents: /version, /api, /apis, /apis/<group> and the APIResourceLists.

The shapes are the plain (not aggregated) discovery documents of Kubernetes 1.32. kubectl
asks /api and /apis for the aggregated `apidiscovery.k8s.io/v2` form first and falls back to
these when the server answers with plain JSON, so the aggregated form is not served.
"""

from __future__ import annotations

from typing import Any

from tests.apiserver import resources
from tests.apiserver.resources import ALL_VERBS, ResourceType

JsonObject = dict[str, Any]

VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T17:58:58Z",
    "goVersion": "go1.23.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}

SUBRESOURCE_VERBS = ("get", "patch", "update")


def version() -> JsonObject:
    return dict(VERSION)


def core_versions(server_address: str) -> JsonObject:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _group(name: str) -> JsonObject:
    versions = [
        {"groupVersion": f"{name}/{version}", "version": version}
        for group, version in resources.group_versions()
        if group == name
    ]
    return {"name": name, "versions": versions, "preferredVersion": dict(versions[0])}


def group_names() -> list[str]:
    names: list[str] = []
    for group, _ in resources.group_versions():
        if group and group not in names:
            names.append(group)
    return names


def group_list() -> JsonObject:
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_group(name) for name in group_names()],
    }


def group(name: str) -> JsonObject | None:
    if name not in group_names():
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name)}


def _entry(resource: ResourceType) -> JsonObject:
    verbs = list(ALL_VERBS)
    if resource.kind == "Namespace":
        verbs.remove("deletecollection")
    entry: JsonObject = {
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": verbs,
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    return entry


def _subresource(resource: ResourceType, name: str, kind: str, group: str = "") -> JsonObject:
    entry: JsonObject = {
        "name": f"{resource.plural}/{name}",
        "singularName": "",
        "namespaced": resource.namespaced,
        "kind": kind,
        "verbs": list(SUBRESOURCE_VERBS),
    }
    if group:
        entry["group"] = group
        entry["version"] = "v1"
    return entry


def resource_list(group_name: str, version_name: str) -> JsonObject | None:
    """Return the APIResourceList of one group-version, or None when it is not served."""
    served = resources.resources_in(group_name, version_name)
    if not served:
        return None
    entries: list[JsonObject] = []
    for resource in served:
        entries.append(_entry(resource))
        if resource.has_scale:
            entries.append(_subresource(resource, "scale", "Scale", "autoscaling"))
        if resource.has_status:
            entries.append(_subresource(resource, "status", resource.kind))
    group_version = f"{group_name}/{version_name}" if group_name else version_name
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": entries,
    }
