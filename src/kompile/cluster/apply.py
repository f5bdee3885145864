"""Server-side apply of a project's objects: ordered, parallel within a kind, then pruned.

Objects go to the cluster in groups by kind, in the order of the convert pipeline
(Namespace, then Secrets, ConfigMaps and claims, then Services, workloads and the
objects that point at them). Objects of one group are independent, so they are sent in
parallel. When any object fails, no later group starts and nothing is pruned, so a
failed run never deletes what the new objects were meant to replace.
"""

from __future__ import annotations

import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby

from kompile.cluster.client import APPLY_PATCH, PARALLEL_REQUESTS, ApiStatus, Cluster
from kompile.cluster.kinds import Resource
from kompile.cluster.normalize import project_onto, strip_server_fields
from kompile.cluster.objects import ObjectKey, display_name, prune_disabled
from kompile.cluster.redact import Redactor
from kompile.cluster.state import (
    Desired,
    kind_rank,
    list_live,
    namespace_exists,
    owner_of,
    prepare,
    resources_to_list,
)
from kompile.errors import ClusterError

Manifest = dict[str, t.Any]

# Kinds whose objects hold data that a delete loses: pruned only on request, never replaced.
# Namespaces are never pruned at all (only namespaced objects are listed for pruning),
# because the same project deployed into another namespace carries the same labels.
PROTECTED_KINDS = {"PersistentVolumeClaim": "--prune-volumes", "Namespace": ""}
# Kinds that are cheap to replace when an immutable field changes: they hold no data.
REPLACEABLE_KINDS = frozenset({"Service", "Job"})
IMMUTABLE_MARKERS = ("immutable", "may not change once set", "are forbidden")


@dataclass
class ApplyOptions:
    field_manager: str = "kompile"
    force_conflicts: bool = False
    prune: bool = False
    prune_volumes: bool = False
    dry_run: str = "none"  # "none", "server" (dryRun=All) or "client" (no writes)
    recreate: bool = False
    adopt: bool = False
    parallelism: int = PARALLEL_REQUESTS
    delete_timeout: float = 60.0


@dataclass
class ObjectResult:
    """The outcome for one object: created, configured, unchanged, replaced or pruned."""

    resource: Resource
    name: str
    namespace: str
    action: str
    error: str | None = None

    @property
    def display(self) -> str:
        return display_name(self.resource, self.name)


@dataclass
class ApplyReport:
    results: list[ObjectResult] = field(default_factory=list)
    not_applied: list[ObjectResult] = field(default_factory=list)
    kept: list[ObjectResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ObjectResult]:
        return [result for result in self.results if result.action == "failed"]


