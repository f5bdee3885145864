"""Server-side apply and `metadata.managedFields` bookkeeping.

Two operations change ownership, as in structured-merge-diff:

* `apply_config` (PATCH with `application/apply-patch+yaml`): the manager's Apply entry
  becomes exactly the fields of its configuration. Fields it applied last time and no longer
  applies are removed unless another manager owns them. A changed field owned by another
  manager is a conflict (409) unless `force` moves it over.
* `record_update` (POST, PUT, merge and strategic merge patches): never conflicts. The
  manager's Update entry gains every field the write added or changed, and other managers
  lose those fields.

Ownership is computed on the object without server-owned metadata (name, uid, ...), and
without `status` for types whose status is a subresource. Apply computes ownership before
defaulting, so defaults belong to no Apply entry; Update compares defaulted objects, so a
create through POST owns the defaults, as `kubectl create` entries do on a real server.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from tests.apiserver import status, typed
from tests.apiserver.fieldsets import (
    FieldSet,
    Path,
    format_path,
    from_fields_v1,
    is_prefix,
    to_fields_v1,
)
from tests.apiserver.resources import ResourceType

JsonObject = dict[str, Any]

SERVER_METADATA = (
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
)


@dataclass
class ManagedEntry:
    """One `metadata.managedFields` entry with its fields decoded into a field set."""

    manager: str
    operation: str
    api_version: str
    time: str
    fields: FieldSet
    subresource: str = ""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """Return what makes entries distinct: Apply per manager, Update also per version."""
        version = self.api_version if self.operation == "Update" else ""
        return (self.manager, self.operation, version, self.subresource)

    def describe(self) -> str:
        """Name the manager as conflict messages do."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == "Update":
            text += f" using {self.api_version}"
        return text

    def to_json(self) -> JsonObject:
        entry: JsonObject = {
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "time": self.time,
            "fieldsType": "FieldsV1",
            "fieldsV1": to_fields_v1(self.fields),
        }
        if self.subresource:
            entry["subresource"] = self.subresource
        return entry


def read_entries(obj: JsonObject | None) -> list[ManagedEntry]:
    if obj is None:
        return []
    entries = []
    for raw in obj.get("metadata", {}).get("managedFields") or []:
        entries.append(
            ManagedEntry(
                manager=raw.get("manager", ""),
                operation=raw.get("operation", ""),
                api_version=raw.get("apiVersion", ""),
                time=raw.get("time", ""),
                fields=from_fields_v1(raw.get("fieldsV1") or {}),
                subresource=raw.get("subresource", ""),
            )
        )
    return entries


def write_entries(obj: JsonObject, entries: list[ManagedEntry]) -> None:
    """Store entries sorted as the server sorts them: operation, time, manager, apiVersion."""
    kept = [entry for entry in entries if entry.fields]
    kept.sort(key=lambda e: (e.operation, e.time, e.manager, e.api_version))
    obj.setdefault("metadata", {})["managedFields"] = [entry.to_json() for entry in kept]


def ownership_view(obj: JsonObject, resource: ResourceType) -> JsonObject:
    """Return the part of an object that managers can own."""
    view = copy.deepcopy(obj)
    view.pop("apiVersion", None)
    view.pop("kind", None)
    if resource.has_status:
        view.pop("status", None)
    metadata = view.get("metadata")
    if isinstance(metadata, dict):
        for name in SERVER_METADATA:
            metadata.pop(name, None)
        if not metadata:
            del view["metadata"]
    return view


def _without(paths: FieldSet, removed: FieldSet) -> FieldSet:
    """Drop every path equal to or below a removed path."""
    return {p for p in paths if not any(is_prefix(r, p) for r in removed)}


