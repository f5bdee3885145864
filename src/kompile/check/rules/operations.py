"""Operations rules: healthcheck, memory limit, restart policy and labels."""

from __future__ import annotations

import typing as t

from kompile.check.model import Hit, Severity, rule
from kompile.check.service import ServiceView

OCI_LABEL_PREFIX = "org.opencontainers.image."


@rule(
    "no-healthcheck",
    Severity.WARNING,
    group="operations",
    summary="The service has no healthcheck, so its pods get no readiness or liveness probe.",
    fix="add healthcheck: with a test that checks the service answers, such as "
    '["CMD", "curl", "-f", "http://localhost/health"]',
)
def no_healthcheck(service: ServiceView) -> t.Iterator[Hit]:
    healthcheck = service.config.get("healthcheck")
    if isinstance(healthcheck, dict):
        if healthcheck.get("disable") or healthcheck.get("test") in (["NONE"], "NONE"):
            yield Hit("healthcheck is disabled", ("healthcheck",))
            return
        if healthcheck.get("test"):
            return
    in_dockerfile = bool(service.image_instructions("HEALTHCHECK"))
    # NOTE: Kubernetes ignores the image's HEALTHCHECK, so only a compose healthcheck
    # becomes a probe.
    reason = ", and Kubernetes ignores the Dockerfile's HEALTHCHECK" if in_dockerfile else ""
    yield Hit(f"no healthcheck is set{reason}")


@rule(
    "no-memory-limit",
    Severity.WARNING,
    group="operations",
    summary="The service has no memory limit, so one leak can starve its neighbours.",
    fix="set deploy.resources.limits.memory (or mem_limit) to the most the service needs, "
    "such as 512M",
)
def no_memory_limit(service: ServiceView) -> t.Iterator[Hit]:
    limits = ((service.config.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    if not limits.get("memory") and not service.config.get("mem_limit"):
        yield Hit("no memory limit is set in deploy.resources.limits.memory or mem_limit")


@rule(
    "no-restart-policy",
    Severity.INFO,
    group="operations",
    summary="The service has no restart policy, so a crashed container stays down.",
    fix="set restart: unless-stopped for a long-running service, or restart: on-failure for a job",
)
def no_restart_policy(service: ServiceView) -> t.Iterator[Hit]:
    deploy = service.config.get("deploy") or {}
    if not service.config.get("restart") and not deploy.get("restart_policy"):
        yield Hit("no restart policy is set in restart or deploy.restart_policy")


def _has_oci_label(labels: t.Any) -> bool:
    if isinstance(labels, dict):
        return any(str(key).startswith(OCI_LABEL_PREFIX) for key in labels)
    if isinstance(labels, list):
        return any(str(item).startswith(OCI_LABEL_PREFIX) for item in labels)
    return False


@rule(
    "no-labels",
    Severity.INFO,
    group="operations",
    summary="Neither the service nor its image build carries labels that identify it.",
    fix="add labels: to the service, or org.opencontainers.image.source, .version and "
    ".revision labels to the image build",
)
def no_labels(service: ServiceView) -> t.Iterator[Hit]:
    if service.config.get("labels"):
        return
    if _has_oci_label((service.build or {}).get("labels")):
        return
    if any(OCI_LABEL_PREFIX in item.body for item in service.image_instructions("LABEL")):
        return
    message = (
        "no labels are set on the service, and its image has no org.opencontainers.image labels"
    )
    yield Hit(message)
