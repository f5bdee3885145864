"""Health checks to readiness, liveness and startup probes.

A compose ``healthcheck`` runs its test in the container; the probes run the same
command (``CMD`` as the argv, ``CMD-SHELL`` through ``sh -c``) with Compose's timings, and
Compose's defaults where a timing is unset (interval 30s, timeout 30s, 3 retries), so the
pod behaves as the container did. ``start_period`` becomes a startup probe that checks
every ``start_interval`` (default 5s) for at least that long, because Compose ignores
failures during the start period. ``x-kompile.probe`` replaces the command with an HTTP
or TCP check, and kompose's ``kompose.service.healthcheck.*`` labels are honoured.
"""

from __future__ import annotations

import math
import typing as t

from kompile.convert import units
from kompile.convert.context import Context
from kompile.convert.extensions import SERVICE_KEYS, extension
from kompile.convert.keytable import KeyMapping
from kompile.convert.values import invalid, is_true, service_path, string_mapping

SERVICE_KEYS["probe"] = (
    "probe type instead of the healthcheck command: {type: http, port: N, path: /p} "
    "or {type: tcp, port: N}"
)

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.healthcheck.test", "readinessProbe/livenessProbe exec", "CMD-SHELL → sh -c"
    ),
    KeyMapping("services.*.healthcheck.interval", "periodSeconds", "default 30s"),
    KeyMapping("services.*.healthcheck.timeout", "timeoutSeconds", "default 30s"),
    KeyMapping("services.*.healthcheck.retries", "failureThreshold", "default 3"),
    KeyMapping(
        "services.*.healthcheck.start_period", "startupProbe", "checks for at least that long"
    ),
    KeyMapping("services.*.healthcheck.start_interval", "startupProbe.periodSeconds", "default 5s"),
    KeyMapping("services.*.healthcheck.disable", "", "no probes"),
)

LABEL_PREFIX = "kompose.service.healthcheck."
DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_START_INTERVAL = 5.0
PROBE_TYPES = ("exec", "http", "tcp")


def container_probes(
    context: Context, service_name: str, service: dict[str, t.Any]
) -> dict[str, dict[str, t.Any]]:
    """Return the container's probe fields (``readinessProbe`` …), empty for none."""
    healthcheck = service.get("healthcheck") or {}
    labels = {
        key.removeprefix(LABEL_PREFIX): value
        for key, value in string_mapping(service.get("labels")).items()
        if key.startswith(LABEL_PREFIX)
    }
    chosen = extension(context.project, service, service_path(service_name)).get("probe")
    handler = _handler(context, service_name, healthcheck, chosen, labels)
    probes: dict[str, dict[str, t.Any]] = {}
    if handler is not None:
        timing = _timing(context, service_name, healthcheck, ("healthcheck",))
        readiness = {**handler, **timing}
        probes["readinessProbe"] = readiness
        probes["livenessProbe"] = dict(readiness)
        startup = _startup(context, service_name, healthcheck, handler, timing)
        if startup:
            probes["startupProbe"] = startup
    _apply_labels(context, service_name, labels, probes)
    return probes


def _handler(
    context: Context,
    service_name: str,
    healthcheck: dict[str, t.Any],
    chosen: t.Any,
    labels: dict[str, str],
) -> dict[str, t.Any] | None:
    if healthcheck.get("disable") or _test_words(healthcheck)[:1] == ["NONE"]:
        return None
    if chosen is not None:
        return _chosen_handler(context, service_name, chosen)
    if not healthcheck:
        return None
    words = _test_words(healthcheck)
    if not words:
        if not any(key.startswith("liveness.") for key in labels):
            context.diagnostics.warn(
                "the healthcheck has no test, so no probe is created (the image's own "
                "HEALTHCHECK is invisible to Kubernetes)",
                service=service_name,
                key_path=("healthcheck",),
            )
        return None
    return {"exec": {"command": exec_command(words)}}


def _test_words(healthcheck: dict[str, t.Any]) -> list[str]:
    test = healthcheck.get("test")
    if test is None:
        return []
    if isinstance(test, str):
        return ["CMD-SHELL", test]
    return [str(word) for word in test]


def exec_command(words: list[str]) -> list[str]:
    """Return the argv of a compose healthcheck test (``CMD`` or ``CMD-SHELL`` form)."""
    if words[0] == "CMD-SHELL":
        return ["sh", "-c", " ".join(words[1:])]
    if words[0] == "CMD":
        return words[1:]
    return words


