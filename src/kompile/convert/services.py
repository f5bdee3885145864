"""Service ports to Kubernetes Services and container ports.

Every compose service gets a Service with its own name, because in Compose every service
is reachable by name on the project network. A service with ports gets a ClusterIP
Service, or the type chosen with ``--service-type``, ``x-kompile.service.type`` or the
``kompose.service.type`` label. A service without ports gets a headless Service
(``clusterIP: None``, no ports), whose name still resolves to the pod addresses. A
warning then suggests ``expose`` when another service's environment names a port of it.

A published port becomes the Service port and the container port its ``targetPort``
(``8080:80`` → port 8080 to 80). Compose services reach each other on the container port,
so when the two differ the container port is exposed under its own number as well.
``expose`` entries add Service ports without publishing anything. Only ``mode: host``
ports get a ``hostPort``: any other would stop a second replica from being scheduled on
the same node.
"""

from __future__ import annotations

import re
import typing as t

from kompile.compose.model import PortConfig
from kompile.convert.context import Context, Manifest
from kompile.convert.extensions import SERVICE_KEYS, extension
from kompile.convert.keytable import KeyMapping
from kompile.convert.kompose import kompose_label
from kompile.convert.names import selector_labels
from kompile.errors import ConversionError

SERVICE_KEYS["service"] = "Service choices: type, nodePort, externalTrafficPolicy"

SERVICE_TYPES = {
    "clusterip": "ClusterIP",
    "nodeport": "NodePort",
    "loadbalancer": "LoadBalancer",
    "headless": "Headless",
}
EXTERNAL_TYPES = ("NodePort", "LoadBalancer")
TRAFFIC_POLICIES = {"cluster": "Cluster", "local": "Local"}
NODE_PORT_RANGE = range(30000, 32768)
# Host addresses that mean "every address", which is what a Service port offers.
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
# An IANA service name: at most 15 lowercase alphanumerics and single dashes, with a letter.
_SERVICE_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9](?:-?[a-z0-9])*$")
MAX_PORT_NAME_LENGTH = 15
# Above this many ports a Service gets a warning. Kubernetes sets no count limit, but the
# API server rejects requests over 3 MiB, which a Service and its pod template reach at
# some tens of thousands of ports, and long port lists slow every client that reads them.
MAX_SERVICE_PORTS = 100

KEY_MAPPINGS = (
    KeyMapping("services.*.ports", "Service ports and container ports"),
    KeyMapping("services.*.ports.target", "Service `targetPort`, `containerPort`"),
    KeyMapping("services.*.ports.published", "Service `port` (first port of a range)"),
    KeyMapping(
        "services.*.ports.host_ip",
        "",
        "warning for each address other than 0.0.0.0 or ::, because a Service has no bind "
        "address and the port is reachable on every address of the Service",
    ),
    KeyMapping("services.*.ports.protocol", "port `protocol` (TCP, UDP, SCTP)"),
    KeyMapping("services.*.ports.app_protocol", "Service port `appProtocol`"),
    KeyMapping("services.*.ports.mode", "`host` → container `hostPort`; `ingress` → no hostPort"),
    KeyMapping(
        "services.*.ports.name",
        "port `name` when it is a valid IANA service name, else `<protocol>-<port>`",
    ),
    KeyMapping("services.*.expose", "Service ports and container ports, never a hostPort"),
    KeyMapping(
        "services.* (no ports)",
        "headless Service (`clusterIP: None`)",
        "warning that suggests `expose` with the port other services use",
    ),
    KeyMapping(
        "services.*.networks.*.aliases",
        "one more Service per alias, selecting the same pods",
    ),
    KeyMapping(
        "services.*.labels.kompose.service.type",
        "Service `type` (nodeport, loadbalancer, clusterip, headless)",
    ),
    KeyMapping("services.*.labels.kompose.service.nodeport.port", "Service port `nodePort`"),
    KeyMapping(
        "services.*.labels.kompose.service.external-traffic-policy",
        "Service `externalTrafficPolicy`",
    ),
    KeyMapping("services.*.x-kompile.service", "Service `type`, `nodePort`, traffic policy"),
)


def port_name(protocol: str, port: int) -> str:
    """Return a port name that is a valid IANA service name: ``tcp-80``, ``udp-53``."""
    return f"{protocol.lower()}-{port}"


def is_port_name(name: str) -> bool:
    """Tell whether ``name`` is a valid IANA service name, as Kubernetes port names must be."""
    return len(name) <= MAX_PORT_NAME_LENGTH and bool(_SERVICE_NAME.match(name))


