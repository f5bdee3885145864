"""The workload kind of a service and the restart behaviour that decides it.

A service runs as a Deployment unless one of these chooses otherwise, in this order:
``x-kompile.workload``; a schedule (``x-kompile.schedule`` or kompose's
``kompose.cronjob.schedule`` label) for a CronJob; kompose's ``kompose.controller.type``
label; ``deploy.mode`` (``global`` → DaemonSet, ``replicated-job`` → Job); and last the
restart policy: a service that is not restarted after it exits (``restart: "no"`` or
``on-failure``) runs to completion, which is a Job, unless it publishes ports, because a
Job's pods are not meant to serve.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from kompile.convert.context import Context
from kompile.convert.extensions import SERVICE_KEYS, extension
from kompile.convert.keytable import KeyMapping
from kompile.convert.values import invalid, service_path, string_mapping

SERVICE_KEYS["workload"] = "deployment, statefulset, daemonset, job or cronjob"
SERVICE_KEYS["schedule"] = "cron schedule; makes the service a CronJob"
SERVICE_KEYS["concurrency-policy"] = "CronJob concurrencyPolicy: Allow, Forbid or Replace"
SERVICE_KEYS["backoff-limit"] = "Job and CronJob backoffLimit (retries before failing)"

KEY_MAPPINGS = (
    KeyMapping(
        "services.*.restart",
        "Deployment / Job restartPolicy",
        "no, on-failure[:N] without ports: Job (backoffLimit N) and a warning; with ports: "
        "Deployment and a warning",
    ),
    KeyMapping("services.*.deploy.mode", "Deployment / DaemonSet / Job", "global → DaemonSet"),
    KeyMapping(
        "services.*.deploy.restart_policy",
        "restartPolicy / backoffLimit",
        "when restart is unset; delay and window: warning",
    ),
    KeyMapping("services.*.deploy.replicas", "replicas", "0 stays 0"),
    KeyMapping("services.*.scale", "replicas", "when deploy.replicas is unset"),
)

KINDS = ("deployment", "statefulset", "daemonset", "job", "cronjob")
CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
KOMPOSE_CONTROLLER = "kompose.controller.type"
KOMPOSE_CRONJOB = "kompose.cronjob."


@dataclass(frozen=True)
class Restart:
    """The restart policy of a service: ``always``, ``no`` or ``on-failure`` with a limit."""

    policy: str
    max_attempts: int | None = None


@dataclass(frozen=True)
class WorkloadChoice:
    """The kind of workload a service becomes, with the fields only some kinds have."""

    kind: str
    restart: Restart
    schedule: str | None = None
    concurrency_policy: str | None = None
    backoff_limit: int | None = None


def restart_of(context: Context, service_name: str, service: dict[str, t.Any]) -> Restart:
    """Return the restart behaviour from ``restart``, else ``deploy.restart_policy``."""
    restart = service.get("restart")
    if restart:
        text = str(restart)
        if text in ("always", "unless-stopped"):
            return Restart("always")
        if text == "no":
            return Restart("no")
        if text.startswith("on-failure"):
            _, _, count = text.partition(":")
            return Restart("on-failure", int(count) if count.isdigit() else None)
        raise invalid(
            context,
            service_path(service_name, "restart"),
            "restart must be no, always, unless-stopped or on-failure[:N]",
            "use one of the Compose restart policies",
        )
    policy = (service.get("deploy") or {}).get("restart_policy") or {}
    for key in ("delay", "window"):
        if policy.get(key):
            context.diagnostics.warn(
                f"Kubernetes restarts with its own back-off, so the restart {key} is left out",
                service=service_name,
                key_path=("deploy", "restart_policy", key),
            )
    condition = policy.get("condition")
    attempts = policy.get("max_attempts")
    if condition == "none":
        return Restart("no")
    if condition == "on-failure":
        return Restart("on-failure", int(attempts) if attempts is not None else None)
    return Restart("always")


def choose(context: Context, service_name: str, service: dict[str, t.Any]) -> WorkloadChoice:
    """Return the workload kind of a service and the kind-specific settings."""
    path = service_path(service_name, "x-kompile")
    chosen = extension(context.project, service, service_path(service_name))
    labels = string_mapping(service.get("labels"))
    cron = {
        key.removeprefix(KOMPOSE_CRONJOB): value
        for key, value in labels.items()
        if key.startswith(KOMPOSE_CRONJOB)
    }
    restart = restart_of(context, service_name, service)
    schedule = chosen.get("schedule", cron.get("schedule"))
    kind = chosen.get("workload")
    if kind is not None and kind not in KINDS:
        raise invalid(
            context, (*path, "workload"), f"workload must be one of {', '.join(KINDS)}", "pick one"
        )
    if kind is None and schedule:
        kind = "cronjob"
    if kind is None:
        kind = _kind_from_label(context, service_name, labels)
    if kind is None:
        kind = _kind_from_deploy(context, service_name, service)
    if kind is None:
        kind = _kind_from_restart(context, service_name, service, restart)
    if kind == "cronjob" and not schedule:
        raise invalid(
            context,
            (*path, "workload"),
            "a cronjob needs a schedule",
            "add x-kompile.schedule, such as '0 3 * * *'",
        )
    concurrency = chosen.get("concurrency-policy", cron.get("concurrency_policy"))
    if concurrency is not None and concurrency not in CONCURRENCY_POLICIES:
        raise invalid(
            context,
            (*path, "concurrency-policy"),
            f"concurrency policy must be one of {', '.join(CONCURRENCY_POLICIES)}",
            "pick one",
        )
    backoff = chosen.get("backoff-limit", cron.get("backoff_limit"))
    if backoff is not None and not str(backoff).isdigit():
        raise invalid(
            context,
            (*path, "backoff-limit"),
            "backoff limit must be a whole number",
            "write a count such as 3",
        )
    if backoff is None and kind in ("job", "cronjob"):
        backoff = 0 if restart.policy == "no" else restart.max_attempts
    return WorkloadChoice(
        kind=kind,
        restart=restart,
        schedule=str(schedule) if schedule else None,
        concurrency_policy=concurrency,
        backoff_limit=None if backoff is None else int(backoff),
    )


def _kind_from_label(context: Context, service_name: str, labels: dict[str, str]) -> str | None:
    controller = labels.get(KOMPOSE_CONTROLLER, "").lower()
    if not controller:
        return None
    if controller in ("deployment", "statefulset", "daemonset"):
        return controller
    context.diagnostics.warn(
        "only deployment, statefulset and daemonset controller types are supported, so "
        "the service runs as a Deployment",
        service=service_name,
        key_path=("labels", KOMPOSE_CONTROLLER),
    )
    return "deployment"


def _kind_from_deploy(context: Context, service_name: str, service: dict[str, t.Any]) -> str | None:
    mode = (service.get("deploy") or {}).get("mode")
    if mode == "global":
        return "daemonset"
    if mode == "replicated-job":
        return "job"
    if mode == "global-job":
        context.diagnostics.warn(
            "Kubernetes has no job that runs once per node, so the service runs as one Job",
            service=service_name,
            key_path=("deploy", "mode"),
        )
        return "job"
    return None


def _kind_from_restart(
    context: Context, service_name: str, service: dict[str, t.Any], restart: Restart
) -> str:
    if restart.policy == "always":
        return "deployment"
    key_path = ("restart",) if service.get("restart") else ("deploy", "restart_policy")
    if service.get("ports"):
        context.diagnostics.warn(
            "the service publishes ports, so it runs as a Deployment, and Kubernetes always "
            "restarts a Deployment's containers; set x-kompile.workload: job to run it once",
            service=service_name,
            key_path=key_path,
        )
        return "deployment"
    limit = "no retries" if restart.policy == "no" else "retries on failure"
    context.diagnostics.warn(
        f"the service is not restarted after it exits, so it runs as a Job ({limit}); set "
        "x-kompile.workload: deployment to keep it running",
        service=service_name,
        key_path=key_path,
    )
    return "job"