def _chosen_handler(context: Context, service_name: str, chosen: t.Any) -> dict[str, t.Any]:
    path = service_path(service_name, "x-kompile", "probe")
    hint = "write {type: http, port: 8080, path: /healthz} or {type: tcp, port: 5432}"
    if not isinstance(chosen, dict):
        raise invalid(context, path, "the probe choice must be a mapping", hint)
    kind = chosen.get("type")
    if kind not in PROBE_TYPES:
        raise invalid(context, (*path, "type"), f"probe type must be one of {PROBE_TYPES}", hint)
    if kind == "exec":
        command = chosen.get("command")
        if not isinstance(command, list) or not command:
            raise invalid(context, (*path, "command"), "an exec probe needs a command list", hint)
        return {"exec": {"command": [str(word) for word in command]}}
    port = chosen.get("port")
    if isinstance(port, bool) or not isinstance(port, (int, str)) or not str(port):
        raise invalid(context, (*path, "port"), "an http or tcp probe needs a port", hint)
    port_value: int | str = int(port) if str(port).isdigit() else str(port)
    if kind == "tcp":
        return {"tcpSocket": {"port": port_value}}
    http: dict[str, t.Any] = {"path": str(chosen.get("path") or "/"), "port": port_value}
    if chosen.get("scheme"):
        http["scheme"] = str(chosen["scheme"]).upper()
    return {"httpGet": http}


def _duration(
    context: Context, service_name: str, value: t.Any, path: tuple[str, ...], default: float
) -> float:
    if value is None or value == "":
        return default
    try:
        return units.parse_duration(value)
    except ValueError as error:
        raise invalid(
            context, service_path(service_name, *path), str(error), "write a duration such as 30s"
        ) from None


def _timing(
    context: Context, service_name: str, settings: t.Mapping[str, t.Any], path: tuple[str, ...]
) -> dict[str, int]:
    interval = _duration(
        context, service_name, settings.get("interval"), (*path, "interval"), DEFAULT_INTERVAL
    )
    timeout = _duration(
        context, service_name, settings.get("timeout"), (*path, "timeout"), DEFAULT_TIMEOUT
    )
    retries = settings.get("retries")
    try:
        failures = DEFAULT_RETRIES if retries in (None, "") else int(retries)
    except (TypeError, ValueError):
        raise invalid(
            context,
            service_path(service_name, *path, "retries"),
            "retries must be a whole number",
            "write a count such as 3",
        ) from None
    return {
        "periodSeconds": units.whole_seconds(interval, minimum=1),
        "timeoutSeconds": units.whole_seconds(timeout, minimum=1),
        "failureThreshold": max(1, failures),
    }


def _startup(
    context: Context,
    service_name: str,
    healthcheck: dict[str, t.Any],
    handler: dict[str, t.Any],
    timing: dict[str, int],
) -> dict[str, t.Any] | None:
    path = ("healthcheck", "start_period")
    start_period = _duration(context, service_name, healthcheck.get("start_period"), path, 0.0)
    if start_period <= 0:
        return None
    start_interval = _duration(
        context,
        service_name,
        healthcheck.get("start_interval"),
        ("healthcheck", "start_interval"),
        DEFAULT_START_INTERVAL,
    )
    period = units.whole_seconds(start_interval, minimum=1)
    return {
        **handler,
        "periodSeconds": period,
        "timeoutSeconds": timing["timeoutSeconds"],
        "failureThreshold": max(1, math.ceil(start_period / period)),
    }


def _apply_labels(
    context: Context,
    service_name: str,
    labels: dict[str, str],
    probes: dict[str, dict[str, t.Any]],
) -> None:
    """Apply kompose's healthcheck labels: ``readiness.*`` and ``liveness.*`` settings."""
    for stage, field in (("readiness", "readinessProbe"), ("liveness", "livenessProbe")):
        settings = {
            key.removeprefix(f"{stage}."): value
            for key, value in labels.items()
            if key.startswith(f"{stage}.")
        }
        if not settings:
            continue
        if is_true(settings.get("disable", "false")):
            probes.pop(field, None)
            continue
        handler = _label_handler(settings)
        if handler is None and field not in probes:
            continue
        path = ("labels", f"{LABEL_PREFIX}{stage}")
        probe = dict(probes.get(field) or {})
        if handler is not None:
            for kind in ("exec", "httpGet", "tcpSocket"):
                probe.pop(kind, None)
            probe.update(handler)
        timing = _timing(context, service_name, settings, path)
        for key, value in timing.items():
            if key not in probe or _label_sets(settings, key):
                probe[key] = value
        probes[field] = {**_only_handler(probe), **_only_timing(probe)}


_TIMING_LABELS = {
    "periodSeconds": "interval",
    "timeoutSeconds": "timeout",
    "failureThreshold": "retries",
}


def _label_sets(settings: dict[str, str], field: str) -> bool:
    return _TIMING_LABELS[field] in settings


def _only_handler(probe: dict[str, t.Any]) -> dict[str, t.Any]:
    return {key: value for key, value in probe.items() if key in ("exec", "httpGet", "tcpSocket")}


def _only_timing(probe: dict[str, t.Any]) -> dict[str, t.Any]:
    return {key: value for key, value in probe.items() if key in _TIMING_LABELS}


def _label_handler(settings: dict[str, str]) -> dict[str, t.Any] | None:
    if settings.get("http_get_port"):
        port = settings["http_get_port"]
        return {
            "httpGet": {
                "path": settings.get("http_get_path") or "/",
                "port": int(port) if port.isdigit() else port,
            }
        }
    if settings.get("tcp_port"):
        port = settings["tcp_port"]
        return {"tcpSocket": {"port": int(port) if port.isdigit() else port}}
    if settings.get("test"):
        return {"exec": {"command": ["sh", "-c", settings["test"]]}}
    return None
