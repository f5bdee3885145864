"""Pod-level fields of a service: namespaces, names, DNS, hosts and grace periods.

Compose shares a host namespace per key (``pid: host``, ``ipc: host``); Kubernetes has
one pod field for each. ``network_mode: host`` bypasses cluster networking, so it becomes
``hostNetwork`` only when the service opts in with ``x-kompile.host-network``.
``network_mode: service:X`` runs the container in X's network namespace, which in
Kubernetes means in X's pod (see `sidecar_targets`).
"""

from __future__ import annotations

import re
import typing as t

from kompile.convert import units
from kompile.convert.context import Context
from kompile.convert.extensions import SERVICE_KEYS, extension
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import dns_label
from kompile.convert.values import invalid, is_true, service_path, string_list

SERVICE_KEYS["host-network"] = "true to run network_mode: host services with hostNetwork"

KEY_MAPPINGS = (
    KeyMapping("services.*.hostname", "pod hostname"),
    KeyMapping("services.*.domainname", "pod subdomain", "must be a DNS label, else warning"),
    KeyMapping("services.*.pid", "hostPID", "host only; other modes: warning"),
    KeyMapping("services.*.ipc", "hostIPC", "host only; service:/container: warning"),
    KeyMapping(
        "services.*.network_mode",
        "hostNetwork / shared pod",
        "host: hostNetwork with x-kompile.host-network, else warning; service:X: a "
        "container in X's pod; none and container:*: warning",
    ),
    KeyMapping("services.*.stop_grace_period", "terminationGracePeriodSeconds"),
    KeyMapping("services.*.extra_hosts", "hostAliases"),
    KeyMapping("services.*.dns", "dnsConfig.nameservers", "cluster DNS stays first"),
    KeyMapping("services.*.dns_search", "dnsConfig.searches"),
    KeyMapping("services.*.dns_opt", "dnsConfig.options"),
    KeyMapping("services.*.shm_size", "emptyDir (Memory) at /dev/shm with sizeLimit"),
    KeyMapping("services.*.platform", "nodeSelector kubernetes.io/os, kubernetes.io/arch"),
    KeyMapping("services.*.annotations", "pod annotations"),
)

SERVICE_NETWORK = "service:"
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64"}


def pod_fields(context: Context, service_name: str, service: dict[str, t.Any]) -> dict[str, t.Any]:
    """Return the pod spec fields a service sets, apart from containers and volumes."""
    fields: dict[str, t.Any] = {}
    _put_host_namespaces(context, service_name, service, fields)
    hostname = service.get("hostname")
    if hostname:
        _put_label(context, service_name, "hostname", "hostname", str(hostname), fields)
    if service.get("domainname"):
        _put_label(context, service_name, "domainname", "subdomain", service["domainname"], fields)
    grace = service.get("stop_grace_period")
    if grace not in (None, ""):
        try:
            seconds = units.parse_duration(grace)
        except ValueError as error:
            raise invalid(
                context,
                service_path(service_name, "stop_grace_period"),
                str(error),
                "write a duration such as 30s",
            ) from None
        fields["terminationGracePeriodSeconds"] = units.whole_seconds(seconds)
    aliases = host_aliases(service.get("extra_hosts"))
    if aliases:
        fields["hostAliases"] = aliases
    dns = dns_config(service)
    if dns:
        fields["dnsConfig"] = dns
    platform = str(service.get("platform") or "")
    if platform:
        os_name, _, architecture = platform.partition("/")
        selector = {"kubernetes.io/os": os_name}
        if architecture:
            arch = architecture.partition("/")[0]
            selector["kubernetes.io/arch"] = _ARCHITECTURES.get(arch, arch)
        fields["nodeSelector"] = selector
    return fields


def _put_label(
    context: Context,
    service_name: str,
    key: str,
    field: str,
    value: str,
    fields: dict[str, t.Any],
) -> None:
    if _LABEL.match(value):
        fields[field] = value
        return
    context.diagnostics.warn(
        f"the pod {field} must be a DNS label (lowercase letters, digits and '-', at most "
        f"63 characters), so this {key} is left out",
        service=service_name,
        key_path=(key,),
    )


