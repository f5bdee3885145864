"""Compose services to workloads: the pod template and the object that runs it.

One pod runs one service, plus the services that share its network namespace
(``network_mode: service:X``) as extra containers. The pod template is wrapped in the
kind `kinds.choose` picks. A Deployment that mounts a ReadWriteOnce claim uses the
Recreate strategy, because a rolling update would start the new pod while the old one
still holds the claim, and on another node the new pod would wait forever. A StatefulSet
gets one claim per replica from volumeClaimTemplates instead of the shared claims, and a
headless governing Service. A Job's pod template cannot change, so the Job name ends in
a hash of the template: a changed service runs as a new Job, an unchanged one keeps its
name and does not run again.
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass, field

from kompile.convert import containers, dependencies, kinds, pods, scheduling, security, unmapped
from kompile.convert.context import Context, Manifest
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import dns_label, is_annotation_key, selector_labels, standard_labels
from kompile.convert.storage import DEFAULT_ACCESS_MODE, DEFAULT_SIZE, PodStorage
from kompile.convert.values import string_mapping

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.deploy.update_config",
        "strategy.rollingUpdate",
        "parallelism and order → maxSurge/maxUnavailable; delay, monitor, failure_action, "
        "max_failure_ratio: warning",
    ),
    KeyMapping("services.*.deploy.labels", "workload metadata.labels", "invalid labels: warning"),
    KeyMapping("services.*.deploy.resources", "containers[].resources"),
    KeyMapping("services.*.deploy.placement", "nodeSelector / affinity"),
)

KOMPOSE_SERVICE_ACCOUNT = "kompose.serviceaccount-name"
KOMPOSE_PULL_SECRET = "kompose.image-pull-secret"
# Pod-level keys that a container joining another service's pod cannot bring along.
POD_LEVEL_KEYS = (
    "hostname",
    "domainname",
    "pid",
    "ipc",
    "extra_hosts",
    "dns",
    "dns_search",
    "dns_opt",
    "stop_grace_period",
    "sysctls",
    "group_add",
    "deploy",
    "restart",
    "platform",
)
_LABEL_NAME = re.compile(
    r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_UPDATE_CONFIG_WARNED = ("delay", "monitor", "failure_action", "max_failure_ratio")


@dataclass
class ServicePod:
    """One service's part of a pod: its environment and storage from the other mappers."""

    name: str
    service: dict[str, t.Any]
    env: list[dict[str, t.Any]]
    storage: PodStorage


@dataclass
class Workload:
    """The objects that run one pod, and the claims its StatefulSet templates replace."""

    objects: list[Manifest] = field(default_factory=list)
    templated_claims: set[str] = field(default_factory=set)


def compose_labels(service: dict[str, t.Any]) -> dict[str, str]:
    """Return the service's compose ``labels`` as a mapping (list form ``key=value`` too)."""
    return string_mapping(service.get("labels"))


def valid_annotations(
    context: Context, service_name: str, values: dict[str, str], key: str
) -> dict[str, str]:
    """Return ``values`` without the keys that are not valid annotation keys.

    Each key left out gets a warning that names ``key``, the compose key of ``values``.
    """
    result = {}
    for name, value in values.items():
        if is_annotation_key(name):
            result[name] = value
            continue
        context.diagnostics.warn(
            f"{name!r} is not a valid Kubernetes annotation key (an optional DNS subdomain "
            "and '/', then at most 63 letters, digits, '-', '_' and '.', starting and "
            "ending with a letter or digit), so it is left out",
            service=service_name,
            key_path=(key,),
        )
    return result


def pod_service(root: ServicePod, sidecars: list[ServicePod]) -> dict[str, t.Any]:
    """Return the root service with its sidecars' ports, for the pod's Service."""
    merged = dict(root.service)
    for key in ("ports", "expose"):
        values = [*(root.service.get(key) or [])]
        for sidecar in sidecars:
            values.extend(sidecar.service.get(key) or [])
        if values:
            merged[key] = values
    return merged


def claim_users(service_pods: dict[str, ServicePod]) -> dict[str, set[str]]:
    """Return, for each claim, the names of the services that mount it."""
    users: dict[str, set[str]] = {}
    for service_pod in service_pods.values():
        for volume in service_pod.storage.volumes:
            claim = volume.get("persistentVolumeClaim", {}).get("claimName")
            if claim:
                users.setdefault(claim, set()).add(service_pod.name)
    return users


