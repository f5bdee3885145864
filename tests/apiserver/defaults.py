"""Defaults that kube-apiserver 1.32 fills in on every write.

The values follow the `SetDefaults_*` functions of pkg/apis/{core,apps,batch,autoscaling,
networking}/v1 and the admission plugins that change objects (NamespaceLifecycle labels,
PVC protection finalizer). Defaults run after the merge and before validation, on create
and on update, so a field a manager stops applying springs back to its default, as
`replicas` does. Allocated values (Service clusterIP and nodePorts) come from an
`Allocator` and are carried over from the stored object on update.

NOTE: the double has no StorageClass and no IngressClass, so `storageClassName` and
`ingressClassName` stay unset; a real cluster with a default class fills them in.
"""

from __future__ import annotations

import base64
from typing import Any, Protocol

from tests.apiserver.resources import ResourceType

JsonObject = dict[str, Any]

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job"})

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")

VOLUME_SOURCES_WITH_MODE = ("configMap", "secret", "projected", "downwardAPI")


class Allocator(Protocol):
    """Hands out Service cluster IPs and node ports that are not in use yet."""

    def allocate_cluster_ip(self) -> str: ...

    def allocate_node_port(self) -> int: ...


def apply_defaults(
    obj: JsonObject, resource: ResourceType, old: JsonObject | None, allocator: Allocator
) -> None:
    """Fill in the defaults of `obj` in place; `old` is the stored object on update."""
    kind = resource.kind
    spec = obj.get("spec")
    if kind == "Deployment":
        _deployment(obj.setdefault("spec", {}))
    elif kind == "StatefulSet":
        _statefulset(obj.setdefault("spec", {}))
    elif kind == "DaemonSet":
        _daemonset(obj.setdefault("spec", {}))
    elif kind == "Job":
        _job(obj)
    elif kind == "CronJob":
        _cronjob(obj.setdefault("spec", {}))
    elif kind == "Pod" and isinstance(spec, dict):
        _pod_spec(spec)
    elif kind == "Service":
        _service(obj, old, allocator)
    elif kind == "PersistentVolumeClaim":
        _persistent_volume_claim(obj, old)
    elif kind == "Secret":
        _secret(obj)
    elif kind == "Namespace":
        _namespace(obj)
    elif kind == "HorizontalPodAutoscaler":
        _horizontal_pod_autoscaler(obj.setdefault("spec", {}))
    elif kind == "NetworkPolicy":
        _network_policy(obj.setdefault("spec", {}))
    elif kind == "Ingress":
        obj.setdefault("status", {}).setdefault("loadBalancer", {})


def initial_status(kind: str) -> JsonObject | None:
    """Return the status a fresh object serialises with, from Go zero values."""
    zero: dict[str, JsonObject] = {
        "Deployment": {},
        "StatefulSet": {"availableReplicas": 0, "replicas": 0},
        "DaemonSet": {
            "currentNumberScheduled": 0,
            "desiredNumberScheduled": 0,
            "numberMisscheduled": 0,
            "numberReady": 0,
        },
        "Job": {},
        "CronJob": {},
        "HorizontalPodAutoscaler": {"currentMetrics": None, "desiredReplicas": 0},
        "Service": {"loadBalancer": {}},
        "PersistentVolumeClaim": {"phase": "Pending"},
        "Namespace": {"phase": "Active"},
        "Ingress": {"loadBalancer": {}},
        "Pod": {"phase": "Pending"},
    }
    status = zero.get(kind)
    return dict(status) if status is not None else None


def image_pull_policy(image: str) -> str:
    """Return Always for a `latest` or missing tag, else IfNotPresent (digests included)."""
    if "@" in image:
        return "IfNotPresent"
    last_component = image.rsplit("/", 1)[-1]
    if ":" not in last_component:
        return "Always"
    return "Always" if last_component.rsplit(":", 1)[1] == "latest" else "IfNotPresent"


def _template(spec: JsonObject) -> None:
    template = spec.setdefault("template", {})
    template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    _pod_spec(template.setdefault("spec", {}))


def _pod_spec(spec: JsonObject) -> None:
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    for list_name in ("initContainers", "containers"):
        for container in spec.get(list_name) or []:
            _container(container)
    for volume in spec.get("volumes") or []:
        _volume(volume)


def _container(container: JsonObject) -> None:
    if "image" in container:
        container.setdefault("imagePullPolicy", image_pull_policy(str(container["image"])))
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for env in container.get("env") or []:
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")
    for probe_name in PROBES:
        probe = container.get(probe_name)
        if isinstance(probe, dict):
            _probe(probe)
    for handler in (container.get("lifecycle") or {}).values():
        if isinstance(handler, dict) and isinstance(handler.get("httpGet"), dict):
            _http_get(handler["httpGet"])


def _probe(probe: JsonObject) -> None:
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    if isinstance(probe.get("httpGet"), dict):
        _http_get(probe["httpGet"])


def _http_get(action: JsonObject) -> None:
    action.setdefault("path", "/")
    action.setdefault("scheme", "HTTP")


def _volume(volume: JsonObject) -> None:
    if not any(key != "name" for key in volume):
        volume["emptyDir"] = {}
    for source in VOLUME_SOURCES_WITH_MODE:
        if isinstance(volume.get(source), dict):
            volume[source].setdefault("defaultMode", 420)
    if isinstance(volume.get("hostPath"), dict):
        volume["hostPath"].setdefault("type", "")