def expose_ports(entries: list[str | int]) -> list[tuple[int, str]]:
    """Return (port, protocol) for every port of the ``expose`` entries, ranges expanded.

    Port 0, which Docker Compose accepts, is left out: it is no Kubernetes port.
    """
    result = []
    for entry in entries:
        number, _, protocol = str(entry).partition("/")
        start, _, end = number.partition("-")
        for port in range(max(int(start), 1), int(end or start) + 1):
            result.append((port, protocol or "tcp"))
    return result


def _port_text(entry: PortConfig) -> str:
    published = entry.get("published")
    text = f"{published}:{entry['target']}" if published else str(entry["target"])
    protocol = entry.get("protocol", "tcp")
    return text if protocol == "tcp" else f"{text}/{protocol}"


def check_ports(context: Context, service_name: str, service: dict[str, t.Any]) -> None:
    """Reject one published port mapped to two container ports, and warn about a
    Service with more than `MAX_SERVICE_PORTS` ports.

    Docker Compose 2.40 accepts two mappings of one host port in ``config``, but the
    second cannot bind when the project starts, and a Service port has one target only.
    """
    seen: dict[tuple[int, str], tuple[int, PortConfig]] = {}
    for index, entry in enumerate(_port_entries(service)):
        published = published_port(entry)
        if not published:
            continue
        key = (published, entry.get("protocol", "tcp").lower())
        first = seen.setdefault(key, (index, entry))
        if first[1]["target"] != entry["target"]:
            path = ("services", service_name, "ports", index)
            raise _invalid(
                context,
                path,
                f"ports entries {_port_text(first[1])!r} and {_port_text(entry)!r} both "
                f"publish port {published}/{key[1]}",
                "publish each port once, or give one of them another published port",
            )
    count = len(service_ports(service))
    if count > MAX_SERVICE_PORTS:
        context.diagnostics.warn(
            f"the Service gets {count} ports, more than {MAX_SERVICE_PORTS}; an object "
            "this large is slow to apply and may exceed the API server's request size "
            "limit, so publish only the ports that clients use",
            service=service_name,
            key_path=("ports",),
        )


def published_port(entry: PortConfig) -> int | None:
    """Return the first published port of an entry, or None when it publishes nothing."""
    published = entry.get("published")
    if published:
        return int(str(published).partition("-")[0])
    return None


def _port_entries(service: dict[str, t.Any]) -> list[PortConfig]:
    return t.cast(list[PortConfig], service.get("ports") or [])


