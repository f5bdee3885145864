"""``depends_on``: start order as init containers, or as an annotation.

Kubernetes starts every pod at once. With ``--wait-for-dependencies`` a pod gets one init
container per dependency that waits until the dependency's Service accepts a TCP
connection (or, for a Service without ports, until its name resolves), for at most
`WAIT_TIMEOUT_SECONDS`. A ClusterIP Service only forwards to ready pods, so for a
dependency with a readiness probe this waits for ``service_healthy`` too.
``service_completed_successfully`` cannot be checked from inside the pod without API
access, so it is reported instead. Without the flag, the pod carries the dependencies in
an annotation and a warning says that the order is not enforced.
"""

from __future__ import annotations

import typing as t

from kompile.convert.context import Context
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import dns_label
from kompile.convert.services import service_ports

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.depends_on",
        "initContainers (--wait-for-dependencies) / annotation kompile/depends-on",
        "service_completed_successfully: warning",
    ),
)

DEPENDS_ON_ANNOTATION = "kompile/depends-on"
WAIT_IMAGE = "busybox:1.36"
WAIT_TIMEOUT_SECONDS = 300
COMPLETED = "service_completed_successfully"


def dependencies(service: dict[str, t.Any]) -> dict[str, str]:
    """Return each dependency of a service with its condition."""
    depends_on = service.get("depends_on") or {}
    if isinstance(depends_on, list):
        return {str(name): "service_started" for name in depends_on}
    return {
        str(name): str((item or {}).get("condition") or "service_started")
        for name, item in depends_on.items()
    }


def describe(depends: dict[str, str]) -> str:
    return ", ".join(f"{name} ({condition})" for name, condition in depends.items())


def wait_containers(
    context: Context,
    service_name: str,
    service: dict[str, t.Any],
    pod_of: dict[str, str],
    own_pod: str,
) -> tuple[list[dict[str, t.Any]], dict[str, str]]:
    """Return the init containers and pod annotations for the service's dependencies.

    ``pod_of`` maps a service that joined another's pod to the service that owns it; a
    dependency in the same pod needs no wait.
    """
    depends = {
        name: condition
        for name, condition in dependencies(service).items()
        if pod_of.get(name, name) != own_pod
    }
    if not depends:
        return [], {}
    if not context.options.wait_for_dependencies:
        context.diagnostics.warn(
            f"Kubernetes starts every pod at once, so the pod does not wait for "
            f"{', '.join(depends)}; convert with --wait-for-dependencies to add init "
            "containers that wait",
            service=service_name,
            key_path=("depends_on",),
        )
        return [], {DEPENDS_ON_ANNOTATION: describe(depends)}
    containers = []
    for dependency, condition in depends.items():
        if condition == COMPLETED:
            context.diagnostics.warn(
                f"an init container cannot tell whether {dependency} completed, so the pod "
                f"does not wait for it",
                service=service_name,
                key_path=("depends_on", dependency),
            )
            continue
        host = dns_label(pod_of.get(dependency, dependency))
        ports = _dependency_ports(context, dependency, pod_of)
        containers.append(wait_container(host, ports[0] if ports else None))
    return containers, {}


def _dependency_ports(context: Context, dependency: str, pod_of: dict[str, str]) -> list[int]:
    services = context.project.services
    if dependency not in services:
        return []
    return [
        int(port["port"])
        for port in service_ports(services[dependency])
        if port.get("protocol", "TCP") == "TCP"
    ]


def wait_container(host: str, port: int | None) -> dict[str, t.Any]:
    """Return an init container that waits for ``host`` (and ``port``) to answer."""
    if port is None:
        check = f"nslookup {host}"
        target = host
    else:
        check = f"nc -z -w 2 {host} {port}"
        target = f"{host}:{port}"
    script = f"until {check} >/dev/null 2>&1; do echo waiting for {target}; sleep 2; done"
    return {
        "name": f"wait-for-{host}"[:63].rstrip("-"),
        "image": WAIT_IMAGE,
        "command": ["timeout", str(WAIT_TIMEOUT_SECONDS), "sh", "-c", script],
    }
