"""A stand-in for kube-controller-manager: workload status after each spec change.

After a Deployment, StatefulSet, DaemonSet or Job is written, the simulation waits `delay`
seconds, then writes the status its controller would report once all pods run (or, for a
workload held with `keep_unready`, while none is ready). Status goes through the status
subresource as an Update by `kube-controller-manager`, so it bumps resourceVersion and shows
in managedFields as on a real cluster. Deployments also get the
`deployment.kubernetes.io/revision` annotation, counted up on each pod template change.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from typing import Any

from tests.apiserver import registry as registry_module
from tests.apiserver.registry import Registry, now_rfc3339
from tests.apiserver.resources import ResourceType

JsonObject = dict[str, Any]
WorkloadKey = tuple[str, str, str]

MANAGER = "kube-controller-manager"
KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job"})
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


def _template_hash(obj: JsonObject) -> str:
    text = json.dumps(obj.get("spec", {}).get("template"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


class Controllers:
    """Simulated workload controllers. `delay` is in seconds before a status write."""

    def __init__(self, registry: Registry, delay: float = 0.05) -> None:
        self.registry = registry
        self.delay = delay
        self.unready: set[WorkloadKey] = set()
        self._timers: set[threading.Timer] = set()
        self._templates: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()
        self._stopped = False
        registry.listeners.append(self._observe)

    def keep_unready(self, kind: str, namespace: str, name: str) -> None:
        """Hold a workload at zero ready pods until `release` is called."""
        self.unready.add((kind, namespace, name))

    def release(self, kind: str, namespace: str, name: str) -> None:
        """Let a held workload become ready and reconcile it now."""
        self.unready.discard((kind, namespace, name))
        self._schedule(kind, namespace, name)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()

    def _observe(self, resource: ResourceType, obj: JsonObject) -> None:
        if resource.kind not in KINDS:
            return
        metadata = obj["metadata"]
        self._schedule(resource.kind, metadata.get("namespace", ""), metadata["name"])

    def _schedule(self, kind: str, namespace: str, name: str) -> None:
        with self._lock:
            if self._stopped:
                return
            timer = threading.Timer(self.delay, self._run, (kind, namespace, name))
            timer.daemon = True
            self._timers.add(timer)
        timer.args = (kind, namespace, name, timer)
        timer.start()

    def _run(self, kind: str, namespace: str, name: str, timer: threading.Timer) -> None:
        with self._lock:
            self._timers.discard(timer)
            if self._stopped:
                return
        with self.registry.store.lock:
            self.reconcile(kind, namespace, name)

    def reconcile(self, kind: str, namespace: str, name: str) -> None:
        """Write the status of one workload now; callers hold the store lock."""
        resource = _resource(kind)
        obj = self.registry.store.get(resource, namespace, name)
        if obj is None or obj["metadata"].get("deletionTimestamp"):
            return
        ready = (kind, namespace, name) not in self.unready
        if kind == "Deployment":
            obj = self._annotate_revision(resource, obj)
        new_status = STATUS_WRITERS[kind](obj, ready)
        self.registry.write_status(resource, obj, new_status, MANAGER)

    def _annotate_revision(self, resource: ResourceType, obj: JsonObject) -> JsonObject:
        uid = obj["metadata"]["uid"]
        template = _template_hash(obj)
        last_hash, revision = self._templates.get(uid, ("", 0))
        if template != last_hash:
            revision += 1
            self._templates[uid] = (template, revision)
        annotations = obj["metadata"].get("annotations") or {}
        if annotations.get(REVISION_ANNOTATION) == str(revision):
            return obj
        new = copy.deepcopy(obj)
        new["metadata"].setdefault("annotations", {})[REVISION_ANNOTATION] = str(revision)
        registry_module.apply.record_update(obj, new, resource, MANAGER, now_rfc3339())
        self.registry.store.put(resource, new)
        return new


def _resource(kind: str) -> ResourceType:
    for resource in registry_module.resources.RESOURCE_TYPES:
        if resource.kind == kind:
            return resource
    raise KeyError(kind)


def _condition(kind: str, value: str, reason: str, message: str, now: str) -> JsonObject:
    return {
        "type": kind,
        "status": value,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def _same_conditions(old: JsonObject, new: JsonObject) -> JsonObject:
    """Keep the timestamps of conditions whose status and reason did not change."""
    previous = {c["type"]: c for c in old.get("conditions") or []}
    kept = []
    for condition in new.get("conditions") or []:
        before = previous.get(condition["type"])
        if before and (before["status"], before["reason"]) == (
            condition["status"],
            condition["reason"],
        ):
            condition = before
        kept.append(condition)
    if kept:
        new["conditions"] = kept
    return new


def deployment_status(obj: JsonObject, ready: bool) -> JsonObject:
    spec = obj["spec"]
    replicas = int(spec.get("replicas", 1))
    name = obj["metadata"]["name"]
    now = now_rfc3339()
    replica_set = f"{name}-{_template_hash(obj)}"
    status: JsonObject = {"observedGeneration": obj["metadata"].get("generation", 1)}
    if replicas:
        status["replicas"] = replicas
        status["updatedReplicas"] = replicas
    if ready:
        if replicas:
            status["readyReplicas"] = replicas
            status["availableReplicas"] = replicas
        available = _condition(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            now,
        )
        progressing = _condition(
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            f'ReplicaSet "{replica_set}" has successfully progressed.',
            now,
        )
    else:
        if replicas:
            status["unavailableReplicas"] = replicas
        available = _condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            now,
        )
        progressing = _condition(
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            f'ReplicaSet "{replica_set}" is progressing.',
            now,
        )
    status["conditions"] = [available, progressing]
    return _same_conditions(obj.get("status") or {}, status)


def statefulset_status(obj: JsonObject, ready: bool) -> JsonObject:
    replicas = int(obj["spec"].get("replicas", 1))
    revision = f"{obj['metadata']['name']}-{_template_hash(obj)}"
    status: JsonObject = {
        "observedGeneration": obj["metadata"].get("generation", 1),
        "replicas": replicas,
        "availableReplicas": replicas if ready else 0,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
    }
    if replicas:
        status["currentReplicas"] = replicas
        status["updatedReplicas"] = replicas
        if ready:
            status["readyReplicas"] = replicas
    return status


def daemonset_status(obj: JsonObject, ready: bool) -> JsonObject:
    # One simulated node, so one pod.
    return {
        "observedGeneration": obj["metadata"].get("generation", 1),
        "currentNumberScheduled": 1,
        "desiredNumberScheduled": 1,
        "numberMisscheduled": 0,
        "numberReady": 1 if ready else 0,
        "numberAvailable": 1 if ready else 0,
        "updatedNumberScheduled": 1,
        **({} if ready else {"numberUnavailable": 1}),
    }


def job_status(obj: JsonObject, ready: bool) -> JsonObject:
    old = obj.get("status") or {}
    now = now_rfc3339()
    start = old.get("startTime", now)
    if not ready:
        return {
            "startTime": start,
            "active": 1,
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
        }
    if old.get("completionTime"):
        return old
    completions = int(obj["spec"].get("completions") or 1)
    conditions = [
        {
            "type": "SuccessCriteriaMet",
            "status": "True",
            "lastProbeTime": now,
            "lastTransitionTime": now,
            "reason": "CompletionsReached",
            "message": "Reached expected number of succeeded pods",
        },
        {
            "type": "Complete",
            "status": "True",
            "lastProbeTime": now,
            "lastTransitionTime": now,
            "reason": "CompletionsReached",
            "message": "Reached expected number of succeeded pods",
        },
    ]
    return {
        "startTime": start,
        "completionTime": now,
        "succeeded": completions,
        "ready": 0,
        "terminating": 0,
        "uncountedTerminatedPods": {},
        "conditions": conditions,
    }


STATUS_WRITERS = {
    "Deployment": deployment_status,
    "StatefulSet": statefulset_status,
    "DaemonSet": daemonset_status,
    "Job": job_status,
}
