"""What ``apply`` would change: compared against a server-side dry run, secrets masked.

For an object that exists, the desired side is the server's response to a dry-run apply
of the new object, so defaults and admission changes appear on both sides and only real
changes remain. ``--local`` sends no dry run and compares only the fields kompile sets.
Live objects of the project that are no longer desired are listed as deletions, which
is what ``apply --prune`` would remove.
"""

from __future__ import annotations

import typing as t
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from deepdiff import DeepDiff

from kompile.cluster.apply import PROTECTED_KINDS, is_placeholder_secret
from kompile.cluster.client import APPLY_PATCH, PARALLEL_REQUESTS, ApiStatus, Cluster
from kompile.cluster.kinds import Resource
from kompile.cluster.mask import mask_pair
from kompile.cluster.normalize import keyed, project_onto, strip_server_fields
from kompile.cluster.objects import ObjectKey, display_name, prune_disabled
from kompile.cluster.redact import Redactor
from kompile.cluster.state import (
    Desired,
    hint_for,
    kind_rank,
    list_live,
    owner_of,
    prepare,
    resources_to_list,
)
from kompile.errors import ClusterError

Manifest = dict[str, t.Any]

CREATE = "create"
UPDATE = "update"
DELETE = "delete"
REPLACE = "replace"
NONE = "none"


@dataclass
class FieldChange:
    """One changed field: its path, and the values on each side (secrets masked)."""

    path: str
    change: str  # "changed", "added" or "removed"
    live: t.Any = None
    desired: t.Any = None


@dataclass
class ObjectChange:
    """The difference for one object between the cluster and the desired state."""

    resource: Resource
    name: str
    namespace: str
    action: str
    live: Manifest | None = None
    desired: Manifest | None = None
    fields: list[FieldChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def display(self) -> str:
        return display_name(self.resource, self.name)


@dataclass
class DiffOptions:
    field_manager: str = "kompile"
    local: bool = False


class Differ:
    """Compares one project's desired objects with one namespace of a cluster."""

    def __init__(self, cluster: Cluster, project: str, namespace: str, options: DiffOptions):
        self.cluster = cluster
        self.project = project
        self.namespace = namespace
        self.options = options
        self.redact = Redactor(())

    def run(self, objects: list[Manifest]) -> list[ObjectChange]:
        """Return one change per desired or deletable object, in apply order."""
        self.redact = Redactor(objects)
        desired = prepare(self.cluster, objects, self.namespace)
        foreign: dict[ObjectKey, Manifest] = {}
        live = list_live(
            self.cluster,
            resources_to_list(desired, everything=True),
            self.namespace,
            self.project,
            desired,
            foreign,
        )
        for key, obj in foreign.items():
            live[key] = (next(item.resource for item in desired if item.key == key), obj)
        changes = self._compare_all(desired, live)
        for change in changes:
            key = next(
                item.key
                for item in desired
                if item.name == change.name and item.resource == change.resource
            )
            if key in foreign:
                change.notes.append(
                    f"exists and belongs to {owner_of(foreign[key])}; apply takes it over "
                    "only with --adopt"
                )
                if change.action == NONE:
                    change.action = UPDATE
        wanted = {item.key for item in desired}
        for key in sorted(set(live) - wanted, key=lambda k: (kind_rank(k.kind), k)):
            resource, obj = live[key]
            changes.append(self._deletion(resource, key, obj))
        return changes

    def _compare_all(
        self, desired: list[Desired], live: dict[ObjectKey, tuple[Resource, Manifest]]
    ) -> list[ObjectChange]:
        """Compare every desired object, sending up to PARALLEL_REQUESTS dry runs at once.

        The dry runs are independent, so they overlap as apply's writes do; the changes
        keep the order of ``desired``.
        """
        workers = 1 if self.options.local else min(PARALLEL_REQUESTS, len(desired))
        if workers <= 1:
            return [self._compare(item, live.get(item.key)) for item in desired]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(self._compare, item, live.get(item.key)) for item in desired]
            return [future.result() for future in futures]

    def _compare(self, item: Desired, current: tuple[Resource, Manifest] | None) -> ObjectChange:
        change = ObjectChange(item.resource, item.name, item.key.namespace, NONE)
        if current is None:
            change.action = CREATE
            change.live, change.desired = mask_pair(None, strip_server_fields(item.obj))
            return change
        live_obj = strip_server_fields(current[1])
        if is_placeholder_secret(item.obj):
            change.notes.append("placeholder values are not applied over the existing Secret")
            return change
        merged = None if self.options.local else self._dry_run(item, change)
        if merged is None:
            merged = item.obj
            live_obj = project_onto(live_obj, item.obj)
        masked_live, masked_desired = mask_pair(live_obj, strip_server_fields(merged))
        change.live, change.desired = masked_live, masked_desired
        change.fields = field_changes(masked_live or {}, masked_desired or {})
        if change.action == NONE and change.fields:
            change.action = UPDATE
        return change

    def _dry_run(self, item: Desired, change: ObjectChange) -> Manifest | None:
        """Return the server's dry-run result of applying ``item``, noting conflicts.

        A conflict with another manager is noted and the dry run repeated with force, to
        show what ``apply --force-conflicts`` would do. Returns None when an immutable
        field stops the apply, after marking the change as a replacement.
        """
        try:
            return self._dry_run_patch(item, force=False)
        except ApiStatus as error:
            if error.code == 409 and error.causes:
                owners = ", ".join(
                    f"{cause.get('field')} ({cause.get('message')})" for cause in error.causes
                )
                change.notes.append(f"apply conflicts with other managers: {owners}")
                try:
                    return self._dry_run_patch(item, force=True)
                except ApiStatus as forced_error:
                    error = forced_error
            if error.code == 422:
                change.action = REPLACE
                fields = ", ".join(str(c.get("field")) for c in error.causes if c.get("field"))
                change.notes.append(
                    f"requires replacement (immutable: {fields or self.redact(error.message)})"
                )
                return None
            raise ClusterError(
                f"dry-run apply of {display_name(item.resource, item.name)} failed: "
                f"{self.redact(error.message)} ({error.code} {error.reason})",
                hint=hint_for(error.code),
            ) from None

    def _dry_run_patch(self, item: Desired, *, force: bool) -> Manifest:
        path = item.resource.object_path(item.key.namespace, item.name)
        query = {
            "fieldManager": self.options.field_manager,
            "force": "true" if force else "false",
            "dryRun": "All",
        }
        body = self.cluster.request(
            "PATCH", path, query=query, body=item.obj, content_type=APPLY_PATCH
        ).body
        if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
            raise ClusterError(
                f"the API server at {self.cluster.host} sent a dry-run response without the object",
                hint="check that the kubeconfig points at a Kubernetes API server",
            )
        return body

    def _deletion(self, resource: Resource, key: ObjectKey, obj: Manifest) -> ObjectChange:
        live_obj, _ = mask_pair(strip_server_fields(obj), None)
        change = ObjectChange(resource, key.name, key.namespace, DELETE, live=live_obj)
        flag = PROTECTED_KINDS.get(resource.kind)
        if flag:
            change.notes.append(f"protected: apply --prune deletes it only with {flag}")
        if prune_disabled(obj):
            change.notes.append("protected: annotated kompile.dev/prune=false")
        return change


