"""Service keys without a Kubernetes counterpart: one warning each, never silence.

Each row gives the reason the key cannot be kept, in the words of the warning the user sees.
Keys that only steer Docker Compose itself (``build``, ``develop``, ``attach``) have no
effect on a running container and are listed without a warning.
"""

from __future__ import annotations

import typing as t

from kompile.convert.context import Context
from kompile.convert.keytable import KeyMapping

# Key → the reason it is left out, shown in the warning.
REASONS: dict[str, str] = {
    "ulimits": "Kubernetes sets resource limits per node, not per container",
    "cgroup_parent": "the kubelet places pods in its own cgroups",
    "cgroup": "the kubelet places pods in its own cgroups",
    "logging": "the cluster collects container output with its own logging agent",
    "links": "services reach each other by service name and link aliases are not created",
    "external_links": "containers outside the project are not reachable by name",
    "devices": "host devices need a device plugin in Kubernetes",
    "device_cgroup_rules": "host devices need a device plugin in Kubernetes",
    "blkio_config": "Kubernetes has no block IO limits",
    "cpu_count": "only cpus, cpu_quota and deploy.resources set CPU limits",
    "cpu_percent": "only cpus, cpu_quota and deploy.resources set CPU limits",
    "cpu_shares": (
        "CPU requests take the place of relative shares (set deploy.resources.reservations.cpus)"
    ),
    "cpu_rt_runtime": "Kubernetes has no real-time CPU scheduling",
    "cpu_rt_period": "Kubernetes has no real-time CPU scheduling",
    "cpuset": "CPU pinning is a node setting (CPU manager policy)",
    "mem_swappiness": "swap is a node setting",
    "memswap_limit": "swap is a node setting",
    "oom_kill_disable": "the kubelet decides which containers the OOM killer may end",
    "oom_score_adj": "the kubelet derives OOM scores from the pod's QoS class",
    "pids_limit": "the kubelet sets process limits per node",
    "init": "Kubernetes has no init process option (use an image with an init such as tini)",
    "stop_signal": "Kubernetes always sends SIGTERM (make the image's STOPSIGNAL match)",
    "isolation": "only Windows nodes have isolation modes, set by the runtime class",
    "runtime": "a RuntimeClass chooses the runtime and kompile does not create one",
    "storage_opt": "container storage is a node setting",
    "userns_mode": "user namespaces are a pod setting (hostUsers) not mapped from Compose",
    "uts": "a pod cannot share the host's UTS namespace",
    "mac_address": "pods get their addresses from the cluster network",
    "credential_spec": "only Windows nodes use credential specs",
    "gpus": "GPUs are requested with deploy.resources.reservations.devices and the gpu capability",
    "use_api_socket": "the Docker API socket does not exist in a Kubernetes pod",
    "models": "model runners are a Docker feature",
    "provider": "provider services are run by Docker Compose itself",
    "post_start": "lifecycle hooks are not mapped",
    "pre_stop": "lifecycle hooks are not mapped",
}
REASONS_DEPLOY: dict[str, str] = {
    "rollback_config": "Kubernetes rolls back with kubectl rollout undo, not automatically",
    "endpoint_mode": "the Service type decides how the name resolves",
}
# Keys that steer Docker Compose itself and change nothing in the running container.
COMPOSE_ONLY: dict[str, str] = {
    "build": "images must be built and pushed before converting",
    "develop": "watch mode is a Docker Compose feature",
    "attach": "log attachment is a Docker Compose feature",
    "profiles": "applied when the project is read",
    "extends": "applied when the project is read",
    "env_file": "read into environment when the project is read",
    "label_file": "read into labels when the project is read",
}

KEY_MAPPINGS = (
    *(KeyMapping(f"services.*.{key}", "", f"warning: {why}") for key, why in REASONS.items()),
    *(
        KeyMapping(f"services.*.deploy.{key}", "", f"warning: {why}")
        for key, why in REASONS_DEPLOY.items()
    ),
    *(KeyMapping(f"services.*.{key}", "", why) for key, why in COMPOSE_ONLY.items()),
)


def warn_unmapped(context: Context, service_name: str, service: dict[str, t.Any]) -> None:
    """Warn once for each key of the service that has no Kubernetes counterpart."""
    for key, why in REASONS.items():
        if _is_set(service.get(key)):
            context.diagnostics.warn(
                f"{key} is left out, because {why}", service=service_name, key_path=(key,)
            )
    deploy = service.get("deploy") or {}
    for key, why in REASONS_DEPLOY.items():
        if _is_set(deploy.get(key)) and not (key == "endpoint_mode" and deploy[key] == "vip"):
            context.diagnostics.warn(
                f"{key} is left out, because {why}",
                service=service_name,
                key_path=("deploy", key),
            )


def _is_set(value: t.Any) -> bool:
    """Tell whether a key is set, treating false, empty and null as unset."""
    return value not in (None, False, "", [], {})
