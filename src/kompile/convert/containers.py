"""A compose service as a Kubernetes container.

Compose's ``entrypoint`` replaces the image's ENTRYPOINT and ``command`` its CMD, which in
Kubernetes are the container's ``command`` and ``args``. Compose reads ``entrypoint: []``
as "run without the image entrypoint", but an empty ``command`` in Kubernetes means the
image default, so the compose command moves into ``command`` instead.
"""

from __future__ import annotations

import typing as t

from kompile.convert import probes, resources, security
from kompile.convert.context import Context
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import dns_label
from kompile.convert.secrets import escape_expansion
from kompile.convert.services import container_ports
from kompile.convert.storage import PodStorage

KEY_MAPPINGS = (
    KeyMapping("services.*.image", "containers[].image"),
    KeyMapping("services.*.entrypoint", "containers[].command", "[] with a command: command"),
    KeyMapping("services.*.command", "containers[].args"),
    KeyMapping("services.*.working_dir", "containers[].workingDir"),
    KeyMapping("services.*.tty", "containers[].tty"),
    KeyMapping("services.*.stdin_open", "containers[].stdin"),
    KeyMapping(
        "services.*.pull_policy",
        "containers[].imagePullPolicy",
        "always, never, missing/if_not_present; build and daily/weekly/every_*: warning",
    ),
    KeyMapping("services.*.container_name", "", "warning: Kubernetes names pods itself"),
)

PULL_POLICIES = {
    "always": "Always",
    "never": "Never",
    "missing": "IfNotPresent",
    "if_not_present": "IfNotPresent",
}
KOMPOSE_PULL_POLICY = "kompose.image-pull-policy"


def container(
    context: Context,
    service_name: str,
    service: dict[str, t.Any],
    env: list[dict[str, t.Any]],
    storage: PodStorage,
) -> dict[str, t.Any]:
    """Return the container spec of a service."""
    spec: dict[str, t.Any] = {"name": dns_label(service_name), "image": service["image"]}
    command, args = _command_and_args(context, service_name, service)
    if command:
        spec["command"] = command
    if args:
        spec["args"] = args
    if service.get("working_dir"):
        spec["workingDir"] = service["working_dir"]
    if env:
        spec["env"] = env
    ports = container_ports(service)
    if ports:
        spec["ports"] = ports
    if storage.mounts:
        spec["volumeMounts"] = storage.mounts
    pull_policy = _pull_policy(context, service_name, service)
    if pull_policy:
        spec["imagePullPolicy"] = pull_policy
    limits = resources.container_resources(context, service_name, service)
    if limits:
        spec["resources"] = limits
    spec.update(probes.container_probes(context, service_name, service))
    security_context = security.container_security(context, service_name, service)
    if security_context:
        spec["securityContext"] = security_context
    if service.get("tty"):
        spec["tty"] = True
    if service.get("stdin_open"):
        spec["stdin"] = True
    if service.get("container_name"):
        context.diagnostics.warn(
            "Kubernetes names pods itself, so the container name is not kept; other "
            "services reach this one by its service name",
            service=service_name,
            key_path=("container_name",),
        )
    return spec


def _command_and_args(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> tuple[list[str], list[str]]:
    entrypoint = service.get("entrypoint")
    command = [escape_expansion(word) for word in service.get("command") or []]
    if entrypoint == [] or entrypoint == "":
        if not command:
            context.diagnostics.warn(
                "an empty entrypoint without a command cannot be expressed in Kubernetes "
                "(an empty command means the image default), so the image entrypoint runs",
                service=service_name,
                key_path=("entrypoint",),
            )
        return command, []
    return [escape_expansion(word) for word in entrypoint or []], command


def _pull_policy(context: Context, service_name: str, service: dict[str, t.Any]) -> str | None:
    labels = service.get("labels") or {}
    if isinstance(labels, dict) and labels.get(KOMPOSE_PULL_POLICY):
        label_policy = str(labels[KOMPOSE_PULL_POLICY])
        if label_policy in ("Always", "Never", "IfNotPresent"):
            return label_policy
    value = service.get("pull_policy")
    if not value:
        return None
    policy = PULL_POLICIES.get(str(value))
    if policy is None:
        context.diagnostics.warn(
            "only always, never, missing and if_not_present have a Kubernetes counterpart, "
            "so the cluster's default pull policy applies",
            service=service_name,
            key_path=("pull_policy",),
        )
    return policy
