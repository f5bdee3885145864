"""Request routing: from method, path and query to a registry call and a JSON response.

Paths follow the REST layout of kube-apiserver:
`/api/v1[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]` for the core group and
`/apis/<group>/<version>/...` for the others, next to the discovery, OpenAPI and health
endpoints. Unknown paths get a 404 NotFound Status, as on a real server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.apiserver import discovery, openapi, protobuf, resources, status, watch
from tests.apiserver.registry import (
    DeleteOptions,
    Registry,
    Target,
    WriteOptions,
    parse_body,
    scale_of,
)

JsonObject = dict[str, Any]

FIELD_VALIDATION_VALUES = ("Strict", "Warn", "Ignore")
PROPAGATION_POLICIES = ("Background", "Foreground", "Orphan")


@dataclass
class Request:
    method: str
    path: str
    query: str
    body: bytes
    content_type: str = ""
    user_agent: str = ""
    server_address: str = ""

    def decoded_body(self) -> Any:
        """Return the body as JSON data, decoding protobuf for the kinds that support it."""
        if "protobuf" in self.content_type:
            return protobuf.decode(self.body, self.content_type)
        return parse_body(self.body)

    def param(self, name: str, default: str = "") -> str:
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[-1] if values else default


@dataclass
class Response:
    code: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"
    # A watch response: JSON events written one per chunk as the generator yields them.
    stream: Iterator[JsonObject] | None = None


def route(registry: Registry, request: Request) -> Response:
    """Serve one request; raises `ApiError` for every failure a real server reports."""
    path = request.path.rstrip("/") or "/"
    fixed = _fixed_documents(path, request)
    if fixed is not None:
        return fixed
    target = parse_target(path)
    if target is None:
        raise status.path_not_found()
    return _serve_resource(registry, target, request)


def _fixed_documents(path: str, request: Request) -> Response | None:
    if request.method != "GET":
        return None
    parts = path.strip("/").split("/")
    if path in ("/healthz", "/livez", "/readyz"):
        return Response(200, "ok", content_type="text/plain; charset=utf-8")
    if path == "/version":
        return Response(200, discovery.version())
    if path == "/api":
        return Response(200, discovery.core_versions(request.server_address))
    if path == "/apis":
        return Response(200, discovery.group_list())
    if path == "/openapi/v3":
        return Response(200, openapi.index())
    if parts[:2] == ["openapi", "v3"] and len(parts) > 2:
        document = openapi.group_version_document("/".join(parts[2:]))
        if document is None:
            raise status.path_not_found()
        return Response(200, document)
    if len(parts) == 2 and parts[0] == "api":
        return _found(discovery.resource_list("", parts[1]))
    if len(parts) == 2 and parts[0] == "apis":
        return _found(discovery.group(parts[1]))
    if len(parts) == 3 and parts[0] == "apis":
        return _found(discovery.resource_list(parts[1], parts[2]))
    return None


def _found(document: JsonObject | None) -> Response:
    if document is None:
        raise status.path_not_found()
    return Response(200, document)


def parse_target(path: str) -> Target | None:
    """Parse a resource path into a `Target`, or None when it names no served resource."""
    parts = path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces":
        candidate = resources.find_by_plural(group, version, rest[2])
        if candidate is not None and candidate.namespaced:
            namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return None
    resource = resources.find_by_plural(group, version, rest[0])
    if resource is None:
        return None
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if resource.namespaced and name and not namespace:
        return None
    if subresource and not (
        (subresource == "status" and resource.has_status)
        or (subresource == "scale" and resource.has_scale)
    ):
        return None
    return Target(resource, namespace, name, subresource)


def _write_options(request: Request) -> WriteOptions:
    dry_run = request.param("dryRun")
    if dry_run not in ("", "All"):
        raise status.bad_request(f'unsupported dryRun value "{dry_run}": supported values: "All"')
    field_validation = request.param("fieldValidation") or "Warn"
    if field_validation not in FIELD_VALIDATION_VALUES:
        raise status.bad_request(
            f"fieldValidation parameter unsupported: {field_validation!r}; "
            "supported values: Strict, Warn, Ignore"
        )
    force_text = request.param("force")
    force: bool | None = None
    if force_text:
        force = force_text.lower() in ("true", "1")
    return WriteOptions(
        dry_run=dry_run == "All",
        field_manager=request.param("fieldManager"),
        force=force,
        field_validation=field_validation,
        user_agent=request.user_agent,
    )


def _delete_options(request: Request) -> DeleteOptions:
    body: JsonObject = {}
    if "protobuf" in request.content_type and request.body:
        body = protobuf.delete_options(request.body)
    elif request.body.strip():
        parsed = parse_body(request.body)
        if isinstance(parsed, dict):
            body = parsed
    policy = request.param("propagationPolicy") or body.get("propagationPolicy") or "Background"
    if body.get("orphanDependents") is True or request.param("orphanDependents") == "true":
        policy = "Orphan"
    if policy not in PROPAGATION_POLICIES:
        cause = status.Cause(
            "FieldValueNotSupported",
            f'Unsupported value: "{policy}": supported values: "Foreground", "Background", '
            '"Orphan"',
            "propagationPolicy",
        )
        raise status.invalid_options("DeleteOptions", cause)
    dry_run = request.param("dryRun") or ("All" if body.get("dryRun") == ["All"] else "")
    preconditions = body.get("preconditions") or {}
    return DeleteOptions(
        dry_run=dry_run == "All",
        propagation_policy=policy,
        precondition_uid=preconditions.get("uid") or "",
        precondition_resource_version=preconditions.get("resourceVersion") or "",
    )


def _serve_resource(registry: Registry, target: Target, request: Request) -> Response:
    method = request.method
    if target.subresource:
        return _serve_subresource(registry, target, request)
    if not target.name:
        if method == "GET":
            if request.param("watch") in ("true", "1"):
                params = {k: v[-1] for k, v in parse_qs(request.query).items()}
                return Response(200, None, stream=watch.stream(registry, target, params))
            listing = registry.list(
                target, request.param("labelSelector"), request.param("fieldSelector")
            )
            return Response(200, listing)
        if method == "POST":
            options = _write_options(request)
            code, obj = registry.create(target, request.decoded_body(), options)
            return _written(code, obj, options)
        if method == "DELETE":
            listing = registry.delete_collection(
                target,
                request.param("labelSelector"),
                request.param("fieldSelector"),
                _delete_options(request),
            )
            return Response(200, listing)
        raise status.method_not_supported(target.resource, method.lower())
    if method == "GET":
        return Response(200, registry.get(target))
    if method == "PUT":
        options = _write_options(request)
        code, obj = registry.update(target, request.decoded_body(), options)
        return _written(code, obj, options)
    if method == "PATCH":
        options = _write_options(request)
        code, obj = registry.patch(target, request.body, request.content_type, options)
        return _written(code, obj, options)
    if method == "DELETE":
        return Response(200, registry.delete(target, _delete_options(request)))
    raise status.method_not_supported(target.resource, method.lower())


def _serve_subresource(registry: Registry, target: Target, request: Request) -> Response:
    method = request.method
    scale = target.subresource == "scale"
    if method == "GET":
        obj = registry.get(target)
        return Response(200, scale_of(obj) if scale else obj)
    if method not in ("PUT", "PATCH"):
        raise status.method_not_supported(target.resource, method.lower())
    options = _write_options(request)
    patch_type = request.content_type.split(";")[0].strip() if method == "PATCH" else ""
    body = json.loads(request.body or b"null") if patch_type else request.decoded_body()
    if scale:
        return Response(200, registry.update_scale(target, body, options, patch_type))
    return Response(200, registry.update_status(target, body, options, patch_type))


def _written(code: int, obj: JsonObject, options: WriteOptions) -> Response:
    headers = [("Warning", "299 - " + json.dumps(warning)) for warning in options.warnings]
    return Response(code, obj, headers)
