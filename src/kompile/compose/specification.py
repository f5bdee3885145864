"""The keys of the Compose specification and what each one accepts.

Written for kompile from the Compose specification's reference pages and checked against
Docker Compose v2.40.3; see `kompile.compose.schema` for how the table is applied.
"""

from __future__ import annotations

import typing as t

from kompile.compose.schema import (
    ANY,
    BOOL,
    COMMAND,
    COUNT,
    INT,
    LIST_OR_DICT,
    NULL,
    NUM,
    SCALAR,
    STR,
    STR_OR_INT,
    STR_OR_STRINGS,
    STRINGS,
    Choice,
    Context,
    ListOf,
    Locate,
    MapOf,
    Obj,
    OneOf,
    Spec,
)
from kompile.diagnostics import Diagnostics

NUM_OR_STR = OneOf((NUM, STR))
BYTES = SCALAR
DURATION = STR
EXTRA_HOSTS = OneOf((MapOf(OneOf((STR, STRINGS))), STRINGS))
DEPENDENCY_CONDITION = Choice(
    ("service_started", "service_healthy", "service_completed_successfully")
)
ULIMITS = MapOf(OneOf((INT, Obj({"soft": INT, "hard": INT}, required=("soft", "hard")))))

BUILD = OneOf(
    (
        STR,
        Obj(
            {
                "context": STR,
                "dockerfile": STR,
                "dockerfile_inline": STR,
                "entitlements": STRINGS,
                "args": LIST_OR_DICT,
                "ssh": LIST_OR_DICT,
                "labels": LIST_OR_DICT,
                "cache_from": STRINGS,
                "cache_to": STRINGS,
                "no_cache": BOOL,
                "additional_contexts": LIST_OR_DICT,
                "network": STR,
                "provenance": OneOf((STR, BOOL)),
                "sbom": OneOf((STR, BOOL)),
                "pull": BOOL,
                "target": STR,
                "shm_size": BYTES,
                "extra_hosts": EXTRA_HOSTS,
                "isolation": STR,
                "privileged": BOOL,
                "secrets": ANY,
                "tags": STRINGS,
                "ulimits": ULIMITS,
                "platforms": STRINGS,
            }
        ),
    )
)

HEALTHCHECK = Obj(
    {
        "disable": BOOL,
        "interval": DURATION,
        "retries": NUM,
        "test": STR_OR_STRINGS,
        "timeout": DURATION,
        "start_period": DURATION,
        "start_interval": DURATION,
    }
)

_RESOURCE = Obj(
    {
        "cpus": NUM_OR_STR,
        "memory": BYTES,
        "pids": INT,
        "devices": ListOf(
            Obj(
                {
                    "capabilities": STRINGS,
                    "count": OneOf((STR, INT)),
                    "device_ids": STRINGS,
                    "driver": STR,
                    "options": LIST_OR_DICT,
                }
            )
        ),
        "generic_resources": ListOf(ANY),
    }
)

_UPDATE = Obj(
    {
        "parallelism": INT,
        "delay": DURATION,
        "failure_action": STR,
        "monitor": DURATION,
        "max_failure_ratio": NUM,
        "order": STR,
    }
)

DEPLOY = OneOf(
    (
        NULL,
        Obj(
            {
                "mode": STR,
                "endpoint_mode": STR,
                "replicas": COUNT,
                "labels": LIST_OR_DICT,
                "rollback_config": _UPDATE,
                "update_config": _UPDATE,
                "resources": Obj({"limits": _RESOURCE, "reservations": _RESOURCE}),
                "restart_policy": Obj(
                    {
                        "condition": STR,
                        "delay": DURATION,
                        "max_attempts": INT,
                        "window": DURATION,
                    }
                ),
                "placement": Obj(
                    {
                        "constraints": STRINGS,
                        "preferences": ListOf(Obj({"spread": STR})),
                        "max_replicas_per_node": INT,
                    }
                ),
            }
        ),
    )
)

PORT = OneOf(
    (
        NUM,
        STR,
        Obj(
            {
                "name": STR,
                "mode": STR,
                "host_ip": STR,
                "target": STR_OR_INT,
                "published": STR_OR_INT,
                "protocol": STR,
                "app_protocol": STR,
            }
        ),
    )
)

