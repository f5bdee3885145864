"""The object operations behind the REST paths: get, list, create, update, patch, delete.

Every write runs the same pipeline as kube-apiserver's generic registry: decode, field
validation, merge (for patches), server-owned metadata, status reset, defaulting, validation
(including immutable fields), managedFields bookkeeping, generation, then persist. A write
whose result equals the stored object is a no-op: nothing is stored and resourceVersion
stays. `dryRun=All` runs everything except the persist step.

Callers hold `Store.lock` for the whole call, so each operation is atomic.
"""

from __future__ import annotations

import copy
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import yaml

from tests.apiserver import apply, defaults, fields, patches, resources, selectors, status
from tests.apiserver.resources import ResourceType
from tests.apiserver.status import Cause
from tests.apiserver.store import Store
from tests.apiserver.validation import validate_object, validate_update

JsonObject = dict[str, Any]

APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"

# Finalizers that the simulated controllers clear at once, because nothing in the double
# ever blocks them (no pods use a claim, no namespace holds content after deletion).
AUTO_FINALIZERS = frozenset({"kubernetes.io/pvc-protection", "foregroundDeletion", "orphan"})

GENERATE_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Target:
    """What a request path names: a resource type, a namespace, an object and a subresource."""

    resource: ResourceType
    namespace: str = ""
    name: str = ""
    subresource: str = ""


@dataclass
class WriteOptions:
    """Query parameters of a write, plus the warnings the response will carry."""

    dry_run: bool = False
    field_manager: str = ""
    force: bool | None = None
    field_validation: str = "Warn"
    user_agent: str = ""
    warnings: list[str] = field(default_factory=list)

    def manager(self) -> str:
        """Return the field manager, or the User-Agent product name as the server derives it."""
        if self.field_manager:
            return self.field_manager
        return self.user_agent.split("/", 1)[0][:128]


@dataclass(frozen=True)
class DeleteOptions:
    dry_run: bool = False
    propagation_policy: str = "Background"
    precondition_uid: str = ""
    precondition_resource_version: str = ""


WriteListener = Callable[[ResourceType, JsonObject], None]