def claims_mounted_elsewhere(users: dict[str, set[str]], members: list[ServicePod]) -> set[str]:
    """Return the claims of ``members`` that services outside ``members`` mount too.

    ``users`` comes from `claim_users`. Only the members' own claims are looked at, so
    the cost grows with the size of the pod, not with the size of the project.
    """
    inside = {member.name for member in members}
    claims: set[str] = set()
    for member in members:
        for volume in member.storage.volumes:
            claim = volume.get("persistentVolumeClaim", {}).get("claimName")
            if claim and users.get(claim, set()) - inside:
                claims.add(claim)
    return claims


def build(
    context: Context,
    root: ServicePod,
    sidecars: list[ServicePod],
    pod_of: dict[str, str],
    shared_claims: set[str],
    service_ports: list[dict[str, t.Any]],
) -> Workload:
    """Return the workload of ``root``'s pod, with ``sidecars`` as extra containers.

    ``shared_claims`` names claims that other pods mount too, which a StatefulSet keeps
    as shared claims; ``service_ports`` are the ports of the pod's Service.
    """
    service_name, service = root.name, root.service
    choice = kinds.choose(context, service_name, service)
    for member in [root, *sidecars]:
        unmapped.warn_unmapped(context, member.name, member.service)
    for sidecar in sidecars:
        _warn_sidecar(context, sidecar, service_name)
    pod_spec, pod_annotations = _pod_spec(context, root, sidecars, pod_of)
    if choice.kind in ("job", "cronjob"):
        pod_spec["restartPolicy"] = "Never" if choice.restart.policy == "no" else "OnFailure"

    metadata = context.metadata(
        _KIND_NAMES[choice.kind],
        _object_name(choice.kind, service_name, pod_spec),
        owner=f"service {service_name!r}",
        app=service_name,
        source=("services", service_name),
    )
    _put_deploy_labels(context, service_name, service, metadata)
    annotations = valid_annotations(context, service_name, compose_labels(service), "labels")
    if annotations:
        metadata["annotations"] = annotations
    selector = selector_labels(service_name, context.project.name)
    pod_metadata: dict[str, t.Any] = {"labels": standard_labels(service_name, context.project.name)}
    template_annotations = {**annotations, **pod_annotations}
    if template_annotations:
        pod_metadata["annotations"] = template_annotations
    template = {"metadata": pod_metadata, "spec": pod_spec}
    workload = Workload()
    storages = [root.storage, *(sidecar.storage for sidecar in sidecars)]
    spec = _workload_spec(context, root, choice, selector, template, storages, shared_claims)
    if choice.kind == "statefulset":
        workload.templated_claims = {
            claim["metadata"]["name"] for claim in spec.get("volumeClaimTemplates", [])
        }
        governing = _governing_service(context, service_name, selector, service_ports)
        spec["serviceName"] = governing["metadata"]["name"] if governing else metadata["name"]
        if governing:
            workload.objects.append(governing)
    if choice.kind == "job":
        context.diagnostics.note(
            f"runs as Job {metadata['name']}; the name ends in a hash of the pod template, "
            "so a changed service runs as a new Job and an unchanged one does not run again",
            service=service_name,
        )
    api_version = "batch/v1" if choice.kind in ("job", "cronjob") else "apps/v1"
    workload.objects.append(
        {
            "apiVersion": api_version,
            "kind": _KIND_NAMES[choice.kind],
            "metadata": metadata,
            "spec": spec,
        }
    )
    return workload


_KIND_NAMES = {
    "deployment": "Deployment",
    "statefulset": "StatefulSet",
    "daemonset": "DaemonSet",
    "job": "Job",
    "cronjob": "CronJob",
}


def _object_name(kind: str, service_name: str, pod_spec: dict[str, t.Any]) -> str:
    if kind != "job":
        return service_name
    import hashlib
    import json

    digest = hashlib.sha256(json.dumps(pod_spec, sort_keys=True).encode()).hexdigest()[:8]
    return f"{dns_label(service_name, max_length=54)}-{digest}"


