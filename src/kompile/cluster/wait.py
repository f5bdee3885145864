"""Waiting for workloads to roll out, and reporting why one did not.

A Deployment, StatefulSet or DaemonSet is ready when its controller has seen the newest
generation and every replica runs the new template and is available. A Job is done when
it reports the Complete condition. When a workload fails or time runs out, the reason is
read from its pods: the waiting or terminated state of their containers (such as
ImagePullBackOff or CrashLoopBackOff), the scheduler's message, and their latest
warning event.
"""

from __future__ import annotations

import time
import typing as t
from dataclasses import dataclass
from urllib.parse import quote

from kompile.cluster.client import ApiStatus, Cluster
from kompile.cluster.kinds import resource_by_kind
from kompile.cluster.objects import display_name
from kompile.cluster.state import Desired

Manifest = dict[str, t.Any]
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job"})


@dataclass
class Progress:
    """How far one workload got: ready replicas of those desired, done, or failed."""

    display: str
    ready: int
    desired: int
    done: bool = False
    failure: str | None = None

    def __str__(self) -> str:
        if self.failure:
            return f"{self.display} failed: {self.failure}"
        state = "ready" if self.done else "waiting"
        return f"{self.display} {self.ready}/{self.desired} {state}"


def _int(value: t.Any) -> int:
    return int(value) if isinstance(value, int) else 0


def _condition(obj: Manifest, kind: str) -> Manifest | None:
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == kind:
            return t.cast(Manifest, condition)
    return None


def progress_of(kind: str, obj: Manifest) -> Progress:
    """Return the rollout progress of a live workload."""
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    name = display_name(resource_by_kind(kind), obj["metadata"]["name"])
    observed = _int(status.get("observedGeneration")) >= _int(obj["metadata"].get("generation"))
    if kind == "Job":
        wanted = _int(spec.get("completions")) or 1
        progress = Progress(name, _int(status.get("succeeded")), wanted)
        failed = _condition(obj, "Failed")
        complete = _condition(obj, "Complete")
        if failed and failed.get("status") == "True":
            progress.failure = str(failed.get("message") or failed.get("reason") or "failed")
        progress.done = bool(complete and complete.get("status") == "True")
        return progress
    if kind == "DaemonSet":
        wanted = _int(status.get("desiredNumberScheduled"))
        ready = _int(status.get("numberAvailable"))
        updated = _int(status.get("updatedNumberScheduled"))
        return Progress(name, ready, wanted, observed and ready == updated == wanted)
    wanted = _int(spec.get("replicas")) if "replicas" in spec else 1
    ready = _int(status.get("availableReplicas" if kind == "Deployment" else "readyReplicas"))
    updated = _int(status.get("updatedReplicas"))
    total = _int(status.get("replicas"))
    progress = Progress(name, ready, wanted, observed and ready == updated == wanted >= total)
    if kind == "StatefulSet" and status.get("updateRevision"):
        progress.done = progress.done and status.get("currentRevision") == status["updateRevision"]
    stalled = _condition(obj, "Progressing")
    if stalled and stalled.get("reason") == "ProgressDeadlineExceeded":
        progress.failure = str(stalled.get("message") or "progress deadline exceeded")
    return progress


class Waiter:
    """Polls workloads until all are ready, one fails, or the timeout passes."""

    def __init__(self, cluster: Cluster, *, timeout: float, interval: float = 1.0) -> None:
        self.cluster = cluster
        self.timeout = timeout
        self.interval = interval

    def wait(
        self, desired: list[Desired], on_poll: t.Callable[[list[Progress]], None]
    ) -> list[Progress]:
        """Return the final progress of every workload in ``desired``."""
        workloads = [item for item in desired if item.resource.kind in WORKLOAD_KINDS]
        deadline = time.monotonic() + self.timeout
        while True:
            states = [self._poll(item) for item in workloads]
            on_poll(states)
            finished = all(state.done or state.failure for state in states)
            if finished or time.monotonic() >= deadline:
                break
            time.sleep(self.interval)
        for item, state in zip(workloads, states, strict=True):
            if not state.done and not state.failure:
                reason = self.explain(item)
                state.failure = f"not ready after {self.timeout:g}s" + (
                    f": {reason}" if reason else ""
                )
            elif state.failure:
                reason = self.explain(item)
                if reason:
                    state.failure = f"{state.failure}: {reason}"
        return states

    def _poll(self, item: Desired) -> Progress:
        path = item.resource.object_path(item.key.namespace, item.name)
        try:
            obj = self.cluster.request("GET", path).body or {}
        except ApiStatus as error:
            name = display_name(item.resource, item.name)
            return Progress(name, 0, 0, failure=f"{error.message} ({error.code})")
        return progress_of(item.resource.kind, obj)

    def explain(self, item: Desired) -> str:
        """Return why a workload's pods are not ready, or '' when their status gives no reason."""
        template = (item.obj.get("spec") or {}).get("template") or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        if item.resource.kind == "Job":
            labels = {"job-name": item.name}
        if not labels:
            return ""
        selector = ",".join(f"{key}={value}" for key, value in sorted(labels.items()))
        pods_path = f"/api/v1/namespaces/{item.key.namespace}/pods"
        try:
            pods = self.cluster.request("GET", pods_path, query={"labelSelector": selector})
        except ApiStatus:
            return ""
        reasons: list[str] = []
        for pod in (pods.body or {}).get("items") or []:
            reason = _pod_reason(pod) or self._latest_warning(item.key.namespace, pod)
            if reason and reason not in reasons:
                reasons.append(reason)
        return "; ".join(reasons[:3])

    def _latest_warning(self, namespace: str, pod: Manifest) -> str:
        name = pod["metadata"]["name"]
        selector = f"involvedObject.name={name},type=Warning"
        try:
            events = self.cluster.request(
                "GET",
                f"/api/v1/namespaces/{quote(namespace)}/events",
                query={"fieldSelector": selector},
            )
        except ApiStatus:
            return ""
        items = (events.body or {}).get("items") or []
        if not items:
            return ""
        latest = max(items, key=lambda event: str(event.get("lastTimestamp") or ""))
        return f"pod {name}: {latest.get('reason', '')}: {latest.get('message', '')}".strip()


def _pod_reason(pod: Manifest) -> str:
    """Return the first problem a pod's status shows, naming the pod."""
    name = pod["metadata"]["name"]
    status = pod.get("status") or {}
    for container in status.get("containerStatuses") or []:
        state = container.get("state") or {}
        waiting = state.get("waiting")
        if waiting and waiting.get("reason") not in (None, "ContainerCreating", "PodInitializing"):
            message = waiting.get("message") or ""
            return f"pod {name}: {waiting['reason']}" + (f" ({message})" if message else "")
        terminated = (container.get("lastState") or {}).get("terminated") or state.get("terminated")
        if terminated and terminated.get("exitCode"):
            return f"pod {name}: exited with {terminated['exitCode']} ({terminated.get('reason')})"
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return f"pod {name}: Pending: {condition.get('message') or condition.get('reason')}"
    return ""