SERVICE_VOLUME = OneOf(
    (
        STR,
        Obj(
            {
                "type": STR,
                "source": STR,
                "target": STR,
                "read_only": BOOL,
                "consistency": STR,
                "bind": Obj(
                    {
                        "propagation": STR,
                        "create_host_path": BOOL,
                        "recursive": STR,
                        "selinux": STR,
                    }
                ),
                "volume": Obj({"nocopy": BOOL, "subpath": STR}),
                "tmpfs": Obj({"size": OneOf((INT, STR)), "mode": NUM}),
                "image": Obj({"subpath": STR}),
            },
            required=("type",),
        ),
    )
)

FILE_REFERENCE = OneOf(
    (STR, Obj({"source": STR, "target": STR, "uid": STR, "gid": STR, "mode": NUM_OR_STR}))
)

SERVICE_NETWORKS = OneOf(
    (
        STRINGS,
        MapOf(
            OneOf(
                (
                    NULL,
                    Obj(
                        {
                            "aliases": STRINGS,
                            "interface_name": STR,
                            "ipv4_address": STR,
                            "ipv6_address": STR,
                            "link_local_ips": STRINGS,
                            "mac_address": STR,
                            "driver_opts": MapOf(NUM_OR_STR),
                            "priority": NUM,
                            "gw_priority": NUM,
                        }
                    ),
                )
            )
        ),
    )
)

DEPENDS_ON = OneOf(
    (
        STRINGS,
        MapOf(
            Obj(
                {"condition": DEPENDENCY_CONDITION, "restart": BOOL, "required": BOOL},
                extensible=False,
                required=("condition",),
            )
        ),
    )
)

ENV_FILE = OneOf(
    (
        STR,
        ListOf(
            OneOf((STR, Obj({"path": STR, "required": BOOL, "format": STR}, required=("path",))))
        ),
    )
)

EXTENDS = OneOf((STR, Obj({"service": STR, "file": STR}, required=("service",))))

LOGGING = Obj({"driver": STR, "options": MapOf(OneOf((STR, NUM, NULL)))})

SERVICE_KEYS: dict[str, Spec] = {
    "annotations": LIST_OR_DICT,
    "attach": BOOL,
    "blkio_config": ANY,
    "build": BUILD,
    "cap_add": STRINGS,
    "cap_drop": STRINGS,
    "cgroup": STR,
    "cgroup_parent": STR,
    "command": COMMAND,
    "configs": ListOf(FILE_REFERENCE),
    "container_name": STR,
    "cpu_count": INT,
    "cpu_percent": INT,
    "cpu_period": NUM_OR_STR,
    "cpu_quota": NUM_OR_STR,
    "cpu_rt_period": NUM_OR_STR,
    "cpu_rt_runtime": NUM_OR_STR,
    "cpu_shares": NUM_OR_STR,
    "cpus": NUM_OR_STR,
    "cpuset": STR,
    "credential_spec": ANY,
    "depends_on": DEPENDS_ON,
    "deploy": DEPLOY,
    "develop": ANY,
    "device_cgroup_rules": STRINGS,
    "devices": ListOf(OneOf((STR, Obj({"source": STR, "target": STR, "permissions": STR})))),
    "dns": STR_OR_STRINGS,
    "dns_opt": STRINGS,
    "dns_search": STR_OR_STRINGS,
    "domainname": STR,
    "entrypoint": COMMAND,
    "env_file": ENV_FILE,
    "label_file": STR_OR_STRINGS,
    "environment": LIST_OR_DICT,
    "expose": ListOf(OneOf((STR, NUM))),
    "extends": EXTENDS,
    "external_links": STRINGS,
    "extra_hosts": EXTRA_HOSTS,
    "gpus": ANY,
    "group_add": ListOf(OneOf((STR, NUM))),
    "healthcheck": HEALTHCHECK,
    "hostname": STR,
    "image": STR,
    "init": BOOL,
    "ipc": STR,
    "isolation": STR,
    "labels": LIST_OR_DICT,
    "links": STRINGS,
    "logging": LOGGING,
    "mac_address": STR,
    "mem_limit": BYTES,
    "mem_reservation": BYTES,
    "mem_swappiness": INT,
    "memswap_limit": BYTES,
    "models": ANY,
    "network_mode": STR,
    "networks": SERVICE_NETWORKS,
    "oom_kill_disable": BOOL,
    "oom_score_adj": INT,
    "pid": OneOf((STR, NULL)),
    "pids_limit": NUM_OR_STR,
    "platform": STR,
    "ports": ListOf(PORT),
    "post_start": ListOf(ANY),
    "pre_stop": ListOf(ANY),
    "privileged": BOOL,
    "profiles": STRINGS,
    "provider": ANY,
    "pull_policy": STR,
    "pull_refresh_after": STR,
    "read_only": BOOL,
    "restart": STR,
    "runtime": STR,
    "scale": INT,
    "secrets": ListOf(FILE_REFERENCE),
    "security_opt": STRINGS,
    "shm_size": BYTES,
    "stdin_open": BOOL,
    "stop_grace_period": DURATION,
    "stop_signal": STR,
    "storage_opt": MapOf(ANY),
    "sysctls": LIST_OR_DICT,
    "tmpfs": STR_OR_STRINGS,
    "tty": BOOL,
    "ulimits": ULIMITS,
    "use_api_socket": BOOL,
    "user": STR,
    "userns_mode": STR,
    "uts": STR,
    "volumes": ListOf(SERVICE_VOLUME),
    "volumes_from": STRINGS,
    "working_dir": STR,
}

