"""Swarm placement to Kubernetes scheduling: node selectors, affinity and spreading.

An equality constraint on a node label becomes a ``nodeSelector`` entry, an inequality a
required node affinity term with ``NotIn``. Swarm's well-known node attributes map to
Kubernetes' well-known node labels (``node.hostname`` → ``kubernetes.io/hostname``,
``node.platform.os`` → ``kubernetes.io/os``). A ``spread`` preference asks Swarm to spread
tasks evenly over the values of a label, which is what a topology spread constraint with
``ScheduleAnyway`` does.
"""

from __future__ import annotations

import re
import typing as t

from kompile.convert.context import Context
from kompile.convert.keytable import KeyMapping
from kompile.convert.values import string_list

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.deploy.placement.constraints",
        "nodeSelector / nodeAffinity",
        "node.hostname, node.role, node.platform.*, node.labels.*; others: warning",
    ),
    KeyMapping(
        "services.*.deploy.placement.preferences",
        "topologySpreadConstraints",
        "spread over a node label, ScheduleAnyway",
    ),
    KeyMapping(
        "services.*.deploy.placement.max_replicas_per_node",
        "",
        "warning: no per-node replica limit",
    ),
)

CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"
_CONSTRAINT = re.compile(r"^\s*([\w.\-/]+)\s*(==|!=)\s*(.*?)\s*$")
_ATTRIBUTES = {
    "node.hostname": "kubernetes.io/hostname",
    "node.platform.os": "kubernetes.io/os",
    "node.platform.arch": "kubernetes.io/arch",
}
# Swarm reports the machine name of the CPU, Kubernetes the Go architecture name.
_ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm"}


def pod_scheduling(
    context: Context, service_name: str, service: dict[str, t.Any], selector: dict[str, str]
) -> dict[str, t.Any]:
    """Return the pod fields for the service's placement (nodeSelector, affinity …).

    ``selector`` contains the pod's selector labels, which a spread constraint matches.
    """
    placement = (service.get("deploy") or {}).get("placement") or {}
    path = ("deploy", "placement")
    node_selector: dict[str, str] = {}
    excluded: list[dict[str, t.Any]] = []
    for index, constraint in enumerate(string_list(placement.get("constraints"))):
        term = _constraint(constraint)
        if term is None:
            context.diagnostics.warn(
                "only node.hostname, node.role, node.platform.os, node.platform.arch and "
                "node.labels constraints have a Kubernetes counterpart, so this one is left out",
                service=service_name,
                key_path=(*path, "constraints", index),
            )
            continue
        key, operator, value = term
        if operator == "==" and value is not None:
            node_selector[key] = value
        elif value is None:
            excluded.append({"key": key, "operator": "DoesNotExist"})
        else:
            excluded.append({"key": key, "operator": "NotIn", "values": [value]})

    fields: dict[str, t.Any] = {}
    if node_selector:
        fields["nodeSelector"] = node_selector
    if excluded:
        fields["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": excluded}]
                }
            }
        }
    spread = _spread(context, service_name, placement, selector)
    if spread:
        fields["topologySpreadConstraints"] = spread
    if placement.get("max_replicas_per_node"):
        context.diagnostics.warn(
            "Kubernetes has no per-node replica limit, so max_replicas_per_node is left out; "
            "a pod anti-affinity or topology spread constraint comes closest",
            service=service_name,
            key_path=(*path, "max_replicas_per_node"),
        )
    return fields


def _constraint(text: str) -> tuple[str, str, str | None] | None:
    """Return (node label, operator, value) for a constraint; value None means "absent"."""
    match = _CONSTRAINT.match(text)
    if match is None:
        return None
    attribute, operator, value = match.groups()
    if attribute == "node.role":
        # Kubernetes marks control-plane nodes with an empty-valued label.
        if (value == "manager") == (operator == "=="):
            return CONTROL_PLANE_LABEL, "==", ""
        return CONTROL_PLANE_LABEL, "!=", None
    if attribute in _ATTRIBUTES:
        if attribute == "node.platform.arch":
            value = _ARCHITECTURES.get(value, value)
        return _ATTRIBUTES[attribute], operator, value
    if attribute.startswith("node.labels."):
        return attribute.removeprefix("node.labels."), operator, value
    return None


def _spread(
    context: Context, service_name: str, placement: dict[str, t.Any], selector: dict[str, str]
) -> list[dict[str, t.Any]]:
    constraints = []
    for index, preference in enumerate(placement.get("preferences") or []):
        spread = str((preference or {}).get("spread") or "")
        key = spread.removeprefix("node.labels.")
        if spread == "node.hostname":
            key = "kubernetes.io/hostname"
        elif key == spread:
            context.diagnostics.warn(
                "only spreading over node.labels or node.hostname has a Kubernetes "
                "counterpart, so this preference is left out",
                service=service_name,
                key_path=("deploy", "placement", "preferences", index),
            )
            continue
        constraints.append(
            {
                "maxSkew": 1,
                "topologyKey": key,
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": dict(selector)},
            }
        )
    return constraints
