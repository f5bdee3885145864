"""HorizontalPodAutoscalers for services that ask for autoscaling.

``x-kompile.autoscale`` takes ``min`` and ``max`` replicas and the average ``cpu`` and
``memory`` utilization to aim for, in percent of the container requests. kompose's
``kompose.hpa.replicas.min``, ``kompose.hpa.replicas.max``, ``kompose.hpa.cpu`` and
``kompose.hpa.memory`` labels mean the same. ``min`` defaults to 1 and ``max`` to
``min``; without a target the CPU target is 80 percent. Utilization targets only work
when the container sets resource requests, so a warning is printed when it has none.
"""

from __future__ import annotations

import typing as t

from kompile.convert.context import Context, Manifest
from kompile.convert.extensions import SERVICE_KEYS, extension
from kompile.convert.keytable import KeyMapping
from kompile.convert.kompose import kompose_label
from kompile.errors import ConversionError, KeyPath

SERVICE_KEYS["autoscale"] = "HorizontalPodAutoscaler: min, max, cpu, memory (percent)"

AUTOSCALE_KEYS = {
    "min": "hpa.replicas.min",
    "max": "hpa.replicas.max",
    "cpu": "hpa.cpu",
    "memory": "hpa.memory",
}
DEFAULT_CPU_PERCENT = 80
SCALABLE_KINDS = ("Deployment", "StatefulSet")

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.x-kompile.autoscale",
        "autoscaling/v2 HorizontalPodAutoscaler: minReplicas, maxReplicas, CPU and "
        "memory utilization",
    ),
    KeyMapping("services.*.labels.kompose.hpa.replicas.min", "HPA `minReplicas`"),
    KeyMapping("services.*.labels.kompose.hpa.replicas.max", "HPA `maxReplicas`"),
    KeyMapping("services.*.labels.kompose.hpa.cpu", "HPA CPU `averageUtilization`"),
    KeyMapping("services.*.labels.kompose.hpa.memory", "HPA memory `averageUtilization`"),
)


def _settings(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> tuple[dict[str, int], KeyPath] | None:
    base: KeyPath = ("services", service_name)
    value = extension(context.project, service, base).get("autoscale")
    path: KeyPath = (*base, "x-kompile", "autoscale")
    if value is None:
        raw = {key: kompose_label(service, label) for key, label in AUTOSCALE_KEYS.items()}
        value = {key: item for key, item in raw.items() if item is not None}
        path = (*base, "labels")
        if not value:
            return None
    if not isinstance(value, dict):
        raise ConversionError(
            "autoscale must be a mapping",
            location=context.project.locate(path),
            key_path=path,
            hint="write it as autoscale: {min: 2, max: 5, cpu: 70}",
        )
    settings: dict[str, int] = {}
    for key, item in value.items():
        where = (*path, key)
        if key not in AUTOSCALE_KEYS:
            raise ConversionError(
                f"unknown autoscale key {key!r}",
                location=context.project.locate(where),
                key_path=where,
                hint=f"use {', '.join(AUTOSCALE_KEYS)}",
            )
        text = str(item)
        if isinstance(item, bool) or not text.isdigit() or int(text) < 1:
            raise ConversionError(
                f"invalid autoscale {key} {item!r}",
                location=context.project.locate(where),
                key_path=where,
                hint="use a whole number from 1",
            )
        settings[key] = int(text)
    return settings, path


def autoscaler_manifest(
    context: Context, service_name: str, service: dict[str, t.Any], workload: Manifest
) -> Manifest | None:
    """Return the HorizontalPodAutoscaler of a service that requests one, else None."""
    found = _settings(context, service_name, service)
    if found is None:
        return None
    settings, path = found

    if workload["kind"] not in SCALABLE_KINDS:
        context.diagnostics.warn(
            f"a {workload['kind']} cannot be autoscaled, so no autoscaler is created",
            service=service_name,
            key_path=path[2:],
        )
        return None
    minimum = settings.get("min", 1)
    maximum = settings.get("max", minimum)
    if maximum < minimum:
        raise ConversionError(
            f"autoscale max {maximum} is below min {minimum}",
            location=context.project.locate(path),
            key_path=path,
            hint="raise max or lower min",
        )

    metrics = []
    targets = {name: settings[name] for name in ("cpu", "memory") if name in settings}
    for resource, percent in (targets or {"cpu": DEFAULT_CPU_PERCENT}).items():
        target = {"type": "Utilization", "averageUtilization": percent}
        metrics.append({"type": "Resource", "resource": {"name": resource, "target": target}})
    limits = (service.get("deploy") or {}).get("resources") or {}
    if not limits.get("reservations") and not limits.get("limits"):
        context.diagnostics.warn(
            "utilization targets need resource requests, and the service sets no "
            "deploy.resources, so the autoscaler cannot measure utilization",
            service=service_name,
            key_path=path[2:],
        )

    metadata = context.metadata(
        "HorizontalPodAutoscaler",
        service_name,
        owner=f"service {service_name!r}",
        source=("services", service_name),
    )
    target_ref = {
        "apiVersion": workload["apiVersion"],
        "kind": workload["kind"],
        "name": workload["metadata"]["name"],
    }
    spec = {
        "scaleTargetRef": target_ref,
        "minReplicas": minimum,
        "maxReplicas": maximum,
        "metrics": metrics,
    }
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata,
        "spec": spec,
    }