def _keyed_tree(value: t.Any) -> t.Any:
    """Return ``value`` with list-maps turned into maps, so paths name items by key."""
    if isinstance(value, dict):
        return {key: _keyed_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        items = keyed(value)
        if items is None:
            return [_keyed_tree(item) for item in value]
        return {_KeyedItem(key): _keyed_tree(item) for key, item in items.items()}
    return value


class _KeyedItem(str):
    """A map key that stands for a list item identified by its merge key."""


def _format_path(parts: list[t.Any]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, _KeyedItem):
            label = part.split("=", 1)[1] if part.count("=") == 1 else part
            text += f"[{label}]"
        elif isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def field_changes(live: Manifest, desired: Manifest) -> list[FieldChange]:
    """Return the changed fields between two objects, list items named by merge key."""
    tree = DeepDiff(_keyed_tree(live), _keyed_tree(desired), view="tree")
    changes: list[FieldChange] = []
    kinds = {
        "values_changed": "changed",
        "type_changes": "changed",
        "dictionary_item_added": "added",
        "dictionary_item_removed": "removed",
        "iterable_item_added": "added",
        "iterable_item_removed": "removed",
    }
    for report_type, levels in tree.items():
        change = kinds.get(report_type)
        if change is None:
            continue
        for level in levels:
            before = None if change == "added" else _plain(level.t1)
            after = None if change == "removed" else _plain(level.t2)
            path = _format_path(level.path(output_format="list"))
            changes.append(FieldChange(path, change, before, after))
    return sorted(changes, key=lambda item: item.path)


def _plain(value: t.Any) -> t.Any:
    """Return a value with keyed maps turned back into plain JSON-compatible data."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
