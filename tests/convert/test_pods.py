"""Pod-level fields: host names, DNS, host aliases, placement and unmappable keys."""

from __future__ import annotations

from kompile.convert import unmapped
from tests.convert.conftest import ConvertText


def test_hosts_and_dns(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    hostname: app1
    domainname: internal
    extra_hosts: ["db.local:10.0.0.5", "cache.local=10.0.0.5", "api.local:10.0.0.6"]
    dns: [10.0.0.2]
    dns_search: example.com
    dns_opt: ["ndots:2", rotate]
"""
    pod = convert_text(text).pod("Deployment", "app")
    assert pod["hostname"] == "app1"
    assert pod["subdomain"] == "internal"
    assert pod["hostAliases"] == [
        {"ip": "10.0.0.5", "hostnames": ["db.local", "cache.local"]},
        {"ip": "10.0.0.6", "hostnames": ["api.local"]},
    ]
    assert pod["dnsConfig"] == {
        "nameservers": ["10.0.0.2"],
        "searches": ["example.com"],
        "options": [{"name": "ndots", "value": "2"}, {"name": "rotate"}],
    }


def test_domain_with_dots_warns(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1, domainname: example.com}
"""
    result = convert_text(text)
    assert "subdomain" not in result.pod("Deployment", "app")
    assert result.warned("'app'", "domainname")


def test_placement(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    deploy:
      placement:
        constraints:
          - node.hostname == node-1
          - node.labels.zone != b
          - node.role == worker
          - engine.labels.os == linux
        preferences: [{spread: node.labels.zone}]
"""
    result = convert_text(text)
    pod = result.pod("Deployment", "app")
    assert pod["nodeSelector"] == {"kubernetes.io/hostname": "node-1"}
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "zone", "operator": "NotIn", "values": ["b"]},
        {"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"},
    ]
    assert pod["topologySpreadConstraints"][0]["topologyKey"] == "zone"
    assert result.warned("'app'", "constraints[3]")


def test_shm_size_mounts_memory_volume(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1, shm_size: 64m}
"""
    result = convert_text(text)
    volumes = result.pod("Deployment", "app")["volumes"]
    assert volumes == [{"name": "app-shm", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}]
    mounts = result.container("Deployment", "app")["volumeMounts"]
    assert mounts == [{"name": "app-shm", "mountPath": "/dev/shm"}]


# One value for each key that has no Kubernetes counterpart.
UNMAPPED = {
    "ulimits": "{nofile: {soft: 1024, hard: 2048}}",
    "cgroup_parent": "custom",
    "cgroup": "host",
    "logging": "{driver: syslog}",
    "links": "[other]",
    "external_links": "[legacy]",
    "devices": '["/dev/ttyUSB0:/dev/ttyUSB0"]',
    "device_cgroup_rules": '["c 1:3 mr"]',
    "blkio_config": "{weight: 300}",
    "cpu_count": "2",
    "cpu_percent": "50",
    "cpu_shares": "512",
    "cpu_rt_runtime": "400000",
    "cpu_rt_period": "1400",
    "cpuset": '"0-3"',
    "mem_swappiness": "60",
    "memswap_limit": "2g",
    "oom_kill_disable": "true",
    "oom_score_adj": "100",
    "pids_limit": "100",
    "init": "true",
    "stop_signal": "SIGUSR1",
    "isolation": "process",
    "runtime": "runc",
    "storage_opt": "{size: 1G}",
    "userns_mode": "host",
    "uts": "host",
    "mac_address": "02:42:ac:11:65:43",
    "credential_spec": "{file: spec.json}",
    "gpus": "all",
    "use_api_socket": "true",
    "models": "[llm]",
    "provider": "{type: model}",
    "post_start": "[{command: [echo, hi]}]",
    "pre_stop": "[{command: [echo, bye]}]",
}


def test_unmappable_table_is_exercised() -> None:
    assert set(UNMAPPED) == set(unmapped.REASONS)


def test_every_unmappable_key_warns(convert_text: ConvertText) -> None:
    keys = "\n".join(f"    {key}: {value}" for key, value in UNMAPPED.items())
    text = f"""
services:
  other: {{image: other:1}}
  app:
    image: app:1
{keys}
    deploy:
      rollback_config: {{parallelism: 1}}
      endpoint_mode: dnsrr
"""
    result = convert_text(text)
    for key in UNMAPPED:
        assert result.warned("'app'", f", {key}:"), key
    assert result.warned("'app'", "deploy.rollback_config")
    assert result.warned("'app'", "deploy.endpoint_mode")