class Applier:
    """Applies one project's objects to one namespace of a cluster."""

    def __init__(
        self,
        cluster: Cluster,
        project: str,
        namespace: str,
        options: ApplyOptions,
        on_result: t.Callable[[ObjectResult], None] = lambda result: None,
    ) -> None:
        self.cluster = cluster
        self.project = project
        self.namespace = namespace
        self.options = options
        self.on_result = on_result
        self.redact = Redactor(())
        self.desired: list[Desired] = []

    def run(self, objects: list[Manifest]) -> ApplyReport:
        """Apply ``objects``, then prune when asked; return what happened to each object."""
        self.redact = Redactor(objects)
        desired = prepare(self.cluster, objects, self.namespace)
        self.desired = desired
        self._check_namespace(desired)
        foreign: dict[ObjectKey, Manifest] = {}
        live = list_live(
            self.cluster,
            resources_to_list(desired, everything=self.options.prune),
            self.namespace,
            self.project,
            desired,
            foreign,
        )
        report = ApplyReport()
        if foreign and not self.options.adopt:
            for item in desired:
                if item.key in foreign:
                    reason = f"exists and belongs to {owner_of(foreign[item.key])}"
                    report.results.append(self._result(item, "failed", reason))
                    self.on_result(report.results[-1])
                else:
                    report.not_applied.append(self._result(item, "not applied"))
            return report
        for key, obj in foreign.items():
            live[key] = (next(item.resource for item in desired if item.key == key), obj)
        groups = [
            list(items) for _, items in groupby(desired, lambda d: kind_rank(d.resource.kind))
        ]
        for index, group in enumerate(groups):
            results = self._apply_group(group, live)
            report.results.extend(results)
            if any(result.action == "failed" for result in results):
                for later in groups[index + 1 :]:
                    report.not_applied.extend(self._result(item, "not applied") for item in later)
                return report
            if group[0].resource.kind == "Namespace" and self.options.dry_run == "none":
                for item in group:
                    self._wait_namespace_active(item.name)
        if self.options.prune:
            self._prune(desired, live, report)
        return report

    def _check_namespace(self, desired: list[Desired]) -> None:
        creates_it = any(
            item.resource.kind == "Namespace" and item.name == self.namespace for item in desired
        )
        needs_it = any(item.resource.namespaced for item in desired)
        if needs_it and not creates_it and not namespace_exists(self.cluster, self.namespace):
            raise ClusterError(
                f"namespace {self.namespace} not found on {self.cluster.host}",
                hint="create it, or add --create-namespace",
            )

    def _apply_group(
        self, group: list[Desired], live: dict[ObjectKey, tuple[Resource, Manifest]]
    ) -> list[ObjectResult]:
        workers = max(1, min(self.options.parallelism, len(group)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(self._apply_one, item, live.get(item.key)) for item in group]
            results = [future.result() for future in futures]
        for result in results:
            self.on_result(result)
        return results

    def _apply_one(self, item: Desired, current: tuple[Resource, Manifest] | None) -> ObjectResult:
        live_obj = current[1] if current else None
        if live_obj is not None and is_placeholder_secret(item.obj):
            result = self._result(item, "kept")
            result.error = "its placeholder values are not applied over the existing Secret"
            return result
        if self.options.dry_run == "client":
            return self._result(item, _client_side_action(item.obj, live_obj))
        try:
            response = self._patch(item)
        except ApiStatus as error:
            if live_obj is not None and _is_immutable(error) and self._may_replace(item):
                return self._replace(item)
            return self._result(item, "failed", self._describe(item, error, live_obj))
        except ClusterError as error:
            return self._result(item, "failed", self.redact(error.reason))
        if not _is_object(response.body, item):
            message = f"the API server at {self.cluster.host} sent a response without the object"
            return self._result(item, "failed", message)
        action = _server_action(
            response.status, response.body, live_obj, self.options.field_manager
        )
        return self._result(item, action)

    def _patch(self, item: Desired) -> t.Any:
        query = {
            "fieldManager": self.options.field_manager,
            "force": "true" if self.options.force_conflicts else "false",
        }
        if self.options.dry_run == "server":
            query["dryRun"] = "All"
        path = item.resource.object_path(item.key.namespace, item.name)
        return self.cluster.request(
            "PATCH", path, query=query, body=item.obj, content_type=APPLY_PATCH
        )

    def _may_replace(self, item: Desired) -> bool:
        if item.resource.kind in PROTECTED_KINDS:
            return False
        return self.options.recreate or item.resource.kind in REPLACEABLE_KINDS

    def _replace(self, item: Desired) -> ObjectResult:
        """Delete an object whose immutable fields changed, then apply it again."""
        if self.options.dry_run == "server":
            return self._result(item, "replaced")
        path = item.resource.object_path(item.key.namespace, item.name)
        try:
            self.cluster.request("DELETE", path, query={"propagationPolicy": "Foreground"})
            self._wait_deleted(path)
            response = self._patch(item)
        except ApiStatus as error:
            return self._result(item, "failed", self._describe(item, error, None))
        except ClusterError as error:
            return self._result(item, "failed", self.redact(error.reason))
        if response.status not in (200, 201):
            return self._result(item, "failed", f"unexpected status {response.status}")
        return self._result(item, "replaced")

    def _wait_deleted(self, path: str) -> None:
        deadline = time.monotonic() + self.options.delete_timeout
        while time.monotonic() < deadline:
            try:
                self.cluster.request("GET", path)
            except ApiStatus as error:
                if error.code == 404:
                    return
                raise
            time.sleep(0.5)
        raise ClusterError(f"timed out waiting for the deletion of {path}")

    def _wait_namespace_active(self, name: str) -> None:
        deadline = time.monotonic() + self.options.delete_timeout
        while time.monotonic() < deadline:
            body = self.cluster.request("GET", f"/api/v1/namespaces/{name}").body or {}
            if (body.get("status") or {}).get("phase", "Active") == "Active":
                return
            time.sleep(0.5)
        raise ClusterError(f"timed out waiting for namespace {name} to become Active")

    def _describe(self, item: Desired, error: ApiStatus, live_obj: Manifest | None) -> str:
        """Return one line that explains why the server rejected ``item`` and what to do."""
        message = self.redact(error.message)
        if error.code == 409 and error.causes:
            owners = []
            for cause in error.causes:
                path = str(cause.get("field", ""))
                owner = str(cause.get("message", "")).removeprefix("conflict with ")
                now = _value_at(live_obj, path) if item.resource.kind != "Secret" else None
                owners.append(f"{path} is managed by {owner}" + (f" (now {now})" if now else ""))
            return (
                f"conflict: {'; '.join(owners)}; rerun with --force-conflicts to take these "
                "fields, or stop setting them in the compose file"
            )
        if _is_immutable(error):
            hint = (
                "claims are never replaced, because that deletes their data"
                if item.resource.kind in PROTECTED_KINDS
                else "rerun with --recreate to delete and recreate it"
            )
            return f"{message}; {hint}"
        return f"{message} ({error.code} {error.reason})"

    def _prune(
        self,
        desired: list[Desired],
        live: dict[ObjectKey, tuple[Resource, Manifest]],
        report: ApplyReport,
    ) -> None:
        wanted = {item.key for item in desired}
        stale = sorted(set(live) - wanted, key=lambda k: (-kind_rank(k.kind), k))
        for index, key in enumerate(stale):
            resource, obj = live[key]
            flag = PROTECTED_KINDS.get(resource.kind)
            allowed = {"--prune-volumes": self.options.prune_volumes}
            if prune_disabled(obj) or (flag is not None and not allowed.get(flag)):
                kept = ObjectResult(resource, key.name, key.namespace, "kept")
                kept.error = (
                    f"pruned only with {flag}" if flag else "annotated kompile.dev/prune=false"
                )
                report.kept.append(kept)
                continue
            result = self._delete(resource, key)
            report.results.append(result)
            self.on_result(result)
            if result.error is not None:
                # Stop at the first failed delete, so no more is deleted after a failure.
                for later in stale[index + 1 :]:
                    kept = ObjectResult(live[later][0], later.name, later.namespace, "kept")
                    kept.error = "not pruned, because an earlier delete failed"
                    report.kept.append(kept)
                return

    def _delete(self, resource: Resource, key: ObjectKey) -> ObjectResult:
        result = ObjectResult(resource, key.name, key.namespace, "pruned")
        if self.options.dry_run == "client":
            return result
        query = {"propagationPolicy": "Background"}
        if self.options.dry_run == "server":
            query["dryRun"] = "All"
        try:
            self.cluster.request(
                "DELETE", resource.object_path(key.namespace, key.name), query=query
            )
        except ApiStatus as error:
            if error.code != 404:
                result.action = "failed"
                result.error = f"{self.redact(error.message)} ({error.code} {error.reason})"
        except ClusterError as error:
            result.action = "failed"
            result.error = error.reason
        return result

    def _result(self, item: Desired, action: str, error: str | None = None) -> ObjectResult:
        return ObjectResult(item.resource, item.name, item.key.namespace, action, error)


def _server_action(
    status: int, body: Manifest, live_obj: Manifest | None, field_manager: str
) -> str:
    """Return created, configured or unchanged from the response to a server-side apply.

    Controllers write status all the time, so a moved resourceVersion proves nothing, and
    a dry run never moves it. An apply changed nothing when the object without its server
    fields is the same and the applying manager owns the same fields as before.
    """
    if status == 201:
        return "created"
    if live_obj is None:
        # The object existed without the project's labels, so the list did not return it.
        return "configured"
    same_object = strip_server_fields(live_obj) == strip_server_fields(body)
    same_fields = _owned_fields(live_obj, field_manager) == _owned_fields(body, field_manager)
    return "unchanged" if same_object and same_fields else "configured"


def _owned_fields(obj: Manifest, field_manager: str) -> t.Any:
    for entry in obj.get("metadata", {}).get("managedFields") or []:
        if entry.get("manager") == field_manager and entry.get("operation") == "Apply":
            return entry.get("fieldsV1")
    return None


def _is_object(body: t.Any, item: Desired) -> bool:
    """Tell whether a response is the object that was sent, as a real server returns it."""
    if not isinstance(body, dict):
        return False
    metadata = body.get("metadata")
    return isinstance(metadata, dict) and metadata.get("name") == item.name


def is_placeholder_secret(obj: Manifest) -> bool:
    """Tell whether ``obj`` is a Secret of empty placeholder values for a person to fill in."""
    if obj.get("kind") != "Secret" or obj.get("data"):
        return False
    values = obj.get("stringData") or {}
    return bool(values) and not any(values.values())


def _client_side_action(desired: Manifest, live_obj: Manifest | None) -> str:
    if live_obj is None:
        return "created"
    same = project_onto(strip_server_fields(live_obj), desired) == desired
    return "unchanged" if same else "configured"


def _is_immutable(error: ApiStatus) -> bool:
    if error.code != 422:
        return False
    texts = [error.message, *(str(cause.get("message", "")) for cause in error.causes)]
    return any(marker in text for text in texts for marker in IMMUTABLE_MARKERS)


def _value_at(obj: Manifest | None, path: str) -> str | None:
    """Return the scalar at a simple ``.spec.replicas`` path of ``obj``, as text."""
    if obj is None or not path.startswith(".") or "[" in path:
        return None
    value: t.Any = obj
    for part in path[1:].split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return None if isinstance(value, (dict, list)) else str(value)
