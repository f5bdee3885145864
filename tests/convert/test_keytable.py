"""The conversion table: complete for the Compose specification, and in sync with docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kompile.convert.keytable import key_mappings, render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "conversion.md"

# Every service key of the Compose specification (compose-spec, services section).
COMPOSE_SERVICE_KEYS = (
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "deploy",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "label_file",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "network_mode",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "provider",
    "pull_policy",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
)
COMPOSE_DEPLOY_KEYS = (
    "endpoint_mode",
    "labels",
    "mode",
    "placement",
    "replicas",
    "resources",
    "restart_policy",
    "rollback_config",
    "update_config",
)
# Keys the Service, storage, config and secret mappers own; their modules add the rows.
HANDLED_BY_SERVICES_AND_STORAGE = frozenset(
    {
        "ports",
        "expose",
        "volumes",
        "volumes_from",
        "tmpfs",
        "configs",
        "secrets",
        "networks",
        "labels",
    }
)


def has_row(key: str, rows: set[str]) -> bool:
    return key in rows or any(row.startswith(f"{key}.") for row in rows)


@pytest.mark.parametrize("key", COMPOSE_SERVICE_KEYS)
def test_service_key_has_row(key: str) -> None:
    rows = {row.key for row in key_mappings()}
    covered = has_row(f"services.*.{key}", rows) or key in HANDLED_BY_SERVICES_AND_STORAGE
    assert covered, f"services.*.{key} has no row in the conversion table"


@pytest.mark.parametrize("key", COMPOSE_DEPLOY_KEYS)
def test_deploy_key_has_row(key: str) -> None:
    rows = {row.key for row in key_mappings()}
    assert has_row(f"services.*.deploy.{key}", rows)


def test_rows_are_unique() -> None:
    keys = [row.key for row in key_mappings()]
    assert len(keys) == len(set(keys))


def test_every_row_maps_or_explains() -> None:
    for row in key_mappings():
        assert row.kubernetes or row.note, row.key


def test_docs_are_current() -> None:
    assert DOC.read_text() == render_markdown(), (
        "docs/conversion.md is out of date; run python -m kompile.convert.keytable "
        "> docs/conversion.md"
    )
