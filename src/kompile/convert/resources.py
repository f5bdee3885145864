"""Compute resources: ``deploy.resources`` and the older per-service limits.

``deploy.resources.limits`` become container limits and ``reservations`` requests. The
older keys (``cpus``, ``mem_limit``, ``mem_reservation``, ``cpu_quota``/``cpu_period``)
fill in what ``deploy`` leaves unset, as Docker Compose merges them. A GPU reservation
(``devices`` with the ``gpu`` capability) becomes a ``nvidia.com/gpu`` limit, the
extended resource the NVIDIA device plugin registers; Kubernetes only allows extended
resources as limits (the request defaults to the same value).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from kompile.convert import units
from kompile.convert.context import Context
from kompile.convert.keytable import KeyMapping
from kompile.convert.values import invalid, service_path, string_list

GPU_RESOURCES = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu"}
DEFAULT_GPU_RESOURCE = "nvidia.com/gpu"

KEY_MAPPINGS = (
    KeyMapping("services.*.deploy.resources.limits.cpus", "resources.limits.cpu", "0.5 → 500m"),
    KeyMapping(
        "services.*.deploy.resources.limits.memory", "resources.limits.memory", "512m → 512Mi"
    ),
    KeyMapping("services.*.deploy.resources.limits.pids", "", "warning: no per-container limit"),
    KeyMapping("services.*.deploy.resources.reservations.cpus", "resources.requests.cpu"),
    KeyMapping("services.*.deploy.resources.reservations.memory", "resources.requests.memory"),
    KeyMapping(
        "services.*.deploy.resources.reservations.devices",
        "resources.limits.nvidia.com/gpu",
        "GPU devices only (amd.com/gpu for driver amd); other devices: warning",
    ),
    KeyMapping("services.*.cpus", "resources.limits.cpu", "when deploy sets no CPU limit"),
    KeyMapping("services.*.cpu_quota", "resources.limits.cpu", "cpu_quota / cpu_period CPUs"),
    KeyMapping("services.*.cpu_period", "resources.limits.cpu", "with cpu_quota"),
    KeyMapping("services.*.mem_limit", "resources.limits.memory", "when deploy sets none"),
    KeyMapping("services.*.mem_reservation", "resources.requests.memory", "when deploy sets none"),
)

_DEFAULT_CPU_PERIOD = 100_000  # microseconds, Docker's default CFS period


def container_resources(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> dict[str, dict[str, str]]:
    """Return the container ``resources`` (empty when the service sets no limits)."""
    deploy_resources = (service.get("deploy") or {}).get("resources") or {}
    limits_in = deploy_resources.get("limits") or {}
    reservations_in = deploy_resources.get("reservations") or {}
    base = ("deploy", "resources")

    limits: dict[str, str] = {}
    requests: dict[str, str] = {}
    cpu_limit = _first(
        (limits_in.get("cpus"), (*base, "limits", "cpus")),
        (service.get("cpus"), ("cpus",)),
    )
    if cpu_limit is None and service.get("cpu_quota"):
        period = service.get("cpu_period") or _DEFAULT_CPU_PERIOD
        cpu_limit = (int(service["cpu_quota"]) / int(period), ("cpu_quota",))
    _put_quantity(context, service_name, limits, _CPU, cpu_limit)
    _put_quantity(
        context,
        service_name,
        requests,
        _CPU,
        _first((reservations_in.get("cpus"), (*base, "reservations", "cpus"))),
    )
    _put_quantity(
        context,
        service_name,
        limits,
        _MEMORY,
        _first(
            (limits_in.get("memory"), (*base, "limits", "memory")),
            (service.get("mem_limit"), ("mem_limit",)),
        ),
    )
    _put_quantity(
        context,
        service_name,
        requests,
        _MEMORY,
        _first(
            (reservations_in.get("memory"), (*base, "reservations", "memory")),
            (service.get("mem_reservation"), ("mem_reservation",)),
        ),
    )
    if limits_in.get("pids"):
        context.diagnostics.warn(
            "Kubernetes has no per-container process limit (the kubelet sets one per node), "
            "so the pids limit is left out",
            service=service_name,
            key_path=(*base, "limits", "pids"),
        )
    limits.update(_gpu_limits(context, service_name, reservations_in.get("devices") or []))
    _check_requests(context, service_name, requests, limits)

    result: dict[str, dict[str, str]] = {}
    if limits:
        result["limits"] = limits
    if requests:
        result["requests"] = requests
    return result


def _first(*candidates: tuple[t.Any, tuple[str, ...]]) -> tuple[t.Any, tuple[str, ...]] | None:
    for value, path in candidates:
        if value is not None and value != "":
            return value, path
    return None


@dataclass(frozen=True)
class _Resource:
    """How one compose value becomes one Kubernetes resource quantity."""

    name: str
    parse: t.Callable[[t.Any], float]
    quantity: t.Callable[[t.Any], str]
    hint: str


_CPU = _Resource("cpu", units.parse_cpus, units.cpu_quantity, "write a number such as 0.5")
_MEMORY = _Resource("memory", units.parse_bytes, units.memory_quantity, "write a size such as 512m")


def _put_quantity(
    context: Context,
    service_name: str,
    target: dict[str, str],
    resource: _Resource,
    found: tuple[t.Any, tuple[str, ...]] | None,
) -> None:
    if found is None:
        return
    value, path = found
    try:
        amount = resource.parse(value)
    except ValueError as error:
        raise invalid(
            context, service_path(service_name, *path), str(error), resource.hint
        ) from None
    if amount > 0:
        target[resource.name] = resource.quantity(amount)


def _gpu_limits(
    context: Context, service_name: str, devices: list[dict[str, t.Any]]
) -> dict[str, str]:
    limits: dict[str, str] = {}
    for index, device in enumerate(devices):
        path = ("deploy", "resources", "reservations", "devices", index)
        capabilities = string_list(device.get("capabilities"))
        if "gpu" not in capabilities:
            context.diagnostics.warn(
                "only GPU device reservations have a Kubernetes counterpart (an extended "
                "resource), so this device reservation is left out",
                service=service_name,
                key_path=path,
            )
            continue
        resource = GPU_RESOURCES.get(str(device.get("driver") or ""), DEFAULT_GPU_RESOURCE)
        count = device.get("count")
        if device.get("device_ids"):
            count = len(string_list(device["device_ids"]))
            context.diagnostics.warn(
                "Kubernetes cannot pin GPU ids, so the device_ids only set the GPU count",
                service=service_name,
                key_path=(*path, "device_ids"),
            )
        if count is None or str(count) == "all":
            context.diagnostics.warn(
                "Kubernetes needs a GPU count, so 'all' GPUs becomes 1; set count to the "
                "number the service needs",
                service=service_name,
                key_path=(*path, "count"),
            )
            count = 1
        previous = int(limits.get(resource, "0"))
        limits[resource] = str(previous + int(count))
    return limits


def _check_requests(
    context: Context, service_name: str, requests: dict[str, str], limits: dict[str, str]
) -> None:
    """Reject a reservation above its limit, which the API server rejects too."""
    resources = service_path(service_name, "deploy", "resources")
    for resource, parse in (("cpu", _cpu_value), ("memory", _memory_value)):
        if resource in requests and resource in limits:
            if parse(requests[resource]) > parse(limits[resource]):
                raise invalid(
                    context,
                    resources,
                    f"the {resource} reservation is larger than the {resource} limit",
                    "lower the reservation or raise the limit",
                )


def _cpu_value(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def _memory_value(quantity: str) -> int:
    for power, suffix in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"), start=1):
        if quantity.endswith(suffix):
            return int(quantity[: -len(suffix)]) << (10 * power)
    return int(quantity)
