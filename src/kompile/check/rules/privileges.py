"""Privilege rules: root user, privileged mode, capabilities, host namespaces, Docker socket."""

from __future__ import annotations

import typing as t

from kompile.check.images import root_base
from kompile.check.model import Hit, Severity, rule
from kompile.check.service import ServiceView

_ROOT_USERS = frozenset({"root", "0"})
# Capabilities that give a container control over the host kernel.
_HOST_CAPABILITIES = ("ALL", "SYS_ADMIN", "SYS_MODULE")
_NAMESPACE_KEYS = {"network_mode": "network", "pid": "process", "ipc": "IPC"}
_DOCKER_SOCKETS = frozenset({"/var/run/docker.sock", "/run/docker.sock"})


def _is_root(user: str) -> bool:
    return user.split(":")[0].strip() in _ROOT_USERS


@rule(
    "user-root",
    Severity.WARNING,
    group="user",
    summary="The container runs as root.",
    fix="add a USER instruction with a non-root user to the Dockerfile, or set user: "
    "to a non-root UID such as 10001",
)
def user_root(service: ServiceView) -> t.Iterator[Hit]:
    user = service.config.get("user")
    if user is not None and str(user).strip():
        if _is_root(str(user)):
            yield Hit(f"user: {user} runs the container as root", ("user",))
        return
    if service.dockerfile is None:
        if service.build is None:
            yield Hit(
                "no user is set, so the container runs as the image's default user, "
                "which is root unless the image sets USER"
            )
        return
    users = service.image_instructions("USER")
    if users:
        last = users[-1]
        if _is_root(last.body):
            message = f"the last USER instruction switches to {last.body}"
            yield service.dockerfile_hit(message, last.line)
        return
    if "nonroot" in root_base(service.dockerfile):
        return
    message = (
        "no user is set and the Dockerfile has no USER instruction, so the container "
        "runs as root unless the base image sets USER"
    )
    yield Hit(message, service.dockerfile_key)


@rule(
    "privileged",
    Severity.ERROR,
    group="user",
    summary="The container runs privileged, with every capability and access to host devices.",
    fix="remove privileged: true and add only the capabilities the process needs with cap_add",
)
def privileged(service: ServiceView) -> t.Iterator[Hit]:
    if service.config.get("privileged") is True:
        yield Hit("privileged: true gives the container full control of the host", ("privileged",))


@rule(
    "host-capabilities",
    Severity.ERROR,
    group="user",
    summary="cap_add grants ALL, SYS_ADMIN or SYS_MODULE, which reach into the host kernel.",
    fix="add only the narrow capabilities the process needs, such as NET_BIND_SERVICE",
)
def host_capabilities(service: ServiceView) -> t.Iterator[Hit]:
    for index, capability in enumerate(service.config.get("cap_add") or []):
        name = str(capability).upper().removeprefix("CAP_")
        if name in _HOST_CAPABILITIES:
            yield Hit(f"cap_add grants {name}", ("cap_add", index))


@rule(
    "host-namespace",
    Severity.ERROR,
    group="user",
    summary="The container shares the host's network, process or IPC namespace.",
    fix="remove the host setting, publish ports for network access, and use a shared "
    "volume or a socket for inter-process communication",
)
def host_namespace(service: ServiceView) -> t.Iterator[Hit]:
    for key, namespace in _NAMESPACE_KEYS.items():
        if service.config.get(key) == "host":
            message = f"{key}: host shares the host's {namespace} namespace with the container"
            yield Hit(message, (key,))


@rule(
    "docker-socket",
    Severity.ERROR,
    group="user",
    summary="The Docker socket is bind-mounted, which gives root access to the host.",
    fix="remove the mount, and give the service a narrow API or a rootless builder instead",
)
def docker_socket(service: ServiceView) -> t.Iterator[Hit]:
    for index, mount in enumerate(service.config.get("volumes") or []):
        if not isinstance(mount, dict) or mount.get("type") != "bind":
            continue
        source = str(mount.get("source", ""))
        if source in _DOCKER_SOCKETS or source.endswith("/docker.sock"):
            message = f"volume mounts the Docker socket {source} into the container"
            yield Hit(message, ("volumes", index))