def _put_host_namespaces(
    context: Context, service_name: str, service: dict[str, t.Any], fields: dict[str, t.Any]
) -> None:
    for key, field in (("pid", "hostPID"), ("ipc", "hostIPC")):
        mode = str(service.get(key) or "")
        if mode == "host":
            fields[field] = True
        elif mode and mode not in ("private", "shareable"):
            context.diagnostics.warn(
                f"Kubernetes shares {key} namespaces only inside a pod or with the host, so "
                "this mode is left out",
                service=service_name,
                key_path=(key,),
            )
    mode = str(service.get("network_mode") or "")
    opted_in = is_true(
        extension(context.project, service, service_path(service_name)).get("host-network")
    )
    if mode == "host" and opted_in:
        fields["hostNetwork"] = True
        fields["dnsPolicy"] = "ClusterFirstWithHostNet"
    elif mode == "host":
        context.diagnostics.warn(
            "host networking bypasses cluster networking, so the pod uses pod networking; "
            "set x-kompile.host-network: true to use the node's network",
            service=service_name,
            key_path=("network_mode",),
        )
    elif mode == "none" or mode.startswith("container:"):
        context.diagnostics.warn(
            "Kubernetes pods always have a network, so this network mode is left out",
            service=service_name,
            key_path=("network_mode",),
        )


def host_aliases(value: t.Any) -> list[dict[str, t.Any]]:
    """Return ``hostAliases`` from ``extra_hosts`` (``host=ip``, ``host:ip`` or a mapping)."""
    by_ip: dict[str, list[str]] = {}
    if isinstance(value, dict):
        entries = [(str(host), str(ip)) for host, ip in value.items()]
    else:
        entries = [_host_entry(item) for item in string_list(value)]
    for host, addresses in entries:
        for ip in string_list(addresses.split(",")):
            ip = ip.strip().removeprefix("[").removesuffix("]")
            hosts = by_ip.setdefault(ip, [])
            if host not in hosts:
                hosts.append(host)
    return [{"ip": ip, "hostnames": hosts} for ip, hosts in by_ip.items()]


def _host_entry(text: str) -> tuple[str, str]:
    if "=" in text:
        host, _, ip = text.partition("=")
    else:
        host, _, ip = text.partition(":")
    return host.strip(), ip.strip()


def dns_config(service: dict[str, t.Any]) -> dict[str, t.Any]:
    """Return ``dnsConfig`` from ``dns``, ``dns_search`` and ``dns_opt``.

    The pod keeps its cluster DNS policy, so these add to cluster DNS instead of replacing
    it and service names keep resolving.
    """
    config: dict[str, t.Any] = {}
    nameservers = string_list(service.get("dns"))
    if nameservers:
        config["nameservers"] = nameservers
    searches = string_list(service.get("dns_search"))
    if searches:
        config["searches"] = searches
    options = []
    for option in string_list(service.get("dns_opt")):
        name, separator, value = option.partition(":")
        options.append({"name": name, "value": value} if separator else {"name": name})
    if options:
        config["options"] = options
    return config


def shm_volume(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> tuple[dict[str, t.Any], dict[str, t.Any]] | None:
    """Return the pod volume and mount that give ``/dev/shm`` the ``shm_size``, if set."""
    size = service.get("shm_size")
    if size in (None, ""):
        return None
    try:
        limit = units.parse_bytes(size)
    except ValueError as error:
        raise invalid(
            context, service_path(service_name, "shm_size"), str(error), "write a size such as 64m"
        ) from None
    name = f"{dns_label(service_name, max_length=55)}-shm"
    volume = {
        "name": name,
        "emptyDir": {"medium": "Memory", "sizeLimit": units.memory_quantity(limit)},
    }
    return volume, {"name": name, "mountPath": "/dev/shm"}


def sidecar_targets(context: Context) -> dict[str, str]:
    """Return, for each ``network_mode: service:X`` service, the service whose pod it joins.

    A chain (``a`` joins ``b``, which joins ``c``) ends in the pod of its last service.
    """
    services = context.project.services
    direct: dict[str, str] = {}
    for name, service in services.items():
        mode = str(service.get("network_mode") or "")
        if not mode.startswith(SERVICE_NETWORK):
            continue
        target = mode.removeprefix(SERVICE_NETWORK)
        if target not in services:
            raise invalid(
                context,
                service_path(name, "network_mode"),
                f"network_mode names service {target!r}, which is not in the project",
                "name an enabled service of the project",
            )
        direct[name] = target
    targets: dict[str, str] = {}
    for name in direct:
        seen = [name]
        root = direct[name]
        while root in direct:
            if root in seen:
                raise invalid(
                    context,
                    service_path(name, "network_mode"),
                    "network_mode service references form a cycle",
                    "let one service of the cycle use its own network",
                )
            seen.append(root)
            root = direct[root]
        targets[name] = root
    return targets