def _pod_spec(
    context: Context, root: ServicePod, sidecars: list[ServicePod], pod_of: dict[str, str]
) -> tuple[dict[str, t.Any], dict[str, str]]:
    """Return the pod spec and the pod annotations of a pod."""
    service_name, service = root.name, root.service
    pod_containers = []
    volumes: list[dict[str, t.Any]] = []
    init_containers: list[dict[str, t.Any]] = []
    annotations: dict[str, str] = {}
    for member in [root, *sidecars]:
        spec = containers.container(
            context, member.name, member.service, member.env, member.storage
        )
        shm = pods.shm_volume(context, member.name, member.service)
        if shm is not None:
            volumes.append(shm[0])
            spec["volumeMounts"] = [*spec.get("volumeMounts", []), shm[1]]
        pod_containers.append(spec)
        for volume in member.storage.volumes:
            if all(volume["name"] != known["name"] for known in volumes):
                volumes.append(volume)
        waits, notes = dependencies.wait_containers(
            context, member.name, member.service, pod_of, service_name
        )
        for wait in waits:
            if all(wait["name"] != known["name"] for known in init_containers):
                init_containers.append(wait)
        if notes:
            for key, value in notes.items():
                annotations[key] = ", ".join(filter(None, [annotations.get(key), value]))
        own = string_mapping(member.service.get("annotations"))
        annotations.update(valid_annotations(context, member.name, own, "annotations"))

    pod_spec: dict[str, t.Any] = {}
    pod_spec.update(pods.pod_fields(context, service_name, service))
    selector = selector_labels(service_name, context.project.name)
    placement = scheduling.pod_scheduling(context, service_name, service, selector)
    if "nodeSelector" in placement and "nodeSelector" in pod_spec:
        placement["nodeSelector"] = {**pod_spec["nodeSelector"], **placement["nodeSelector"]}
    pod_spec.update(placement)
    pod_security = security.pod_security(context, service_name, service)
    if pod_security:
        pod_spec["securityContext"] = pod_security
    labels = compose_labels(service)
    if labels.get(KOMPOSE_SERVICE_ACCOUNT):
        pod_spec["serviceAccountName"] = labels[KOMPOSE_SERVICE_ACCOUNT]
    if labels.get(KOMPOSE_PULL_SECRET):
        pod_spec["imagePullSecrets"] = [{"name": labels[KOMPOSE_PULL_SECRET]}]
    if init_containers:
        pod_spec["initContainers"] = init_containers
    pod_spec["containers"] = pod_containers
    if volumes:
        pod_spec["volumes"] = volumes
    if context.options.harden:
        security.harden(context, service_name, [*init_containers, *pod_containers])
    return pod_spec, annotations


def _warn_sidecar(context: Context, sidecar: ServicePod, owner: str) -> None:
    context.diagnostics.warn(
        f"the service shares the network namespace of {owner}, so it runs as a container "
        f"in the pod of {owner} and its ports move to Service {dns_label(owner)}",
        service=sidecar.name,
        key_path=("network_mode",),
    )
    for key in POD_LEVEL_KEYS:
        if sidecar.service.get(key) not in (None, "", [], {}):
            context.diagnostics.warn(
                f"the pod of {owner} decides this setting, so the service's {key} is left out",
                service=sidecar.name,
                key_path=(key,),
            )


def warn_sidecar_references(context: Context, pod_of: dict[str, str]) -> None:
    """Warn when a service reaches, by name, a service that now lives in another's pod."""
    for name, service in context.project.services.items():
        for key in ("depends_on", "links"):
            value = service.get(key) or []
            targets = [str(item).partition(":")[0] for item in value]
            for target in targets:
                if target in pod_of and name != pod_of[target]:
                    context.diagnostics.warn(
                        f"{target} runs in the pod of {pod_of[target]}, so its name does not "
                        f"resolve; reach it as {dns_label(pod_of[target])}",
                        service=name,
                        key_path=(key,),
                    )


def _put_deploy_labels(
    context: Context, service_name: str, service: dict[str, t.Any], metadata: dict[str, t.Any]
) -> None:
    labels = string_mapping((service.get("deploy") or {}).get("labels"))
    for key, value in labels.items():
        if key in metadata["labels"]:
            continue
        if _LABEL_NAME.match(key) and _LABEL_VALUE.match(value):
            metadata["labels"][key] = value
            continue
        context.diagnostics.warn(
            "this deploy label is not a valid Kubernetes label, so it is left out",
            service=service_name,
            key_path=("deploy", "labels", key),
        )


def _replicas(service: dict[str, t.Any]) -> int:
    replicas = (service.get("deploy") or {}).get("replicas")
    if replicas is None:
        replicas = service.get("scale")
    return 1 if replicas is None else int(replicas)


