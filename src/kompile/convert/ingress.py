"""Ingress for services that ask for one with ``x-kompile.expose`` or kompose's label.

``x-kompile.expose`` is ``true`` (a rule without a host), a host with an optional path
(``shop.example.com/api``), or a mapping with ``host``, ``path``, ``port``, ``tls`` (the
name of the TLS Secret) and ``ingressClassName``. kompose's ``kompose.service.expose``
label takes ``true`` or comma-separated hosts with optional paths, with
``kompose.service.expose.tls-secret`` and ``kompose.service.expose.ingress-class-name``.
Paths match by prefix. The backend is the service's own Service, on ``port`` or else its
first port.
"""

from __future__ import annotations

import re
import typing as t

from kompile.convert.context import Context, Manifest
from kompile.convert.extensions import SERVICE_KEYS, extension
from kompile.convert.keytable import KeyMapping
from kompile.convert.kompose import kompose_label
from kompile.errors import ConversionError, KeyPath

SERVICE_KEYS["expose"] = "Ingress: true, HOST[/PATH], or host, path, port, tls, ingressClassName"

EXPOSE_KEYS = ("host", "path", "port", "tls", "ingressClassName")
# A DNS-1123 subdomain, optionally starting with a "*." wildcard, as Ingress hosts are.
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.x-kompile.expose",
        "Ingress (pathType Prefix) to the service's Service; host, path, port, TLS "
        "Secret and ingressClassName",
    ),
    KeyMapping("services.*.labels.kompose.service.expose", "Ingress rules, one per host"),
    KeyMapping("services.*.labels.kompose.service.expose.tls-secret", "Ingress `tls`"),
    KeyMapping("services.*.labels.kompose.service.expose.ingress-class-name", "`ingressClassName`"),
)


def _error(context: Context, path: KeyPath, message: str, hint: str) -> ConversionError:
    return ConversionError(message, location=context.project.locate(path), key_path=path, hint=hint)


def _split_host(text: str) -> tuple[str | None, str]:
    host, slash, path = text.strip().partition("/")
    return (host or None), f"/{path}" if slash else "/"


def _requests(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> tuple[list[dict[str, t.Any]], KeyPath] | None:
    """Return the requested rules as mappings with host, path, port, tls, class."""
    base: KeyPath = ("services", service_name)
    value = extension(context.project, service, base).get("expose")
    path: KeyPath = (*base, "x-kompile", "expose")
    if value is None:
        label = kompose_label(service, "service.expose")
        if label is None or label.lower() == "false":
            return None
        path = (*base, "labels", "kompose.service.expose")
        common = {
            "tls": kompose_label(service, "service.expose.tls-secret"),
            "ingressClassName": kompose_label(service, "service.expose.ingress-class-name"),
        }
        if label.lower() == "true":
            return [{**common, "host": None, "path": "/"}], path
        rules = []
        for item in filter(None, (part.strip() for part in label.split(","))):
            host, route = _split_host(item)
            rules.append({**common, "host": host, "path": route})
        return rules, path
    if value is False:
        return None
    if value is True:
        return [{"host": None, "path": "/"}], path
    if isinstance(value, str):
        host, route = _split_host(value)
        return [{"host": host, "path": route}], path
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(EXPOSE_KEYS))
        if unknown:
            raise _error(
                context, path, f"unknown expose key {unknown[0]!r}", f"use {', '.join(EXPOSE_KEYS)}"
            )
        return [{"path": "/", **value}], path
    raise _error(
        context, path, "expose must be true, a host or a mapping", "write expose: shop.example.com"
    )


def ingress_manifest(
    context: Context, service_name: str, service: dict[str, t.Any], service_object: Manifest
) -> Manifest | None:
    """Return the Ingress of a service that requests one, else None."""
    found = _requests(context, service_name, service)
    if found is None:
        return None
    requests, path = found

    ports = service_object["spec"].get("ports") or []
    if not ports:
        raise _error(
            context,
            path,
            "an Ingress needs a port to send traffic to, and the service has none",
            "add the port to ports or expose",
        )

    rules: list[dict[str, t.Any]] = []
    tls: list[dict[str, t.Any]] = []
    spec: dict[str, t.Any] = {}
    for request in requests:
        host = request.get("host")
        if host is not None and not _HOST.match(str(host)):
            raise _error(context, path, f"invalid host {host!r}", "write a DNS name in lowercase")
        route = str(request.get("path") or "/")
        if not route.startswith("/"):
            raise _error(context, path, f"invalid path {route!r}", "start the path with /")
        port = request.get("port", ports[0]["port"])
        if port not in [item["port"] for item in ports]:
            raise _error(
                context, path, f"port {port!r} is not a port of the Service", "use one it has"
            )
        backend = {
            "service": {"name": service_object["metadata"]["name"], "port": {"number": port}}
        }
        rule: dict[str, t.Any] = {"host": host} if host else {}
        rule["http"] = {"paths": [{"path": route, "pathType": "Prefix", "backend": backend}]}
        rules.append(rule)
        if request.get("tls"):
            entry: dict[str, t.Any] = {"secretName": str(request["tls"])}
            if host:
                entry["hosts"] = [host]
            if entry not in tls:
                tls.append(entry)
        if request.get("ingressClassName"):
            spec["ingressClassName"] = str(request["ingressClassName"])

    if tls:
        spec["tls"] = tls
    spec["rules"] = rules
    metadata = context.metadata(
        "Ingress",
        service_name,
        owner=f"service {service_name!r}",
        source=("services", service_name),
    )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": spec,
    }
