"""Users, capabilities and isolation: the container and pod security contexts.

``user``, ``cap_add``/``cap_drop``, ``privileged``, ``read_only`` and ``security_opt``
shape the container's securityContext; ``sysctls`` and ``group_add`` the pod's. With
``--harden`` every container also gets the restricted Pod Security settings
(runAsNonRoot, no privilege escalation, all capabilities dropped, the runtime's default
seccomp profile), except where the service sets the opposite, and a note lists per
service what changed.
"""

from __future__ import annotations

import re
import typing as t

from kompile.convert.context import Context
from kompile.convert.keytable import KeyMapping
from kompile.convert.values import invalid, service_path, string_list, string_mapping

KEY_MAPPINGS = (
    KeyMapping("services.*.user", "securityContext.runAsUser/runAsGroup", "names: warning"),
    KeyMapping("services.*.cap_add", "securityContext.capabilities.add"),
    KeyMapping("services.*.cap_drop", "securityContext.capabilities.drop"),
    KeyMapping("services.*.privileged", "securityContext.privileged"),
    KeyMapping("services.*.read_only", "securityContext.readOnlyRootFilesystem"),
    KeyMapping(
        "services.*.security_opt",
        "securityContext",
        "no-new-privileges → allowPrivilegeEscalation false, seccomp:unconfined, "
        "label:* → seLinuxOptions; others: warning",
    ),
    KeyMapping("services.*.sysctls", "pod securityContext.sysctls"),
    KeyMapping("services.*.group_add", "pod securityContext.supplementalGroups", "names: warning"),
)

_NUMERIC_USER = re.compile(r"^(\d+)(?::(\d+))?$")
_SELINUX_FIELDS = {"user": "user", "role": "role", "type": "type", "level": "level"}
ROOT_NAMES = ("root",)


def container_security(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> dict[str, t.Any]:
    """Return the container securityContext of a service (empty when it sets nothing)."""
    security: dict[str, t.Any] = {}
    _put_user(context, service_name, service, security)
    capabilities: dict[str, list[str]] = {}
    for key, field in (("cap_add", "add"), ("cap_drop", "drop")):
        names = [_capability(name) for name in string_list(service.get(key))]
        if names:
            capabilities[field] = names
    if capabilities:
        security["capabilities"] = capabilities
    if service.get("privileged"):
        security["privileged"] = True
    if service.get("read_only"):
        security["readOnlyRootFilesystem"] = True
    for index, option in enumerate(string_list(service.get("security_opt"))):
        _put_security_option(context, service_name, option, index, security)
    return security


def _capability(name: str) -> str:
    """Return a capability name as Kubernetes writes it: upper case, no ``CAP_`` prefix."""
    return name.upper().removeprefix("CAP_")


def _put_user(
    context: Context, service_name: str, service: dict[str, t.Any], security: dict[str, t.Any]
) -> None:
    user = service.get("user")
    if user is None or user == "":
        return
    if isinstance(user, (list, dict)):
        raise invalid(
            context,
            service_path(service_name, "user"),
            "user must be a string such as 1000 or 1000:1000",
            "write the uid, or uid:gid",
        )
    text = str(user)
    match = _NUMERIC_USER.match(text)
    if match is None and text.partition(":")[0] in ROOT_NAMES:
        match = _NUMERIC_USER.match("0")
    if match is None:
        context.diagnostics.warn(
            "Kubernetes only takes numeric user and group ids, so the user name is left "
            "out; write the uid (and gid) as numbers",
            service=service_name,
            key_path=("user",),
        )
        return
    security["runAsUser"] = int(match.group(1))
    if match.group(2) is not None:
        security["runAsGroup"] = int(match.group(2))


def _put_security_option(
    context: Context, service_name: str, option: str, index: int, security: dict[str, t.Any]
) -> None:
    name, _, value = option.replace("=", ":", 1).partition(":")
    if name == "no-new-privileges" and value in ("", "true"):
        security["allowPrivilegeEscalation"] = False
        return
    if name == "no-new-privileges" and value == "false":
        security["allowPrivilegeEscalation"] = True
        return
    if name == "seccomp" and value == "unconfined":
        security["seccompProfile"] = {"type": "Unconfined"}
        return
    if name == "label" and value.partition(":")[0] in _SELINUX_FIELDS:
        field, _, text = value.partition(":")
        security.setdefault("seLinuxOptions", {})[_SELINUX_FIELDS[field]] = text
        return
    context.diagnostics.warn(
        "only no-new-privileges, seccomp:unconfined and label:user/role/type/level have a "
        "Kubernetes counterpart, so this security option is left out",
        service=service_name,
        key_path=("security_opt", index),
    )


def pod_security(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> dict[str, t.Any]:
    """Return the pod securityContext fields of a service: sysctls, supplementalGroups."""
    security: dict[str, t.Any] = {}
    sysctls = string_mapping(service.get("sysctls"))
    if sysctls:
        security["sysctls"] = [{"name": key, "value": value} for key, value in sysctls.items()]
    groups: list[int] = []
    for index, group in enumerate(string_list(service.get("group_add"))):
        if group.isdigit():
            groups.append(int(group))
            continue
        context.diagnostics.warn(
            "Kubernetes only takes numeric group ids, so the group name is left out",
            service=service_name,
            key_path=("group_add", index),
        )
    if groups:
        security["supplementalGroups"] = groups
    return security


def harden(context: Context, service_name: str, containers: list[dict[str, t.Any]]) -> list[str]:
    """Apply the restricted settings to every container; return what changed, once each."""
    changed: list[str] = []

    def record(change: str) -> None:
        if change not in changed:
            changed.append(change)

    for container in containers:
        security = container.setdefault("securityContext", {})
        privileged = bool(security.get("privileged"))
        if "runAsNonRoot" not in security and security.get("runAsUser") != 0 and not privileged:
            security["runAsNonRoot"] = True
            record("runAsNonRoot")
        if "allowPrivilegeEscalation" not in security and not privileged:
            # The API server rejects allowPrivilegeEscalation: false on a privileged container.
            security["allowPrivilegeEscalation"] = False
            record("allowPrivilegeEscalation=false")
        capabilities = security.setdefault("capabilities", {})
        if "ALL" not in capabilities.get("drop", []) and not privileged:
            capabilities["drop"] = ["ALL"]
            record("capabilities.drop=[ALL]")
        if not capabilities:
            del security["capabilities"]
        if "seccompProfile" not in security:
            security["seccompProfile"] = {"type": "RuntimeDefault"}
            record("seccompProfile=RuntimeDefault")
        if not security:
            del container["securityContext"]
    skipped = [c["name"] for c in containers if c.get("securityContext", {}).get("privileged")]
    message = "--harden set " + ", ".join(changed) if changed else "--harden changed nothing"
    if skipped:
        message += f"; privileged containers kept as they are: {', '.join(skipped)}"
    context.diagnostics.note(message, service=service_name)
    return changed