def _workload_spec(
    context: Context,
    root: ServicePod,
    choice: kinds.WorkloadChoice,
    selector: dict[str, str],
    template: dict[str, t.Any],
    storages: list[PodStorage],
    shared_claims: set[str],
) -> dict[str, t.Any]:
    service_name, service = root.name, root.service
    single_node_claim = any(storage.uses_single_node_claim for storage in storages)
    if choice.kind in ("job", "cronjob"):
        job: dict[str, t.Any] = {}
        if choice.backoff_limit is not None:
            job["backoffLimit"] = choice.backoff_limit
        if (service.get("deploy") or {}).get("mode") == "replicated-job":
            job["completions"] = _replicas(service)
            job["parallelism"] = _replicas(service)
        job["template"] = template
        if choice.kind == "job":
            return job
        cron: dict[str, t.Any] = {"schedule": choice.schedule}
        if choice.concurrency_policy:
            cron["concurrencyPolicy"] = choice.concurrency_policy
        cron["jobTemplate"] = {"spec": job}
        return cron

    spec: dict[str, t.Any] = {}
    if choice.kind != "daemonset":
        spec["replicas"] = _replicas(service)
    spec["selector"] = {"matchLabels": selector}
    update = _rolling_update(context, service_name, service, choice.kind)
    if choice.kind == "deployment":
        if single_node_claim:
            spec["strategy"] = {"type": "Recreate"}
            if update:
                context.diagnostics.warn(
                    "a ReadWriteOnce claim is mounted, so the Deployment uses the Recreate "
                    "strategy and the update settings are left out",
                    service=service_name,
                    key_path=("deploy", "update_config"),
                )
        elif update:
            spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": update}
    elif choice.kind == "daemonset" and update:
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": update}
    elif update:
        context.diagnostics.warn(
            "a StatefulSet replaces its pods one at a time, so the update settings are left out",
            service=service_name,
            key_path=("deploy", "update_config"),
        )
    spec["template"] = template
    if choice.kind == "statefulset":
        claims = _claim_templates(template["spec"], shared_claims)
        if claims:
            spec["volumeClaimTemplates"] = claims
    return spec


def _rolling_update(
    context: Context, service_name: str, service: dict[str, t.Any], kind: str
) -> dict[str, t.Any]:
    config = (service.get("deploy") or {}).get("update_config") or {}
    for key in _UPDATE_CONFIG_WARNED:
        if config.get(key) not in (None, "", 0, "0s"):
            context.diagnostics.warn(
                f"Kubernetes rolling updates have no {key} setting, so it is left out",
                service=service_name,
                key_path=("deploy", "update_config", key),
            )
    if "parallelism" not in config and "order" not in config:
        return {}
    parallelism = int(config.get("parallelism", 1))
    # Swarm's parallelism 0 updates every task at once.
    step: int | str = "100%" if parallelism == 0 else parallelism
    if config.get("order") == "start-first":
        return {"maxSurge": step, "maxUnavailable": 0}
    if kind == "daemonset":
        return {"maxUnavailable": step}
    return {"maxSurge": 0, "maxUnavailable": step}


def _claim_templates(pod_spec: dict[str, t.Any], shared_claims: set[str]) -> list[dict[str, t.Any]]:
    """Move the pod's own claims into volumeClaimTemplates, one claim per replica."""
    templates = []
    kept = []
    for volume in pod_spec.get("volumes", []):
        claim = volume.get("persistentVolumeClaim", {}).get("claimName")
        if claim is None or claim in shared_claims:
            kept.append(volume)
            continue
        templates.append(
            {
                "metadata": {"name": volume["name"]},
                "spec": {
                    "accessModes": [DEFAULT_ACCESS_MODE],
                    "resources": {"requests": {"storage": DEFAULT_SIZE}},
                },
            }
        )
    if kept:
        pod_spec["volumes"] = kept
    else:
        pod_spec.pop("volumes", None)
    return templates


def _governing_service(
    context: Context,
    service_name: str,
    selector: dict[str, str],
    service_ports: list[dict[str, t.Any]],
) -> Manifest | None:
    """Return a headless Service for a StatefulSet whose own Service has a cluster IP.

    A service without ports already gets a headless Service under its own name.
    """
    if not service_ports:
        return None
    metadata = context.metadata(
        "Service",
        f"{dns_label(service_name, max_length=54)}-headless",
        owner=f"service {service_name!r}",
        app=service_name,
        source=("services", service_name),
    )
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {"clusterIP": "None", "selector": selector, "ports": service_ports},
    }
