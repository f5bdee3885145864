"""Objects a chart offers switched off: an Ingress and a HorizontalPodAutoscaler per service.

Helm users expect ``ingress.enabled`` and ``autoscaling.enabled`` on a service even when
the compose file sets neither. Their templates render nothing with default values, so
the chart still renders the objects convert writes. A service for which the mapping
already made an Ingress or a HorizontalPodAutoscaler does not get these; that object goes
through the chart writer like any other.
"""

from __future__ import annotations

import typing as t

from kompile.output.charttemplates import Action, Splice, go_string, optional_block, optional_scalar

Manifest = dict[str, t.Any]
DEFAULT_MAX_REPLICAS = 3
DEFAULT_CPU_PERCENT = 80


def ingress_values(port: int) -> dict[str, t.Any]:
    """Return the default ingress values of a service whose first port is ``port``."""
    return {
        "enabled": False,
        "className": "",
        "annotations": {},
        "hosts": [{"host": "", "paths": [{"path": "/", "pathType": "Prefix"}]}],
        "tls": [],
        "port": port,
    }


def ingress_tree(chart: str, key: str, service: Manifest) -> tuple[dict[str, t.Any], str]:
    """Return the Ingress template tree for a Service object and its condition."""
    name = service["metadata"]["name"]
    metadata = {"name": name, "labels": dict(service["metadata"]["labels"])}
    base = f".Values.{key}.ingress"
    object_name = f"include {go_string(chart + '.objectName')} (list $ {go_string(name)})"

    def rules(indent: int, field: str | None) -> list[str]:
        return [
            f"{field}:",
            f"{{{{- range {base}.hosts }}}}",
            "- {{- with .host }}",
            "  host: {{ . | quote }}",
            "  {{- end }}",
            "  http:",
            "    paths:",
            "    {{- range .paths }}",
            "    - path: {{ .path | quote }}",
            '      pathType: {{ .pathType | default "Prefix" | quote }}',
            "      backend:",
            "        service:",
            f"          name: {{{{ {object_name} }}}}",
            "          port:",
            f"            number: {{{{ ${base}.port }}}}",
            "    {{- end }}",
            "{{- end }}",
        ]

    tree = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {**metadata, "annotations": optional_block(f"{base}.annotations")},
        "spec": {
            "ingressClassName": optional_scalar(f"{base}.className"),
            "tls": optional_block(f"{base}.tls"),
            "rules": Splice(rules),
        },
    }
    return tree, f"{base}.enabled"


def autoscaling_values() -> dict[str, t.Any]:
    """Return the default autoscaling values of a workload."""
    return {
        "enabled": False,
        "minReplicas": 1,
        "maxReplicas": DEFAULT_MAX_REPLICAS,
        "targetCPUUtilizationPercentage": DEFAULT_CPU_PERCENT,
    }


def autoscaler_tree(key: str, workload: Manifest) -> tuple[dict[str, t.Any], str]:
    """Return the HorizontalPodAutoscaler template tree of a workload and its condition.

    The names stay plain strings; the chart writer turns them into release names.
    """
    base = f".Values.{key}.autoscaling"
    name = workload["metadata"]["name"]
    metadata = {"name": name, "labels": dict(workload["metadata"]["labels"])}
    tree = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata,
        "spec": {
            "scaleTargetRef": {
                "apiVersion": workload["apiVersion"],
                "kind": workload["kind"],
                "name": name,
            },
            "minReplicas": Action(f"{base}.minReplicas"),
            "maxReplicas": Action(f"{base}.maxReplicas"),
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": Action(f"{base}.targetCPUUtilizationPercentage"),
                        },
                    },
                }
            ],
        },
    }
    return tree, f"{base}.enabled"


def replicas_unless_autoscaled(key: str) -> Splice:
    """Return a splice that writes ``replicas`` only while autoscaling is off."""

    def render(indent: int, field: str | None) -> list[str]:
        return [
            f"{{{{- if not .Values.{key}.autoscaling.enabled }}}}",
            f"{field}: {{{{ .Values.{key}.replicas }}}}",
            "{{- end }}",
        ]

    return Splice(render)