def service_ports(service: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """Return the Service ports, one per distinct (port, protocol), with unique names."""
    ports: dict[tuple[int, str], dict[str, t.Any]] = {}
    names: set[str] = set()

    def add(port: int, target: int, protocol: str, entry: PortConfig | None) -> None:
        key = (port, protocol.upper())
        if key in ports:
            return
        name = (entry or {}).get("name", "")
        if not is_port_name(name) or name in names:
            name = port_name(protocol, port)
        suffix = 2
        while name in names:  # Only when a compose name took the generated one.
            name = f"{port_name(protocol, port)[: MAX_PORT_NAME_LENGTH - 3]}-{suffix}"
            suffix += 1
        names.add(name)
        item: dict[str, t.Any] = {
            "name": name,
            "port": port,
            "targetPort": target,
            "protocol": protocol.upper(),
        }
        if entry and entry.get("app_protocol"):
            item["appProtocol"] = entry["app_protocol"]
        ports[key] = item

    entries = _port_entries(service)
    for entry in entries:
        port = published_port(entry) or entry["target"]
        add(port, entry["target"], entry.get("protocol", "tcp"), entry)
    for entry in entries:
        add(entry["target"], entry["target"], entry.get("protocol", "tcp"), entry)
    for port, protocol in expose_ports(service.get("expose") or []):
        add(port, port, protocol, None)
    return list(ports.values())


def container_ports(service: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """Return the containerPorts: every target port and exposed port, once each.

    Only a ``mode: host`` entry gets a ``hostPort``. A compose port ``name`` that is a
    valid IANA service name names the container port too.
    """
    seen: dict[tuple[int, str], dict[str, t.Any]] = {}
    names: set[str] = set()
    for entry in _port_entries(service):
        key = (entry["target"], entry.get("protocol", "tcp").upper())
        item = seen.setdefault(key, {"containerPort": key[0], "protocol": key[1]})
        name = entry.get("name", "")
        if "name" not in item and is_port_name(name) and name not in names:
            names.add(name)
            item["name"] = name
        if entry.get("mode") == "host" and "hostPort" not in item:
            item["hostPort"] = published_port(entry) or entry["target"]
    for port, protocol in expose_ports(service.get("expose") or []):
        key = (port, protocol.upper())
        seen.setdefault(key, {"containerPort": port, "protocol": key[1]})
    return list(seen.values())


def warn_ports(context: Context, service_name: str, service: dict[str, t.Any]) -> None:
    """Warn about port settings that a Service or pod cannot express exactly."""
    diagnostics = context.diagnostics
    for index, entry in enumerate(_port_entries(service)):
        if entry.get("host_ip", "") not in WILDCARD_ADDRESSES:
            diagnostics.warn(
                "the port is published on one host address, but a Service has no bind "
                "address, so the port is reachable on every address of the Service",
                service=service_name,
                key_path=("ports", index, "host_ip"),
            )
        name = entry.get("name")
        if name is not None and not is_port_name(name):
            diagnostics.warn(
                "the port name is not a valid IANA service name (at most 15 lowercase "
                "letters, digits and dashes, with a letter), so a generated name is used",
                service=service_name,
                key_path=("ports", index, "name"),
            )
        if entry.get("mode") == "host":
            diagnostics.warn(
                "mode host becomes a hostPort, so at most one pod of the service can run "
                "on each node",
                service=service_name,
                key_path=("ports", index, "mode"),
            )


def _choices(context: Context, service_name: str, service: dict[str, t.Any]) -> dict[str, t.Any]:
    path = ("services", service_name)
    choices = extension(context.project, service, path).get("service", {})
    if not isinstance(choices, dict):
        where = (*path, "x-kompile", "service")
        raise ConversionError(
            "x-kompile service must be a mapping",
            location=context.project.locate(where),
            key_path=where,
            hint="write it as service: {type: LoadBalancer}",
        )
    return choices


def _choice(
    context: Context,
    service_name: str,
    service: dict[str, t.Any],
    key: str,
    label: str,
) -> tuple[t.Any, tuple[str | int, ...]]:
    """Return an x-kompile service choice, else the kompose label, with where it was set."""
    choices = _choices(context, service_name, service)
    if key in choices:
        return choices[key], ("services", service_name, "x-kompile", "service", key)
    return kompose_label(service, label), ("services", service_name, "labels", f"kompose.{label}")


def _invalid(context: Context, path: tuple[str | int, ...], message: str, hint: str) -> Exception:
    return ConversionError(message, location=context.project.locate(path), key_path=path, hint=hint)


def service_type(context: Context, service_name: str, service: dict[str, t.Any]) -> str:
    """Return the Service type: the service's own choice, else ``--service-type``."""
    value, path = _choice(context, service_name, service, "type", "service.type")
    if value is None:
        chosen = context.options.service_type
    else:
        chosen = SERVICE_TYPES.get(str(value).lower(), "")
        if not chosen:
            raise _invalid(
                context,
                path,
                f"invalid service type {value!r}",
                "use ClusterIP, NodePort, LoadBalancer or Headless",
            )
    has_published = any(published_port(entry) for entry in _port_entries(service))
    if chosen in EXTERNAL_TYPES and not has_published:
        if value is not None:
            context.diagnostics.warn(
                f"type {chosen} needs a published port, so the Service stays ClusterIP",
                service=service_name,
                key_path=path[2:],
            )
        return "ClusterIP"
    return chosen


def _node_port(
    context: Context, service_name: str, service: dict[str, t.Any], ports: list[dict[str, t.Any]]
) -> None:
    value, path = _choice(context, service_name, service, "nodePort", "service.nodeport.port")
    if value is None:
        return
    text = str(value)
    if not text.isdigit() or int(text) not in NODE_PORT_RANGE:
        raise _invalid(
            context, path, f"invalid node port {value!r}", "use a number from 30000 to 32767"
        )
    published = [entry for entry in _port_entries(service) if published_port(entry)]
    if len(published) != 1:
        raise _invalid(
            context,
            path,
            "a node port needs exactly one published port",
            "publish one port, or set node ports on a Service of your own",
        )
    port = published_port(published[0])
    for item in ports:
        if item["port"] == port:
            item["nodePort"] = int(text)
            return


def _traffic_policy(context: Context, service_name: str, service: dict[str, t.Any]) -> str | None:
    value, path = _choice(
        context, service_name, service, "externalTrafficPolicy", "service.external-traffic-policy"
    )
    if value is None:
        return None
    policy = TRAFFIC_POLICIES.get(str(value).lower())
    if policy is None:
        raise _invalid(
            context, path, f"invalid external traffic policy {value!r}", "use Cluster or Local"
        )
    return policy


def service_manifest(context: Context, service_name: str, service: dict[str, t.Any]) -> Manifest:
    """Return the Service that makes ``service_name`` reachable by name."""
    warn_ports(context, service_name, service)
    check_ports(context, service_name, service)
    metadata = context.metadata(
        "Service",
        service_name,
        owner=f"service {service_name!r}",
        source=("services", service_name),
    )
    ports = service_ports(service)
    kind = service_type(context, service_name, service)
    spec: dict[str, t.Any] = {}
    if not ports or kind == "Headless":
        spec["clusterIP"] = "None"
    elif kind != "ClusterIP":
        spec["type"] = kind
    spec["selector"] = selector_labels(service_name, context.project.name)
    if ports:
        spec["ports"] = ports
    else:
        warn_no_ports(context, service_name)
    if kind == "NodePort":
        _node_port(context, service_name, service, ports)
    policy = _traffic_policy(context, service_name, service)
    if policy is not None and kind in EXTERNAL_TYPES:
        spec["externalTrafficPolicy"] = policy
    elif policy is not None:
        context.diagnostics.warn(
            "an external traffic policy needs type NodePort or LoadBalancer and is left out",
            service=service_name,
            key_path=("labels",),
        )
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


# A compose service name, and ``name:port`` after a character that cannot be part of a
# name, as in ``http://db:5432`` or ``db:5432``.
_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9_.-]+")
_NAME_AND_PORT = re.compile(r"(?:^|[^A-Za-z0-9_.-])([A-Za-z0-9_.-]+):(\d{1,5})(?!\d)")


def _port_mentions(context: Context) -> dict[str, list[tuple[str, int]]]:
    """Return, for each name, (service, port) for each ``name:port`` in a service's environment.

    Built once per conversion: a name-and-port match is always a whole run of name
    characters, so one scan of every value finds the mentions of every service.
    """
    index: dict[str, list[tuple[str, int]]] | None = context.indexes.get("port_mentions")
    if index is not None:
        return index
    index = {}
    for other, config in context.project.services.items():
        for value in (config.get("environment") or {}).values():
            for match in _NAME_AND_PORT.finditer(str(value or "")):
                index.setdefault(match[1], []).append((other, int(match[2])))
    context.indexes["port_mentions"] = index
    return index


def mentioned_ports(context: Context, service_name: str) -> list[tuple[str, int]]:
    """Return (service, port) for each other service whose environment names ``name:port``."""
    if _NAME_CHARACTERS.fullmatch(service_name):
        mentions = _port_mentions(context).get(service_name, [])
    else:
        mentions = _scan_port_mentions(context, service_name)
    return list(dict.fromkeys(item for item in mentions if item[0] != service_name))


def _scan_port_mentions(context: Context, service_name: str) -> list[tuple[str, int]]:
    """Scan every environment for ``name:port``, for a name that `_port_mentions` misses."""
    pattern = re.compile(rf"(?:^|[^A-Za-z0-9_.-]){re.escape(service_name)}:(\d{{1,5}})(?!\d)")
    return [
        (other, int(match[1]))
        for other, config in context.project.services.items()
        for value in (config.get("environment") or {}).values()
        for match in pattern.finditer(str(value or ""))
    ]


def warn_no_ports(context: Context, service_name: str) -> None:
    """Warn about a service without ports that other services connect to on a port.

    Its headless Service still makes the name resolve, so a service nobody connects to on
    a known port needs no warning; one that others reach on ``name:port`` gets the
    ``expose`` line that gives it a proper ClusterIP port.
    """
    mentions = mentioned_ports(context, service_name)
    if not mentions:
        return
    clients = ", ".join(sorted({client for client, _ in mentions}))
    numbers = sorted({port for _, port in mentions})
    listed = ", ".join(f'"{port}"' for port in numbers)
    verb = "connects" if len({client for client, _ in mentions}) == 1 else "connect"
    message = (
        "the service has no ports or expose, so its Service is headless and clients must "
        f"know the port; {clients} {verb} to it, so add expose: [{listed}]"
    )
    context.diagnostics.warn(message, service=service_name, key_path=("ports",))


def alias_services(
    context: Context, service_name: str, service: dict[str, t.Any], main: Manifest
) -> list[Manifest]:
    """Return one more Service per network alias, selecting the same pods as ``main``."""
    aliases: list[str] = []
    networks = service.get("networks") or {}
    # The list form of networks cannot carry aliases.
    attachments = networks.values() if isinstance(networks, dict) else []
    for network in attachments:
        for alias in (network or {}).get("aliases") or []:
            if alias != service_name and alias not in aliases:
                aliases.append(alias)
    result = []
    for alias in aliases:
        metadata = context.metadata(
            "Service", alias, owner=f"alias {alias!r} of service {service_name!r}", app=service_name
        )
        # Aliases are names inside the cluster, so they never get a node port or a load
        # balancer of their own.
        spec = {
            key: value
            for key, value in main["spec"].items()
            if key not in ("ports", "type", "externalTrafficPolicy")
        }
        if "ports" in main["spec"]:
            spec["ports"] = [
                {key: value for key, value in port.items() if key != "nodePort"}
                for port in main["spec"]["ports"]
            ]
        result.append({"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec})
    return result