SERVICE = Obj(SERVICE_KEYS, lenient=True)

_EXTERNAL = OneOf((BOOL, Obj({"name": STR}, extensible=False)))

NETWORK = OneOf(
    (
        NULL,
        Obj(
            {
                "name": STR,
                "driver": STR,
                "driver_opts": MapOf(NUM_OR_STR),
                "ipam": Obj(
                    {
                        "driver": STR,
                        "config": ListOf(
                            Obj(
                                {
                                    "subnet": STR,
                                    "ip_range": STR,
                                    "gateway": STR,
                                    "aux_addresses": MapOf(STR),
                                }
                            )
                        ),
                        "options": MapOf(STR),
                    }
                ),
                "external": _EXTERNAL,
                "internal": BOOL,
                "enable_ipv4": BOOL,
                "enable_ipv6": BOOL,
                "attachable": BOOL,
                "labels": LIST_OR_DICT,
            }
        ),
    )
)

VOLUME = OneOf(
    (
        NULL,
        Obj(
            {
                "name": STR,
                "driver": STR,
                "driver_opts": MapOf(NUM_OR_STR),
                "external": _EXTERNAL,
                "labels": LIST_OR_DICT,
            }
        ),
    )
)

_FILE_OBJECT_KEYS: dict[str, Spec] = {
    "name": STR,
    "file": STR,
    "environment": STR,
    "external": _EXTERNAL,
    "labels": LIST_OR_DICT,
    "driver": STR,
    "driver_opts": MapOf(NUM_OR_STR),
    "template_driver": STR,
}
SECRET = Obj(_FILE_OBJECT_KEYS)
CONFIG = Obj({**_FILE_OBJECT_KEYS, "content": STR})

INCLUDE = ListOf(
    OneOf(
        (
            STR,
            Obj(
                {
                    "path": STR_OR_STRINGS,
                    "env_file": STR_OR_STRINGS,
                    "project_directory": STR,
                },
                required=("path",),
            ),
        )
    )
)

_SECTION_NAME = r"[a-zA-Z0-9._-]+"

DOCUMENT = Obj(
    {
        "version": STR,
        "name": STR,
        "include": INCLUDE,
        "services": OneOf((NULL, MapOf(SERVICE, key_pattern=_SECTION_NAME))),
        "networks": OneOf((NULL, MapOf(NETWORK, key_pattern=_SECTION_NAME))),
        "volumes": OneOf((NULL, MapOf(VOLUME, key_pattern=_SECTION_NAME))),
        "secrets": OneOf((NULL, MapOf(SECRET, key_pattern=_SECTION_NAME))),
        "configs": OneOf((NULL, MapOf(CONFIG, key_pattern=_SECTION_NAME))),
        "models": ANY,
    }
)


def validate_document(document: t.Any, locate: Locate, diagnostics: Diagnostics) -> t.Any:
    """Check one interpolated compose file and return it with strings converted where a
    number or boolean is expected; raises `ComposeError` at the first invalid value."""
    return DOCUMENT.check(document, (), Context(locate, diagnostics))