class Registry:
    """Object operations over a `Store`; `listeners` hear about every persisted write."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.listeners: list[WriteListener] = []

    # Reads

    def get(self, target: Target) -> JsonObject:
        obj = self.store.get(target.resource, target.namespace, target.name)
        if obj is None:
            raise status.not_found(target.resource, target.name)
        return with_type(obj, target.resource)

    def list(self, target: Target, label_selector: str, field_selector: str) -> JsonObject:
        match_labels = selectors.parse_label_selector(label_selector)
        match_fields = selectors.parse_field_selector(field_selector)
        namespace = target.namespace if target.resource.namespaced and target.namespace else None
        items = [
            obj
            for obj in self.store.list(target.resource, namespace)
            if match_labels(obj.get("metadata", {}).get("labels") or {}) and match_fields(obj)
        ]
        if resource_is_custom(target.resource):
            # Custom resources list their items with apiVersion and kind; built-ins do not.
            items = [with_type(item, target.resource) for item in items]
        else:
            items = [
                {k: v for k, v in item.items() if k not in ("apiVersion", "kind")} for item in items
            ]
        return {
            "kind": f"{target.resource.kind}List",
            "apiVersion": target.resource.api_version,
            "metadata": {"resourceVersion": self.store.revision},
            "items": items,
        }

    # Writes

    def create(self, target: Target, body: Any, options: WriteOptions) -> tuple[int, JsonObject]:
        resource = target.resource
        obj = self._decode(body, resource, options, strict_prefix=True)
        metadata = obj.setdefault("metadata", {})
        if not metadata.get("name") and metadata.get("generateName"):
            suffix = "".join(secrets.choice(GENERATE_NAME_CHARS) for _ in range(5))
            metadata["name"] = f"{metadata['generateName']}{suffix}"
        name = metadata.get("name", "")
        self._check_namespace(target, metadata)
        self._require_namespace(target)
        if name and self.store.get(resource, target.namespace, name) is not None:
            raise status.already_exists(resource, name)
        for key in ("resourceVersion", "uid", "generation", "deletionTimestamp", "selfLink"):
            metadata.pop(key, None)
        metadata.pop("managedFields", None)
        now = now_rfc3339()
        self._prepare_create(obj, target, now)
        self._default_and_validate(obj, resource, None, name)
        apply.record_update(None, obj, resource, options.manager(), now)
        return 201, self._persist(resource, obj, None, options.dry_run)

    def update(self, target: Target, body: Any, options: WriteOptions) -> tuple[int, JsonObject]:
        resource = target.resource
        old = self._existing(target)
        obj = self._decode(body, resource, options, strict_prefix=True)
        self._check_name(target, obj)
        self._check_namespace(target, obj.setdefault("metadata", {}))
        return self._update(target, old, obj, options)

    def patch(
        self, target: Target, raw: bytes, content_type: str, options: WriteOptions
    ) -> tuple[int, JsonObject]:
        media_type = content_type.split(";", 1)[0].strip()
        if media_type == APPLY_PATCH:
            return self._apply(target, raw, options)
        if options.force is not None:
            raise status.force_not_allowed()
        old = self._existing(target)
        patch = _parse_json(raw)
        base = copy.deepcopy(old)
        if media_type == MERGE_PATCH:
            patched = patches.merge_patch(base, patch)
        elif media_type == STRATEGIC_PATCH:
            if resource_is_custom(target.resource):
                raise status.unsupported_media_type(media_type)
            if not isinstance(patch, dict):
                raise status.bad_request("strategic merge patch must be a JSON object")
            patched = patches.strategic_merge_patch(base, patch, target.resource.kind)
        elif media_type == JSON_PATCH:
            patched = patches.json_patch(base, patch)
        else:
            raise status.unsupported_media_type(media_type)
        obj = self._decode(patched, target.resource, options, strict_prefix=True)
        self._check_name(target, obj)
        return self._update(target, old, obj, options)

    def delete(self, target: Target, options: DeleteOptions) -> JsonObject:
        resource = target.resource
        obj = self._existing(target)
        metadata = obj["metadata"]
        if options.precondition_uid and options.precondition_uid != metadata.get("uid"):
            raise status.precondition_failed(
                resource, target.name, "UID", options.precondition_uid, metadata.get("uid", "")
            )
        if (
            options.precondition_resource_version
            and options.precondition_resource_version != metadata.get("resourceVersion")
        ):
            raise status.precondition_failed(
                resource,
                target.name,
                "ResourceVersion",
                options.precondition_resource_version,
                metadata.get("resourceVersion", ""),
            )
        finalizers = list(metadata.get("finalizers") or [])
        if options.propagation_policy == "Foreground":
            finalizers.append("foregroundDeletion")
        blocking = [f for f in finalizers if f not in AUTO_FINALIZERS]
        if finalizers or resource.kind == "Namespace":
            # A deferred delete returns the object marked for deletion.
            metadata.setdefault("deletionTimestamp", now_rfc3339())
            metadata.setdefault("deletionGracePeriodSeconds", 0)
            metadata["finalizers"] = finalizers
            if resource.kind == "Namespace":
                obj.setdefault("status", {})["phase"] = "Terminating"
        if options.dry_run:
            return self._delete_response(resource, obj, bool(finalizers))
        if blocking:
            metadata["finalizers"] = blocking
            self.store.put(resource, obj)
            return with_type(obj, resource)
        self._remove(resource, obj, options.propagation_policy)
        return self._delete_response(resource, obj, bool(finalizers))

    def delete_collection(
        self, target: Target, label_selector: str, field_selector: str, options: DeleteOptions
    ) -> JsonObject:
        listing = self.list(target, label_selector, field_selector)
        for item in listing["items"]:
            metadata = item["metadata"]
            one = Target(target.resource, metadata.get("namespace", ""), metadata["name"])
            self.delete(one, options)
        return listing

    # Subresources

    def write_status(
        self, resource: ResourceType, obj: JsonObject, new_status: JsonObject, manager: str
    ) -> JsonObject:
        """Replace the status of a stored object as an Update on the status subresource."""
        new = copy.deepcopy(obj)
        new["status"] = new_status
        if new == obj:
            return obj
        new_view = _status_view(new)
        apply.record_update(
            _status_view(obj), new_view, _status_only(resource), manager, now_rfc3339(), "status"
        )
        new["metadata"]["managedFields"] = new_view["metadata"]["managedFields"]
        self.store.put(resource, new)
        return new

    def update_status(
        self, target: Target, body: Any, options: WriteOptions, patch_type: str = ""
    ) -> JsonObject:
        old = self._existing(target)
        if patch_type:
            base = copy.deepcopy(old)
            if patch_type == MERGE_PATCH:
                body = patches.merge_patch(base, body)
            elif patch_type == STRATEGIC_PATCH:
                body = patches.strategic_merge_patch(base, body, target.resource.kind)
            else:
                raise status.unsupported_media_type(patch_type)
        if not isinstance(body, dict):
            raise status.bad_request("the body of a status write must be an object")
        new_status = body.get("status") or {}
        if options.dry_run:
            result = copy.deepcopy(old)
            result["status"] = new_status
            return with_type(result, target.resource)
        return with_type(
            self.write_status(target.resource, old, new_status, options.manager()),
            target.resource,
        )

    def update_scale(
        self, target: Target, body: Any, options: WriteOptions, patch_type: str = ""
    ) -> JsonObject:
        """Set spec.replicas through the scale subresource, as `kubectl scale` does."""
        resource = target.resource
        old = self._existing(target)
        scale = scale_of(old)
        if patch_type == MERGE_PATCH:
            body = patches.merge_patch(scale, body)
        elif patch_type == STRATEGIC_PATCH:
            body = patches.strategic_merge_patch(scale, body, "Scale")
        elif patch_type:
            raise status.unsupported_media_type(patch_type)
        replicas = (body or {}).get("spec", {}).get("replicas") if isinstance(body, dict) else None
        if not isinstance(replicas, int) or replicas < 0:
            cause = Cause(
                "FieldValueInvalid",
                f"Invalid value: {replicas}: must be greater than or equal to 0",
                "spec.replicas",
            )
            raise status.invalid(resource, target.name, [cause])
        sent_version = body.get("metadata", {}).get("resourceVersion")
        if sent_version and sent_version != old["metadata"]["resourceVersion"]:
            raise status.stale_resource_version(resource, target.name)
        new = copy.deepcopy(old)
        new["spec"]["replicas"] = replicas
        apply.record_update(old, new, resource, options.manager(), now_rfc3339(), "scale")
        result = self._finish_update(resource, old, new, options)
        return scale_of(result)

    # Pipeline steps

    def _apply(self, target: Target, raw: bytes, options: WriteOptions) -> tuple[int, JsonObject]:
        resource = target.resource
        if not options.field_manager:
            raise status.field_manager_required()
        config = _parse_yaml(raw)
        _check_apply_body(config, target)
        config = self._decode(config, resource, options, strict_prefix=False)
        metadata = config.setdefault("metadata", {})
        self._check_namespace(target, metadata)
        old = self.store.get(resource, target.namespace, target.name)
        sent_version = metadata.pop("resourceVersion", None)
        if old is not None and sent_version and sent_version != old["metadata"]["resourceVersion"]:
            raise status.stale_resource_version(resource, target.name)
        if old is None:
            self._require_namespace(target)
        for key in ("uid", "generation", "creationTimestamp", "selfLink", "deletionTimestamp"):
            metadata.pop(key, None)
        now = now_rfc3339()
        merged = apply.apply_config(
            old, config, resource, options.field_manager, bool(options.force), now
        )
        if old is None:
            self._prepare_create(merged, target, now)
            self._default_and_validate(merged, resource, None, target.name)
            return 201, self._persist(resource, merged, None, options.dry_run)
        self._carry_server_fields(merged, old, resource)
        return 200, self._finish_update(resource, old, merged, options)

    def _update(
        self, target: Target, old: JsonObject, obj: JsonObject, options: WriteOptions
    ) -> tuple[int, JsonObject]:
        resource = target.resource
        metadata = obj.setdefault("metadata", {})
        sent_version = metadata.get("resourceVersion")
        if sent_version and sent_version != old["metadata"]["resourceVersion"]:
            raise status.stale_resource_version(resource, target.name)
        sent_fields = metadata.get("managedFields")
        self._carry_server_fields(obj, old, resource)
        # NOTE: a client may reset managedFields by sending them; otherwise the stored
        # entries carry over and the Update entry of this manager is recomputed.
        old_entries = copy.deepcopy(old)
        if isinstance(sent_fields, list) and sent_fields != old["metadata"].get("managedFields"):
            old_entries["metadata"]["managedFields"] = sent_fields
        obj["metadata"]["managedFields"] = old_entries["metadata"].get("managedFields") or []
        self._default_and_validate(obj, resource, old, target.name)
        apply.record_update(old_entries, obj, resource, options.manager(), now_rfc3339())
        return 200, self._finish_update(resource, old, obj, options, validated=True)

    def _finish_update(
        self,
        resource: ResourceType,
        old: JsonObject,
        new: JsonObject,
        options: WriteOptions,
        validated: bool = False,
    ) -> JsonObject:
        if not validated:
            self._default_and_validate(new, resource, old, old["metadata"]["name"])
        if resource.tracks_generation and _spec_changed(resource, old, new):
            new["metadata"]["generation"] = int(old["metadata"].get("generation") or 1) + 1
        if new == old:
            return with_type(old, resource)
        metadata = new["metadata"]
        if metadata.get("deletionTimestamp") and not metadata.get("finalizers"):
            if not options.dry_run:
                self._remove(resource, new, "Background")
            return with_type(new, resource)
        return self._persist(resource, new, old, options.dry_run)

    def _decode(
        self, body: Any, resource: ResourceType, options: WriteOptions, strict_prefix: bool
    ) -> JsonObject:
        """Check apiVersion and kind, then handle unknown fields per `fieldValidation`."""
        if not isinstance(body, dict):
            raise status.bad_request(f"the body of the request must be a {resource.kind} object")
        obj = copy.deepcopy(body)
        api_version = obj.setdefault("apiVersion", resource.api_version)
        kind = obj.setdefault("kind", resource.kind)
        if api_version != resource.api_version or kind != resource.kind:
            raise status.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API "
                f"version ({resource.api_version})"
                if api_version != resource.api_version
                else f"the kind in the data ({kind}) does not match the expected kind "
                f"({resource.kind})"
            )
        if not isinstance(obj.get("metadata", {}), dict):
            raise status.bad_request("metadata must be an object")
        unknown = fields.find_unknown_fields(obj, resource.kind)
        if not unknown:
            return obj
        if options.field_validation == "Strict":
            if strict_prefix:
                listed = ", ".join(f'unknown field "{u.strict_path}"' for u in unknown)
                raise status.bad_request(
                    f'{resource.kind} in version "{resource.version}" cannot be handled as a '
                    f"{resource.kind}: strict decoding error: {listed}"
                )
            metadata = obj.get("metadata", {})
            listed = ", ".join(f"{u.apply_path}: field not declared in schema" for u in unknown)
            raise status.bad_request(
                f"failed to create typed patch object ({metadata.get('namespace', '')}/"
                f"{metadata.get('name', '')}; {resource.api_version}, Kind={resource.kind}): "
                f"{listed}"
            )
        if options.field_validation != "Ignore":
            options.warnings.extend(f'unknown field "{u.strict_path}"' for u in unknown)
        fields.remove_unknown_fields(obj, unknown)
        return obj

    def _prepare_create(self, obj: JsonObject, target: Target, now: str) -> None:
        resource = target.resource
        metadata = obj.setdefault("metadata", {})
        if resource.namespaced:
            metadata["namespace"] = target.namespace
        else:
            metadata.pop("namespace", None)
        metadata["uid"] = str(uuid.uuid4())
        metadata["creationTimestamp"] = now
        if resource.tracks_generation:
            metadata["generation"] = 1
        if resource.has_status:
            initial = defaults.initial_status(resource.kind)
            if initial is None:
                obj.pop("status", None)
            else:
                obj["status"] = initial

    def _carry_server_fields(
        self, new: JsonObject, old: JsonObject, resource: ResourceType
    ) -> None:
        metadata = new.setdefault("metadata", {})
        old_metadata = old["metadata"]
        for key in (
            "name",
            "namespace",
            "uid",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "resourceVersion",
        ):
            if key in old_metadata:
                metadata[key] = old_metadata[key]
            else:
                metadata.pop(key, None)
        metadata.pop("selfLink", None)
        if resource.has_status:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)

    def _default_and_validate(
        self, obj: JsonObject, resource: ResourceType, old: JsonObject | None, name: str
    ) -> None:
        defaults.apply_defaults(obj, resource, old, self.store)
        causes: list[Cause] = validate_object(obj, resource)
        if old is not None:
            causes += validate_update(old, obj, resource)
        if causes:
            raise status.invalid(resource, name, causes)

    def _persist(
        self, resource: ResourceType, new: JsonObject, old: JsonObject | None, dry_run: bool
    ) -> JsonObject:
        if dry_run:
            if old is None:
                new["metadata"].pop("resourceVersion", None)
            return with_type(new, resource)
        self.store.put(resource, new)
        for listener in self.listeners:
            listener(resource, copy.deepcopy(new))
        return with_type(new, resource)

    def _existing(self, target: Target) -> JsonObject:
        obj = self.store.get(target.resource, target.namespace, target.name)
        if obj is None:
            raise status.not_found(target.resource, target.name)
        return obj

    def _require_namespace(self, target: Target) -> None:
        if not target.resource.namespaced:
            return
        namespaces = resources.find_by_plural("", "v1", "namespaces")
        assert namespaces is not None
        namespace = self.store.get(namespaces, "", target.namespace)
        if namespace is None:
            raise status.namespace_not_found(target.namespace)
        if namespace["metadata"].get("deletionTimestamp"):
            raise status.namespace_terminating(target.resource, target.name, target.namespace)

    def _check_namespace(self, target: Target, metadata: JsonObject) -> None:
        if not target.resource.namespaced:
            return
        sent = metadata.get("namespace")
        if sent and sent != target.namespace:
            raise status.bad_request(
                "the namespace of the provided object does not match the namespace sent on "
                "the request"
            )

    def _check_name(self, target: Target, obj: JsonObject) -> None:
        name = obj.get("metadata", {}).get("name")
        if name != target.name:
            raise status.bad_request(
                f"the name of the object ({name}) does not match the name on the URL "
                f"({target.name})"
            )

    def _remove(self, resource: ResourceType, obj: JsonObject, policy: str) -> None:
        metadata = obj["metadata"]
        self.store.remove(resource, metadata.get("namespace", ""), metadata["name"])
        if resource.kind == "Namespace":
            self.store.remove_namespace_contents(metadata["name"])
        self._collect_dependents(metadata.get("uid", ""), policy)

    def _collect_dependents(self, owner_uid: str, policy: str) -> None:
        """Delete or orphan objects whose ownerReferences name `owner_uid`, like the GC does."""
        for resource in resources.RESOURCE_TYPES:
            for obj in self.store.owned_by(resource, owner_uid):
                references = obj["metadata"].get("ownerReferences") or []
                kept = [r for r in references if r.get("uid") != owner_uid]
                if policy == "Orphan" or kept:
                    obj["metadata"]["ownerReferences"] = kept
                    if not kept:
                        del obj["metadata"]["ownerReferences"]
                    self.store.put(resource, obj)
                else:
                    self._remove(resource, obj, policy)

    def _delete_response(
        self, resource: ResourceType, obj: JsonObject, deferred: bool
    ) -> JsonObject:
        if deferred or resource.returns_deleted_object or resource.kind == "Namespace":
            return with_type(obj, resource)
        return status.success(resource, obj["metadata"]["name"], obj["metadata"].get("uid", ""))


def with_type(obj: JsonObject, resource: ResourceType) -> JsonObject:
    """Return `obj` with apiVersion and kind first, as the server serialises objects."""
    rest = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    return {"apiVersion": resource.api_version, "kind": resource.kind, **rest}


def resource_is_custom(resource: ResourceType) -> bool:
    return resource.group == "external-secrets.io"


def _spec_changed(resource: ResourceType, old: JsonObject, new: JsonObject) -> bool:
    if resource_is_custom(resource):
        strip = ("metadata", "status")
        return {k: v for k, v in old.items() if k not in strip} != {
            k: v for k, v in new.items() if k not in strip
        }
    if old.get("spec") != new.get("spec"):
        return True
    if resource.kind == "Deployment":
        return old["metadata"].get("annotations") != new["metadata"].get("annotations")
    return False


def _status_only(resource: ResourceType) -> ResourceType:
    """Return a copy of `resource` whose ownership view keeps `status`."""
    return ResourceType(
        resource.group,
        resource.version,
        resource.plural,
        resource.singular,
        resource.kind,
        resource.namespaced,
        has_status=False,
    )


def _status_view(obj: JsonObject) -> JsonObject:
    view = {"metadata": copy.deepcopy(obj["metadata"])}
    if "status" in obj:
        view["status"] = copy.deepcopy(obj["status"])
    return view


def _check_apply_body(config: Any, target: Target) -> None:
    if not isinstance(config, dict):
        raise status.bad_request("error decoding YAML: the apply patch must be an object")
    resource = target.resource
    if not config.get("apiVersion") or not config.get("kind"):
        raise status.bad_request(
            "invalid object type: apiVersion and kind must be set in an apply patch"
        )
    metadata = config.get("metadata")
    if not isinstance(metadata, dict):
        raise status.bad_request("metadata must be an object in an apply patch")
    if metadata.get("managedFields") is not None:
        raise status.bad_request("metadata.managedFields must be nil")
    if metadata.get("name") != target.name:
        raise status.bad_request(
            f"the name of the object ({metadata.get('name')}) does not match the name on the "
            f"URL ({target.name})"
        )
    if config["apiVersion"] != resource.api_version or config["kind"] != resource.kind:
        raise status.bad_request(
            f"the API version in the data ({config['apiVersion']}) does not match the expected "
            f"API version ({resource.api_version})"
        )


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError as error:
        raise status.bad_request(f"error decoding patch: {error}") from error


def _parse_yaml(raw: bytes) -> Any:
    """Parse an apply body: JSON, or YAML when it is not JSON."""
    try:
        return json.loads(raw)
    except ValueError:
        pass
    try:
        return yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise status.bad_request(f"error decoding YAML: {error}") from error


def parse_body(raw: bytes) -> Any:
    """Parse a POST or PUT body, JSON or YAML."""
    if not raw:
        raise status.bad_request("the body of the request is empty")
    return _parse_yaml(raw)


def scale_of(obj: JsonObject) -> JsonObject:
    """Return the autoscaling/v1 Scale view of a Deployment or StatefulSet."""
    metadata = obj["metadata"]
    match_labels = (obj.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    status_replicas = (obj.get("status") or {}).get("replicas", 0)
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            key: metadata[key]
            for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if key in metadata
        },
        "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
        "status": {
            "replicas": status_replicas,
            "selector": ",".join(f"{k}={v}" for k, v in sorted(match_labels.items())),
        },
    }
