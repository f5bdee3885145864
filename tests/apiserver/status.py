"""Status objects for API errors, shaped like kube-apiserver 1.32 responses.

Every failure the double reports raises `ApiError`, and the HTTP layer serialises it.
`details.kind` carries the resource plural, not the Kind, as on a real server. The one
failure that is not a Status is the plain-text 429 from max-in-flight throttling, which
lives in `faults.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.apiserver.resources import ResourceType

JsonObject = dict[str, Any]


@dataclass
class Cause:
    """One entry of `details.causes`: a `reason` (CauseType), a field path and a message."""

    reason: str
    message: str
    field: str = ""

    def to_json(self) -> JsonObject:
        body: JsonObject = {"reason": self.reason, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


@dataclass
class ApiError(Exception):
    """An error response: HTTP code, Status reason, message, details and extra headers."""

    code: int
    reason: str
    message: str
    details: JsonObject | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}: {self.message}"

    def to_status(self) -> JsonObject:
        status: JsonObject = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:
            status["reason"] = self.reason
        if self.details is not None:
            status["details"] = self.details
        status["code"] = self.code
        return status


def qualified_resource(resource: ResourceType) -> str:
    """Return `deployments.apps`, or `configmaps` for the core group."""
    if resource.group:
        return f"{resource.plural}.{resource.group}"
    return resource.plural


def qualified_kind(resource: ResourceType) -> str:
    """Return `Deployment.apps`, or `ConfigMap` for the core group, as Invalid messages print it."""
    if resource.group:
        return f"{resource.kind}.{resource.group}"
    return resource.kind


def _details(resource: ResourceType, name: str) -> JsonObject:
    details: JsonObject = {"name": name}
    if resource.group:
        details["group"] = resource.group
    details["kind"] = resource.plural
    return details


def not_found(resource: ResourceType, name: str) -> ApiError:
    message = f'{qualified_resource(resource)} "{name}" not found'
    return ApiError(404, "NotFound", message, _details(resource, name))


def namespace_not_found(name: str) -> ApiError:
    return ApiError(
        404, "NotFound", f'namespaces "{name}" not found', {"name": name, "kind": "namespaces"}
    )


def path_not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(resource: ResourceType, name: str) -> ApiError:
    message = f'{qualified_resource(resource)} "{name}" already exists'
    return ApiError(409, "AlreadyExists", message, _details(resource, name))


def stale_resource_version(resource: ResourceType, name: str) -> ApiError:
    message = (
        f'Operation cannot be fulfilled on {qualified_resource(resource)} "{name}": the object '
        "has been modified; please apply your changes to the latest version and try again"
    )
    return ApiError(409, "Conflict", message, _details(resource, name))


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def internal_error(message: str) -> ApiError:
    """Return a 500 with an empty reason, as the server sends for a plain Go error."""
    return ApiError(500, "", message)


def method_not_supported(resource: ResourceType, verb: str) -> ApiError:
    message = f"{verb} is not supported on resources of kind {qualified_resource(resource)!r}"
    return ApiError(
        405, "MethodNotAllowed", message, {"group": resource.group, "kind": resource.plural}
    )


def unsupported_media_type(content_type: str) -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        f"application/apply-patch+yaml, application/strategic-merge-patch+json; "
        f"received {content_type!r}",
    )


def invalid(resource: ResourceType, name: str, causes: list[Cause]) -> ApiError:
    """Build a 422 Invalid: the message lists every cause as `<field>: <message>`."""
    parts = [
        f"{cause.field}: {cause.message}" if cause.field else cause.message for cause in causes
    ]
    summary = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    message = f'{qualified_kind(resource)} "{name}" is invalid: {summary}'
    details = _details(resource, name)
    details["kind"] = resource.kind
    details["causes"] = [cause.to_json() for cause in causes]
    return ApiError(422, "Invalid", message, details)


def invalid_options(options_kind: str, cause: Cause) -> ApiError:
    """Build the 422 for a bad query option, e.g. `PatchOptions.meta.k8s.io "" is invalid`."""
    message = f'{options_kind}.meta.k8s.io "" is invalid: {cause.field}: {cause.message}'
    details: JsonObject = {
        "group": "meta.k8s.io",
        "kind": options_kind,
        "causes": [cause.to_json()],
    }
    return ApiError(422, "Invalid", message, details)


def field_manager_required() -> ApiError:
    return invalid_options(
        "PatchOptions",
        Cause("FieldValueRequired", "Required value: is required for apply patch", "fieldManager"),
    )


def force_not_allowed() -> ApiError:
    return invalid_options(
        "PatchOptions",
        Cause(
            "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch", "force"
        ),
    )


def forbidden(resource: ResourceType, name: str, verb: str, namespace: str, user: str) -> ApiError:
    scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    message = (
        f'{qualified_resource(resource)} "{name}" is forbidden: User "{user}" cannot {verb} '
        f'resource "{resource.plural}" in API group "{resource.group}"{scope}'
    )
    return ApiError(403, "Forbidden", message, _details(resource, name))


def success(resource: ResourceType, name: str, uid: str) -> JsonObject:
    """Return the Status a synchronous DELETE sends for most resource types."""
    details = _details(resource, name)
    details["uid"] = uid
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    }


def precondition_failed(
    resource: ResourceType, name: str, field_name: str, expected: str, actual: str
) -> ApiError:
    message = (
        f"Precondition failed: {field_name} in precondition: {expected}, "
        f"{field_name} in object meta: {actual}"
    )
    return ApiError(409, "Conflict", message, _details(resource, name))


def namespace_terminating(resource: ResourceType, name: str, namespace: str) -> ApiError:
    message = (
        f'{qualified_resource(resource)} "{name}" is forbidden: unable to create new content in '
        f"namespace {namespace} because it is being terminated"
    )
    details = _details(resource, name)
    details["causes"] = [
        {
            "reason": "NamespaceTerminating",
            "message": f"namespace {namespace} is being terminated",
            "field": "metadata.namespace",
        }
    ]
    return ApiError(403, "Forbidden", message, details)


def service_unavailable(message: str) -> ApiError:
    return ApiError(503, "ServiceUnavailable", message)


def too_many_requests_status(retry_after: int) -> ApiError:
    """Return the JSON form of a 429, as some server paths send it."""
    details: JsonObject = {"retryAfterSeconds": retry_after}
    return ApiError(
        429,
        "TooManyRequests",
        "Too many requests, please try again later.",
        details,
        {"Retry-After": str(retry_after)},
    )