def _conflict_error(conflicts: list[tuple[ManagedEntry, Path]]) -> status.ApiError:
    ordered = sorted(conflicts, key=lambda c: (c[0].manager, c[0].describe(), format_path(c[1])))
    causes = [
        status.Cause("FieldManagerConflict", f"conflict with {e.describe()}", format_path(p))
        for e, p in ordered
    ]
    if len(ordered) == 1:
        entry, path = ordered[0]
        message = (
            f"Apply failed with 1 conflict: conflict with {entry.describe()}: {format_path(path)}"
        )
    else:
        lines: list[str] = []
        seen: list[str] = []
        for entry, _ in ordered:
            if entry.describe() not in seen:
                seen.append(entry.describe())
        for manager in seen:
            lines.append(f"conflicts with {manager}:")
            lines.extend(f"- {format_path(p)}" for e, p in ordered if e.describe() == manager)
        message = f"Apply failed with {len(ordered)} conflicts: " + "\n".join(lines)
    details: JsonObject = {"causes": [cause.to_json() for cause in causes]}
    return status.ApiError(409, "Conflict", message, details)


def apply_config(
    live: JsonObject | None,
    config: JsonObject,
    resource: ResourceType,
    manager: str,
    force: bool,
    now: str,
) -> JsonObject:
    """Merge an apply configuration into `live`; return the new object with managedFields.

    The result is not defaulted yet. Raises a 409 `ApiError` listing every conflict.
    """
    entries = read_entries(live)
    base = copy.deepcopy(live) if live is not None else {}
    base.get("metadata", {}).pop("managedFields", None)
    config = copy.deepcopy(config)
    typed.default_list_keys(config, resource.kind)
    applied = ownership_view(config, resource)
    applied_fields = typed.object_fields(applied, resource.kind)

    own = next((e for e in entries if e.identity == (manager, "Apply", "", "")), None)
    others = [e for e in entries if e is not own]
    other_fields: FieldSet = set().union(*(e.fields for e in others)) if others else set()

    merged = typed.merge(base, _without_status(config, resource), resource.kind)
    if own is not None:
        stale = own.fields - applied_fields
        removed = typed.prune(merged, stale, applied_fields | other_fields)
        typed.drop_empty_maps(merged, removed)

    comparison = typed.compare(
        ownership_view(base, resource), ownership_view(merged, resource), resource.kind
    )
    touched = comparison.modified | comparison.added
    conflicts = [(e, p) for e in others for p in sorted(e.fields & touched)]
    if conflicts and not force:
        raise _conflict_error(conflicts)

    updated: list[ManagedEntry] = []
    for entry in others:
        fields = _without(entry.fields - touched, comparison.removed)
        if fields != entry.fields:
            entry = ManagedEntry(
                entry.manager, entry.operation, entry.api_version, now, fields, entry.subresource
            )
        updated.append(entry)
    if own is not None and own.fields == applied_fields and own.api_version == resource.api_version:
        updated.append(own)
    else:
        updated.append(ManagedEntry(manager, "Apply", resource.api_version, now, applied_fields))
    write_entries(merged, updated)
    return merged


def _without_status(config: JsonObject, resource: ResourceType) -> JsonObject:
    if resource.has_status and "status" in config:
        config = {k: v for k, v in config.items() if k != "status"}
    return config


def record_update(
    live: JsonObject | None,
    new: JsonObject,
    resource: ResourceType,
    manager: str,
    now: str,
    subresource: str = "",
) -> None:
    """Record an Update by `manager` in `new`'s managedFields; `live` is None on create."""
    entries = read_entries(live)
    old_view = ownership_view(live, resource) if live is not None else {}
    comparison = typed.compare(old_view, ownership_view(new, resource), resource.kind)
    changed = comparison.added | comparison.modified
    identity = (manager, "Update", resource.api_version, subresource)

    updated: list[ManagedEntry] = []
    own_fields: FieldSet = set()
    own_time = now
    for entry in entries:
        if entry.identity == identity:
            own_fields = entry.fields
            own_time = entry.time
            continue
        fields = _without(entry.fields - changed, comparison.removed)
        if fields != entry.fields:
            entry = ManagedEntry(
                entry.manager, entry.operation, entry.api_version, now, fields, entry.subresource
            )
        updated.append(entry)
    new_fields = _without(own_fields | changed, comparison.removed)
    if new_fields != own_fields:
        own_time = now
    updated.append(
        ManagedEntry(manager, "Update", resource.api_version, own_time, new_fields, subresource)
    )
    write_entries(new, updated)
