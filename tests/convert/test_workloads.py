"""Workload kinds, restart policies, sidecar pods, commands and update strategies."""

from __future__ import annotations

import typing as t

import pytest

from kompile.errors import ConversionError
from tests.convert.conftest import Conversion, ConvertText

RESTART_CASE = """
services:
  web:    {image: "nginx:1.27", restart: unless-stopped}
  seed:   {image: "example/seed:1", restart: "no"}
  report: {image: "example/report:1", restart: "on-failure:3"}
"""


def job_named(result: Conversion, prefix: str) -> dict[str, t.Any]:
    jobs = [job for job in result.of_kind("Job") if job["metadata"]["name"].startswith(prefix)]
    assert len(jobs) == 1
    return jobs[0]


def test_restart_always_is_deployment(convert_text: ConvertText) -> None:
    result = convert_text(RESTART_CASE)
    pod = result.pod("Deployment", "web")
    assert pod.get("restartPolicy", "Always") == "Always"


def test_restart_no_is_job(convert_text: ConvertText) -> None:
    result = convert_text(RESTART_CASE)
    job = job_named(result, "seed-")
    assert job["spec"]["backoffLimit"] == 0
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert result.warned("'seed'", "restart", "Job")


def test_on_failure_is_job_with_limit(convert_text: ConvertText) -> None:
    result = convert_text(RESTART_CASE)
    job = job_named(result, "report-")
    assert job["spec"]["backoffLimit"] == 3
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"


def test_no_bare_pods(convert_text: ConvertText) -> None:
    result = convert_text(RESTART_CASE)
    assert result.of_kind("Pod") == []
    assert [d["metadata"]["name"] for d in result.of_kind("Deployment")] == ["web"]


def test_job_name_follows_template(convert_text: ConvertText) -> None:
    first = job_named(convert_text(RESTART_CASE), "seed-")["metadata"]["name"]
    again = job_named(convert_text(RESTART_CASE), "seed-")["metadata"]["name"]
    changed = RESTART_CASE.replace("example/seed:1", "example/seed:2")
    renamed = job_named(convert_text(changed), "seed-")["metadata"]["name"]
    assert first == again
    assert renamed != first


def test_run_once_with_ports_stays_deployment(convert_text: ConvertText) -> None:
    text = """
services:
  api: {image: api:1, restart: "no", ports: ["8080:8080"]}
"""
    result = convert_text(text)
    assert result.of_kind("Job") == []
    assert result.get("Deployment", "api")
    assert result.warned("'api'", "restart", "always restarts")


def test_deploy_restart_policy(convert_text: ConvertText) -> None:
    text = """
services:
  task:
    image: task:1
    deploy: {restart_policy: {condition: on-failure, max_attempts: 2, delay: 5s}}
"""
    result = convert_text(text)
    assert job_named(result, "task-")["spec"]["backoffLimit"] == 2
    assert result.warned("'task'", "restart_policy.delay")


def test_workload_choice_overrides_restart(convert_text: ConvertText) -> None:
    text = """
services:
  worker: {image: w:1, restart: "no", x-kompile: {workload: deployment}}
"""
    result = convert_text(text)
    assert result.get("Deployment", "worker")
    assert result.warnings == []


def test_global_mode_is_daemonset(convert_text: ConvertText) -> None:
    text = """
services:
  agent: {image: agent:1, deploy: {mode: global}}
"""
    spec = convert_text(text).get("DaemonSet", "agent")["spec"]
    assert "replicas" not in spec


def test_cronjob_from_schedule(convert_text: ConvertText) -> None:
    text = """
services:
  backup:
    image: backup:1
    x-kompile: {schedule: "0 3 * * *", concurrency-policy: Forbid, backoff-limit: 2}
"""
    spec = convert_text(text).get("CronJob", "backup")["spec"]
    assert spec["schedule"] == "0 3 * * *"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["jobTemplate"]["spec"]["backoffLimit"] == 2


def test_kompose_cronjob_labels(convert_text: ConvertText) -> None:
    text = """
services:
  backup:
    image: backup:1
    labels:
      kompose.cronjob.schedule: "*/5 * * * *"
      kompose.cronjob.concurrency_policy: Replace
      kompose.cronjob.backoff_limit: "4"
"""
    spec = convert_text(text).get("CronJob", "backup")["spec"]
    assert spec["schedule"] == "*/5 * * * *"
    assert spec["concurrencyPolicy"] == "Replace"
    assert spec["jobTemplate"]["spec"]["backoffLimit"] == 4


def test_cronjob_without_schedule_rejected(convert_text: ConvertText) -> None:
    text = """
services:
  backup: {image: backup:1, x-kompile: {workload: cronjob}}
"""
    with pytest.raises(ConversionError, match="needs a schedule"):
        convert_text(text)


def test_unknown_workload_rejected(convert_text: ConvertText) -> None:
    text = """
services:
  backup: {image: backup:1, x-kompile: {workload: pod}}
"""
    with pytest.raises(ConversionError, match=r"x-kompile\.workload"):
        convert_text(text)


