"""Unknown-field detection for `fieldValidation` and for apply configurations.

The double knows the allowed fields of the first levels only, not the whole schema: the
top level, `metadata`, `spec`, and for workloads the pod template, its PodSpec and each
container (`containers`, `initContainers`). Anything deeper (probes, volumes, selectors,
Ingress rules, HPA metrics) is not checked, so an unknown field there passes silently.

Each unknown field is reported in two spellings: the strict-decoding one that POST, PUT and
non-apply patches use (`spec.template.spec.containers[0].foo`) and the structured-merge-diff
one that apply patches use (`.spec.template.spec.containers[name="web"].foo`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

METADATA = frozenset(
    "name generateName namespace selfLink uid resourceVersion generation creationTimestamp "
    "deletionTimestamp deletionGracePeriodSeconds labels annotations ownerReferences "
    "finalizers managedFields".split()
)
TEMPLATE = frozenset({"metadata", "spec"})
POD_SPEC = frozenset(
    "volumes initContainers containers ephemeralContainers restartPolicy "
    "terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy nodeSelector "
    "serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork "
    "hostPID hostIPC shareProcessNamespace securityContext imagePullSecrets hostname subdomain "
    "affinity schedulerName tolerations hostAliases priorityClassName priority dnsConfig "
    "readinessGates runtimeClassName enableServiceLinks preemptionPolicy overhead "
    "topologySpreadConstraints setHostnameAsFQDN os hostUsers schedulingGates resourceClaims "
    "resources".split()
)
CONTAINER = frozenset(
    "name image command args workingDir ports envFrom env resources resizePolicy restartPolicy "
    "volumeMounts volumeDevices livenessProbe readinessProbe startupProbe lifecycle "
    "terminationMessagePath terminationMessagePolicy imagePullPolicy securityContext stdin "
    "stdinOnce tty".split()
)
JOB_SPEC = frozenset(
    "parallelism completions activeDeadlineSeconds podFailurePolicy successPolicy backoffLimit "
    "backoffLimitPerIndex maxFailedIndexes selector manualSelector template "
    "ttlSecondsAfterFinished completionMode suspend podReplacementPolicy managedBy".split()
)

TOP_LEVEL: dict[str, frozenset[str]] = {
    "ConfigMap": frozenset({"data", "binaryData", "immutable"}),
    "Secret": frozenset({"data", "stringData", "type", "immutable"}),
    "ServiceAccount": frozenset({"secrets", "imagePullSecrets", "automountServiceAccountToken"}),
    "Event": frozenset(
        "involvedObject reason message source firstTimestamp lastTimestamp count type eventTime "
        "series action related reportingComponent reportingInstance".split()
    ),
}
SPEC: dict[str, frozenset[str]] = {
    "Deployment": frozenset(
        "replicas selector template strategy minReadySeconds revisionHistoryLimit paused "
        "progressDeadlineSeconds".split()
    ),
    "StatefulSet": frozenset(
        "replicas selector template volumeClaimTemplates serviceName podManagementPolicy "
        "updateStrategy revisionHistoryLimit minReadySeconds "
        "persistentVolumeClaimRetentionPolicy ordinals".split()
    ),
    "DaemonSet": frozenset(
        "selector template updateStrategy minReadySeconds revisionHistoryLimit".split()
    ),
    "Job": JOB_SPEC,
    "CronJob": frozenset(
        "schedule timeZone startingDeadlineSeconds concurrencyPolicy suspend jobTemplate "
        "successfulJobsHistoryLimit failedJobsHistoryLimit".split()
    ),
    "Service": frozenset(
        "ports selector clusterIP clusterIPs type externalIPs sessionAffinity loadBalancerIP "
        "loadBalancerSourceRanges externalName externalTrafficPolicy healthCheckNodePort "
        "publishNotReadyAddresses sessionAffinityConfig ipFamilies ipFamilyPolicy "
        "allocateLoadBalancerNodePorts loadBalancerClass internalTrafficPolicy "
        "trafficDistribution".split()
    ),
    "PersistentVolumeClaim": frozenset(
        "accessModes selector resources volumeName storageClassName volumeMode dataSource "
        "dataSourceRef volumeAttributesClassName".split()
    ),
    "Namespace": frozenset({"finalizers"}),
    "Pod": POD_SPEC,
    "Ingress": frozenset({"ingressClassName", "defaultBackend", "tls", "rules"}),
    "NetworkPolicy": frozenset({"podSelector", "ingress", "egress", "policyTypes"}),
    "HorizontalPodAutoscaler": frozenset(
        {"scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"}
    ),
    "ExternalSecret": frozenset(
        {"secretStoreRef", "target", "refreshPolicy", "refreshInterval", "data", "dataFrom"}
    ),
}


@dataclass(frozen=True)
class UnknownField:
    """A field the schema does not declare, in strict-decoding and apply spellings."""

    strict_path: str
    apply_path: str


class _Finder:
    def __init__(self) -> None:
        self.found: list[UnknownField] = []

    def check(self, obj: Any, allowed: frozenset[str], strict: str, apply: str) -> None:
        if not isinstance(obj, dict):
            return
        for name in obj:
            if name not in allowed:
                strict_path = f"{strict}.{name}" if strict else name
                self.found.append(UnknownField(strict_path, f"{apply}.{name}"))

    def pod_template(self, template: Any, strict: str, apply: str) -> None:
        if not isinstance(template, dict):
            return
        self.check(template, TEMPLATE, strict, apply)
        self.check(template.get("metadata"), METADATA, f"{strict}.metadata", f"{apply}.metadata")
        self.pod_spec(template.get("spec"), f"{strict}.spec", f"{apply}.spec")

    def pod_spec(self, spec: Any, strict: str, apply: str) -> None:
        if not isinstance(spec, dict):
            return
        self.check(spec, POD_SPEC, strict, apply)
        for list_name in ("initContainers", "containers"):
            for index, container in enumerate(spec.get(list_name) or []):
                if isinstance(container, dict):
                    key = json.dumps(container.get("name"))
                    self.check(
                        container,
                        CONTAINER,
                        f"{strict}.{list_name}[{index}]",
                        f"{apply}.{list_name}[name={key}]",
                    )


def find_unknown_fields(obj: dict[str, Any], kind: str) -> list[UnknownField]:
    """Return the unknown fields of `obj` down to the depth the module docstring names."""
    finder = _Finder()
    top = frozenset({"apiVersion", "kind", "metadata"}) | TOP_LEVEL.get(
        kind, frozenset({"spec", "status"})
    )
    finder.check(obj, top, "", "")
    finder.check(obj.get("metadata"), METADATA, "metadata", ".metadata")
    spec = obj.get("spec")
    if kind in SPEC:
        finder.check(spec, SPEC[kind], "spec", ".spec")
    if not isinstance(spec, dict):
        return finder.found
    if kind == "Pod":
        finder.pod_spec(spec, "spec", ".spec")
    elif kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        finder.pod_template(spec.get("template"), "spec.template", ".spec.template")
    elif kind == "CronJob":
        job_template = spec.get("jobTemplate")
        if isinstance(job_template, dict):
            job_spec = job_template.get("spec")
            finder.check(job_spec, JOB_SPEC, "spec.jobTemplate.spec", ".spec.jobTemplate.spec")
            if isinstance(job_spec, dict):
                finder.pod_template(
                    job_spec.get("template"),
                    "spec.jobTemplate.spec.template",
                    ".spec.jobTemplate.spec.template",
                )
    return finder.found


def remove_unknown_fields(obj: dict[str, Any], unknown: list[UnknownField]) -> None:
    """Drop unknown fields in place, as `fieldValidation=Ignore` and `Warn` do."""
    for field in unknown:
        node: Any = obj
        parts = field.strict_path.replace("[", ".[").split(".")
        for part in parts[:-1]:
            if part.startswith("["):
                node = node[int(part[1:-1])]
            else:
                node = node[part]
        node.pop(parts[-1], None)
