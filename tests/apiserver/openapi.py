"""The OpenAPI v3 documents that kubectl reads before a strictly validated apply.

kubectl 1.32 (`--validate=strict`, the default) fetches `/openapi/v3`, then the document of
the object's group-version, and looks for a PATCH operation whose
`x-kubernetes-group-version-kind` matches and which declares a `fieldValidation` parameter.
When it finds one it leaves validation to the server (`fieldValidation=Strict`). The double
serves exactly that much: paths with their operations and parameters, and no schemas.
`/openapi/v2` is not served (404), as on a server that disabled it, so clients that need
schemas from it fall back to their compiled-in types.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.apiserver import resources
from tests.apiserver.resources import ResourceType

JsonObject = dict[str, Any]

WRITE_PARAMETERS = ("dryRun", "fieldManager", "fieldValidation", "pretty")


def _gv_key(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _parameters(names: tuple[str, ...]) -> list[JsonObject]:
    return [{"name": name, "in": "query", "schema": {"type": "string"}} for name in names]


def _operation(resource: ResourceType, action: str, parameters: tuple[str, ...]) -> JsonObject:
    return {
        "operationId": f"{action}{resource.kind}",
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {
            "group": resource.group,
            "version": resource.version,
            "kind": resource.kind,
        },
        "parameters": _parameters(parameters),
        "responses": {"200": {"description": "OK"}},
    }


def _paths(resource: ResourceType) -> dict[str, JsonObject]:
    prefix = resource.group_version_path
    if resource.namespaced:
        collection = f"{prefix}/namespaces/{{namespace}}/{resource.plural}"
    else:
        collection = f"{prefix}/{resource.plural}"
    item = f"{collection}/{{name}}"
    return {
        collection: {
            "get": _operation(resource, "list", ("labelSelector", "fieldSelector", "limit")),
            "post": _operation(resource, "post", WRITE_PARAMETERS),
        },
        item: {
            "get": _operation(resource, "get", ("pretty",)),
            "put": _operation(resource, "put", WRITE_PARAMETERS),
            "patch": _operation(resource, "patch", (*WRITE_PARAMETERS, "force")),
            "delete": _operation(resource, "delete", ("dryRun", "propagationPolicy")),
        },
    }


def group_version_document(key: str) -> JsonObject | None:
    """Return the OpenAPI v3 document for `api/v1` or `apis/<group>/<version>`."""
    for group, version in resources.group_versions():
        if _gv_key(group, version) != key:
            continue
        paths: dict[str, JsonObject] = {}
        for resource in resources.resources_in(group, version):
            paths.update(_paths(resource))
        return {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": paths,
            "components": {"schemas": {}},
        }
    return None


def _hash(document: JsonObject) -> str:
    text = json.dumps(document, sort_keys=True).encode()
    return hashlib.sha512(text).hexdigest()[:128].upper()


def index() -> JsonObject:
    """Return the `/openapi/v3` index with a content hash per group-version."""
    paths: dict[str, JsonObject] = {}
    for group, version in resources.group_versions():
        key = _gv_key(group, version)
        document = group_version_document(key)
        assert document is not None
        paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={_hash(document)}"}
    return {"paths": paths}