def _deployment(spec: JsonObject) -> None:
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(spec)


def _statefulset(spec: JsonObject) -> None:
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    retention = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    for claim in spec.get("volumeClaimTemplates") or []:
        claim.setdefault("apiVersion", "v1")
        claim.setdefault("kind", "PersistentVolumeClaim")
        claim.setdefault("metadata", {}).setdefault("creationTimestamp", None)
        claim.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
        claim.setdefault("status", {}).setdefault("phase", "Pending")
    _template(spec)


def _daemonset(spec: JsonObject) -> None:
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _template(spec)


def _job_spec(spec: JsonObject) -> None:
    if "completions" not in spec and "parallelism" not in spec:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    replacement = "Failed" if "podFailurePolicy" in spec else "TerminatingOrFailed"
    spec.setdefault("podReplacementPolicy", replacement)
    spec.setdefault("manualSelector", False)


def _job(obj: JsonObject) -> None:
    spec = obj.setdefault("spec", {})
    _job_spec(spec)
    _template(spec)
    if spec.get("manualSelector"):
        return
    metadata = obj.get("metadata", {})
    uid = metadata.get("uid", "")
    name = metadata.get("name", "")
    if "selector" not in spec and uid:
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = spec["template"]["metadata"].setdefault("labels", {})
    if uid:
        labels.setdefault("batch.kubernetes.io/controller-uid", uid)
        labels.setdefault("controller-uid", uid)
    labels.setdefault("batch.kubernetes.io/job-name", name)
    labels.setdefault("job-name", name)


def _cronjob(spec: JsonObject) -> None:
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_template = spec.setdefault("jobTemplate", {})
    job_template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    _template(job_template.setdefault("spec", {}))


def _service(obj: JsonObject, old: JsonObject | None, allocator: Allocator) -> None:
    spec = obj.setdefault("spec", {})
    old_spec = (old or {}).get("spec") or {}
    service_type = spec.setdefault("type", "ClusterIP")
    if service_type == "ExternalName":
        return
    spec.setdefault("sessionAffinity", "None")
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
    if (
        old_spec.get("clusterIP")
        and spec.get("clusterIP") not in (None, old_spec["clusterIP"])
        and spec.get("clusterIPs") == old_spec.get("clusterIPs")
    ):
        # A changed clusterIP with untouched clusterIPs moves clusterIPs along, so the
        # immutability check below reports the change on spec.clusterIPs[0].
        spec["clusterIPs"] = [spec["clusterIP"]]
    if old_spec.get("clusterIP") and "clusterIP" not in spec and "clusterIPs" not in spec:
        spec["clusterIP"] = old_spec["clusterIP"]
        spec["clusterIPs"] = list(old_spec.get("clusterIPs") or [old_spec["clusterIP"]])
    if "clusterIP" not in spec:
        ips = spec.get("clusterIPs") or [allocator.allocate_cluster_ip()]
        spec["clusterIP"] = ips[0]
    spec.setdefault("clusterIPs", [spec["clusterIP"]])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if service_type in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
        old_ports = {
            (p.get("port"), p.get("protocol", "TCP")): p.get("nodePort")
            for p in old_spec.get("ports") or []
        }
        for port in spec.get("ports") or []:
            if "nodePort" not in port:
                kept = old_ports.get((port.get("port"), port.get("protocol")))
                port["nodePort"] = kept or allocator.allocate_node_port()
    if service_type == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def _persistent_volume_claim(obj: JsonObject, old: JsonObject | None) -> None:
    obj.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
    if old is None:
        finalizers = obj.setdefault("metadata", {}).setdefault("finalizers", [])
        if "kubernetes.io/pvc-protection" not in finalizers:
            finalizers.append("kubernetes.io/pvc-protection")


def _secret(obj: JsonObject) -> None:
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = obj.setdefault("data", {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()


def _namespace(obj: JsonObject) -> None:
    metadata = obj.setdefault("metadata", {})
    metadata.setdefault("labels", {})["kubernetes.io/metadata.name"] = metadata.get("name", "")
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])


def _horizontal_pod_autoscaler(spec: JsonObject) -> None:
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 80},
                },
            }
        ]
    behavior = spec.get("behavior")
    if not isinstance(behavior, dict):
        return
    scale_up = behavior.setdefault("scaleUp", {})
    scale_up.setdefault("stabilizationWindowSeconds", 0)
    scale_up.setdefault("selectPolicy", "Max")
    scale_up.setdefault(
        "policies",
        [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15},
        ],
    )
    scale_down = behavior.setdefault("scaleDown", {})
    scale_down.setdefault("stabilizationWindowSeconds", 300)
    scale_down.setdefault("selectPolicy", "Max")
    scale_down.setdefault("policies", [{"type": "Percent", "value": 100, "periodSeconds": 15}])


def _network_policy(spec: JsonObject) -> None:
    if not spec.get("policyTypes"):
        policy_types = ["Ingress"]
        if spec.get("egress"):
            policy_types.append("Egress")
        spec["policyTypes"] = policy_types
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for port in rule.get("ports") or []:
                port.setdefault("protocol", "TCP")
