"""NetworkPolicies that isolate services as compose networks do (``--network-policies``).

In Compose two services can connect only when they share a network. Each pod template
gets a label per compose network of its service, and each network gets a NetworkPolicy
that admits traffic to its pods from pods of the same network. Policies add up, so a pod
on two networks accepts traffic from both. Published ports are reachable from anywhere in
Compose, so a service with published ports also gets a policy that admits any source on
those container ports. A service without ``networks`` is on the ``default`` network.
"""

from __future__ import annotations

import copy
import typing as t

from kompile.convert.context import Context, Manifest
from kompile.convert.keytable import KeyMapping
from kompile.convert.names import dns_label, selector_labels
from kompile.convert.services import published_port

NETWORK_LABEL_PREFIX = "network.kompile.io/"
DEFAULT_NETWORK = "default"

KEY_MAPPINGS = (
    KeyMapping(
        "networks.*",
        "with `--network-policies`: a NetworkPolicy admitting traffic between the "
        "network's pods, and a pod label per network",
    ),
    KeyMapping("services.*.networks", "pod labels `network.kompile.io/<network>`"),
)


def service_networks(service: dict[str, t.Any]) -> list[str]:
    """Return the compose networks a service is attached to."""
    if str(service.get("network_mode") or "").startswith(("service:", "container:", "host")):
        return []
    networks = service.get("networks")
    if not networks:
        return [DEFAULT_NETWORK]
    return sorted(networks)


def network_label(network: str) -> str:
    return f"{NETWORK_LABEL_PREFIX}{dns_label(network)}"


def pod_template(workload: Manifest) -> dict[str, t.Any]:
    """Return the pod template of a Deployment, StatefulSet, DaemonSet, Job or CronJob."""
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return t.cast(dict[str, t.Any], spec["template"])


def label_pods(service: dict[str, t.Any], workload: Manifest) -> None:
    """Add the network labels of a service to its pod template."""
    labels = pod_template(workload)["metadata"].setdefault("labels", {})
    for network in service_networks(service):
        labels[network_label(network)] = "true"


def network_policies(context: Context) -> list[Manifest]:
    """Return one NetworkPolicy per network in use, plus one per service publishing ports."""
    networks = sorted(
        {
            network
            for service in context.project.services.values()
            for network in service_networks(service)
        }
    )
    policies = []
    for network in networks:
        selector = {"matchLabels": {network_label(network): "true"}}
        metadata = context.metadata(
            "NetworkPolicy", f"network-{network}", owner=f"network {network!r}"
        )
        spec = {
            "podSelector": selector,
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": copy.deepcopy(selector)}]}],
        }
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": metadata,
                "spec": spec,
            }
        )
    for name, service in context.project.services.items():
        ports = []
        for entry in service.get("ports") or []:
            item = {"protocol": entry.get("protocol", "tcp").upper(), "port": entry["target"]}
            if published_port(entry) is not None and item not in ports:
                ports.append(item)
        if not ports:
            continue
        metadata = context.metadata(
            "NetworkPolicy",
            f"{name}-published",
            owner=f"service {name!r}",
            app=name,
            source=("services", name),
        )
        spec = {
            "podSelector": {"matchLabels": selector_labels(name, context.project.name)},
            "policyTypes": ["Ingress"],
            "ingress": [{"ports": ports}],
        }
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": metadata,
                "spec": spec,
            }
        )
    return policies
