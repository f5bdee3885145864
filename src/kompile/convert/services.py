"""Service ports to Kubernetes Services and container ports.

Every compose service gets a Service with its own name, because in Compose every service
is reachable by name on the project network. A service with ports gets a ClusterIP
Service; one without gets a headless Service (``clusterIP: None``, no ports), whose name
still resolves to the pod addresses.

A published port becomes the Service port and the container port its ``targetPort``
(``8080:80`` → port 8080 to 80). Compose services reach each other on the container port,
so when the two differ the container port is exposed under its own number as well.
``expose`` entries add Service ports without publishing anything.
"""

from __future__ import annotations

import typing as t

from kompile.compose.model import PortConfig
from kompile.convert.context import Context, Manifest
from kompile.convert.names import selector_labels


def port_name(protocol: str, port: int) -> str:
    """Return a port name that is a valid IANA service name: ``tcp-80``, ``udp-53``."""
    return f"{protocol.lower()}-{port}"


def _expose_ports(entries: list[str]) -> list[tuple[int, str]]:
    result = []
    for entry in entries:
        number, _, protocol = entry.partition("/")
        start, _, end = number.partition("-")
        for port in range(int(start), int(end or start) + 1):
            result.append((port, protocol or "tcp"))
    return result


def _published_port(entry: PortConfig) -> int:
    """Return the first published port of an entry, or its target when none is published."""
    published = entry.get("published")
    if published:
        return int(str(published).partition("-")[0])
    return entry["target"]


def service_ports(service_name: str, service: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """Return the Service ports, one per distinct (port, protocol)."""
    ports: dict[tuple[int, str], dict[str, t.Any]] = {}

    def add(port: int, target: int, protocol: str) -> None:
        key = (port, protocol.upper())
        if key not in ports:
            ports[key] = {
                "name": port_name(protocol, port),
                "port": port,
                "targetPort": target,
                "protocol": protocol.upper(),
            }

    entries = t.cast(list[PortConfig], service.get("ports") or [])
    for entry in entries:
        add(_published_port(entry), entry["target"], entry.get("protocol", "tcp"))
    for entry in entries:
        add(entry["target"], entry["target"], entry.get("protocol", "tcp"))
    for port, protocol in _expose_ports(service.get("expose") or []):
        add(port, port, protocol)
    return list(ports.values())


def container_ports(service: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """Return the containerPorts: every target port and exposed port, once each."""
    seen: dict[tuple[int, str], dict[str, t.Any]] = {}
    targets = [
        (entry["target"], entry.get("protocol", "tcp"))
        for entry in t.cast(list[PortConfig], service.get("ports") or [])
    ]
    for port, protocol in [*targets, *_expose_ports(service.get("expose") or [])]:
        key = (port, protocol.upper())
        seen.setdefault(key, {"containerPort": port, "protocol": protocol.upper()})
    return list(seen.values())


def service_manifest(context: Context, service_name: str, service: dict[str, t.Any]) -> Manifest:
    """Return the Service that makes ``service_name`` reachable by name."""
    metadata = context.metadata("Service", service_name, owner=f"service {service_name!r}")
    ports = service_ports(service_name, service)
    spec: dict[str, t.Any] = {}
    if not ports:
        spec["clusterIP"] = "None"
    spec["selector"] = selector_labels(service_name, context.project.name)
    if ports:
        spec["ports"] = ports
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}