def test_statefulset_claim_templates(convert_text: ConvertText) -> None:
    text = """
services:
  db:
    image: postgres:16
    ports: ["5432:5432"]
    volumes: [pgdata:/var/lib/postgresql/data]
    labels: {kompose.controller.type: statefulset}
volumes: {pgdata: {}}
"""
    result = convert_text(text)
    spec = result.get("StatefulSet", "db")["spec"]
    assert spec["volumeClaimTemplates"][0]["metadata"]["name"] == "pgdata"
    assert "volumes" not in spec["template"]["spec"]
    assert spec["serviceName"] == "db-headless"
    assert result.get("Service", "db-headless")["spec"]["clusterIP"] == "None"
    assert result.of_kind("PersistentVolumeClaim") == []


def test_replicas_zero_kept(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1, deploy: {replicas: 0}}
"""
    assert convert_text(text).get("Deployment", "app")["spec"]["replicas"] == 0


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("start-first", {"maxSurge": 2, "maxUnavailable": 0}),
        ("stop-first", {"maxSurge": 0, "maxUnavailable": 2}),
    ],
)
def test_update_config(convert_text: ConvertText, order: str, expected: dict[str, int]) -> None:
    text = f"""
services:
  app: {{image: app:1, deploy: {{update_config: {{parallelism: 2, order: {order}}}}}}}
"""
    strategy = convert_text(text).get("Deployment", "app")["spec"]["strategy"]
    assert strategy["rollingUpdate"] == expected


def test_deploy_labels_on_workload(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1, deploy: {labels: {tier: backend, "bad key!": x}}}
"""
    result = convert_text(text)
    labels = result.get("Deployment", "app")["metadata"]["labels"]
    assert labels["tier"] == "backend"
    assert "bad key!" not in labels
    assert result.warned("'app'", "deploy.labels")


SIDECAR_CASE = """
services:
  vpn:
    image: example/vpn:1
    ports: ["8443:8443"]
  app:
    image: example/app:1
    network_mode: "service:vpn"
    ports: ["9000:9000"]
  metrics:
    image: example/metrics:1
    network_mode: host
  client:
    image: example/client:1
    depends_on: [app]
"""


def test_service_network_shares_pod(convert_text: ConvertText) -> None:
    result = convert_text(SIDECAR_CASE)
    containers = result.pod("Deployment", "vpn")["containers"]
    assert [container["name"] for container in containers] == ["vpn", "app"]
    assert "Deployment/app" not in result.names()
    assert "Service/app" not in result.names()


def test_sidecar_ports_move_to_owner_service(convert_text: ConvertText) -> None:
    result = convert_text(SIDECAR_CASE)
    ports = {port["port"] for port in result.get("Service", "vpn")["spec"]["ports"]}
    assert ports == {8443, 9000}
    assert result.warned("'app'", "network_mode", "vpn")


def test_sidecar_references_warn(convert_text: ConvertText) -> None:
    result = convert_text(SIDECAR_CASE)
    assert result.warned("'client'", "depends_on", "app runs in the pod of vpn")


def test_host_network_needs_opt_in(convert_text: ConvertText) -> None:
    result = convert_text(SIDECAR_CASE)
    assert "hostNetwork" not in result.pod("Deployment", "metrics")
    assert result.warned("'metrics'", "network_mode", "host-network")
    opted = SIDECAR_CASE.replace(
        "network_mode: host", "network_mode: host\n    x-kompile: {host-network: true}"
    )
    assert convert_text(opted).pod("Deployment", "metrics")["hostNetwork"] is True


def test_missing_network_service_rejected(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1, network_mode: "service:nowhere"}
"""
    with pytest.raises(ConversionError, match="network_mode"):
        convert_text(text)


COMMAND_CASE = """
services:
  gateway:
    image: example/gateway:1
    command: ["run", "-d", "-c", "/etc/gw/config.json"]
  tool:
    image: example/tool:1
    entrypoint: /usr/local/bin/tool --verbose
    command: serve --port "8 080"
  bare:
    image: example/bare:1
    entrypoint: []
    command: ["python", "app.py"]
  empty:
    image: example/empty:1
    entrypoint: []
"""


def test_command_becomes_args(convert_text: ConvertText) -> None:
    container = convert_text(COMMAND_CASE).container("Deployment", "gateway")
    assert "command" not in container
    assert container["args"] == ["run", "-d", "-c", "/etc/gw/config.json"]


def test_entrypoint_becomes_command(convert_text: ConvertText) -> None:
    container = convert_text(COMMAND_CASE).container("Deployment", "tool")
    assert container["command"] == ["/usr/local/bin/tool", "--verbose"]
    assert container["args"] == ["serve", "--port", "8 080"]


def test_empty_entrypoint_moves_command(convert_text: ConvertText) -> None:
    container = convert_text(COMMAND_CASE).container("Deployment", "bare")
    assert container["command"] == ["python", "app.py"]
    assert "args" not in container


def test_empty_entrypoint_alone_warns(convert_text: ConvertText) -> None:
    result = convert_text(COMMAND_CASE)
    assert "command" not in result.container("Deployment", "empty")
    assert result.warned("'empty'", "entrypoint")


def test_container_fields(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    working_dir: /srv
    tty: true
    stdin_open: true
    pull_policy: always
    container_name: my-app
    stop_grace_period: 1m30s
"""
    result = convert_text(text)
    container = result.container("Deployment", "app")
    assert container["workingDir"] == "/srv"
    assert container["tty"] is True
    assert container["stdin"] is True
    assert container["imagePullPolicy"] == "Always"
    assert result.pod("Deployment", "app")["terminationGracePeriodSeconds"] == 90
    assert result.warned("'app'", "container_name")
