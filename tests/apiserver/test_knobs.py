"""Test knobs of the double: injected faults, latency, the request log, simulated controllers,
and running it on its own with `python -m tests.apiserver`.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from tests.apiserver.rawhttp import APPLY, call
from tests.apiserver.server import ApiServer

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def test_fault_statuses_then_recovery(apiserver: ApiServer) -> None:
    apiserver.fail_next(2, method="GET", path=r"/configmaps$", status=503)
    first = call(apiserver.url, "GET", CONFIGMAPS)
    assert first.code == 503
    assert first.body["reason"] == "ServiceUnavailable"
    assert call(apiserver.url, "GET", CONFIGMAPS).code == 503
    assert call(apiserver.url, "GET", CONFIGMAPS).code == 200
    apiserver.fail_next(method="POST", status=500)
    failed = call(apiserver.url, "POST", CONFIGMAPS, {"metadata": {"name": "x"}})
    assert failed.code == 500
    assert failed.body["message"].startswith("Internal error occurred")
    assert call(apiserver.url, "GET", f"{CONFIGMAPS}/x").code == 404


def test_fault_too_many_requests_is_plain_text(apiserver: ApiServer) -> None:
    apiserver.fail_next(path="configmaps", status=429, retry_after=3)
    reply = call(apiserver.url, "GET", CONFIGMAPS)
    assert reply.code == 429
    assert reply.headers["Retry-After"] == "3"
    assert reply.body == "Too many requests, please try again later.\n"


def test_fault_drops_connection(apiserver: ApiServer) -> None:
    apiserver.fail_next(path="configmaps", drop=True)
    connection = http.client.HTTPConnection(apiserver.host, apiserver.port, timeout=5)
    connection.request("GET", CONFIGMAPS)
    try:
        connection.getresponse()
        raised = False
    except (http.client.RemoteDisconnected, ConnectionResetError):
        raised = True
    finally:
        connection.close()
    assert raised
    assert call(apiserver.url, "GET", CONFIGMAPS).code == 200


def test_latency_delays_responses(apiserver: ApiServer) -> None:
    apiserver.faults.latency = 0.2
    started = time.monotonic()
    call(apiserver.url, "GET", "/version")
    assert time.monotonic() - started >= 0.2


def test_request_log_records_requests(apiserver: ApiServer) -> None:
    apiserver.requests.clear()
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    call(apiserver.url, "PATCH", f"{CONFIGMAPS}/c?fieldManager=kompile&dryRun=All", body, APPLY)
    record = apiserver.requests.records[-1]
    assert record.method == "PATCH"
    assert record.path == f"{CONFIGMAPS}/c"
    assert record.params == {"fieldManager": ["kompile"], "dryRun": ["All"]}
    assert record.content_type == APPLY
    assert record.status == 201
    assert apiserver.requests.count("PATCH", "configmaps/c$") == 1


def workload(apiserver: ApiServer, kind: str, name: str) -> dict[str, Any]:
    plural = {"Deployment": "deployments", "StatefulSet": "statefulsets", "Job": "jobs"}[kind]
    group = "batch/v1" if kind == "Job" else "apps/v1"
    reply = call(apiserver.url, "GET", f"/apis/{group}/namespaces/default/{plural}/{name}")
    return dict(reply.body)


def wait_for(condition: Any, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def pod_template(restart: str = "Always") -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "w"}},
        "spec": {"restartPolicy": restart, "containers": [{"name": "w", "image": "w:1"}]},
    }


def apply_object(apiserver: ApiServer, path: str, body: dict[str, Any]) -> None:
    reply = call(apiserver.url, "PATCH", f"{path}?fieldManager=kompile", body, APPLY)
    assert reply.code in (200, 201), reply.body


def test_controllers_report_ready_workloads(apiserver: ApiServer) -> None:
    selector = {"matchLabels": {"app": "w"}}
    apply_object(
        apiserver,
        "/apis/apps/v1/namespaces/default/deployments/d",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {"replicas": 2, "selector": selector, "template": pod_template()},
        },
    )
    apply_object(
        apiserver,
        "/apis/apps/v1/namespaces/default/statefulsets/s",
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {"name": "s"},
            "spec": {"serviceName": "s", "selector": selector, "template": pod_template()},
        },
    )
    apply_object(
        apiserver,
        "/apis/batch/v1/namespaces/default/jobs/j",
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "j"},
            "spec": {"template": pod_template("Never")},
        },
    )
    wait_for(lambda: workload(apiserver, "Deployment", "d")["status"].get("readyReplicas") == 2)
    status = workload(apiserver, "Deployment", "d")["status"]
    assert status["observedGeneration"] == 1
    assert status["availableReplicas"] == 2
    assert status["updatedReplicas"] == 2
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "Available": "True",
        "Progressing": "True",
    }
    wait_for(lambda: workload(apiserver, "StatefulSet", "s")["status"].get("readyReplicas") == 1)
    wait_for(lambda: "completionTime" in workload(apiserver, "Job", "j")["status"])
    conditions = workload(apiserver, "Job", "j")["status"]["conditions"]
    assert {"Complete", "SuccessCriteriaMet"} == {c["type"] for c in conditions}


def test_controllers_keep_workload_unready(apiserver: ApiServer) -> None:
    apiserver.controllers.keep_unready("Deployment", "default", "d")
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "w"}}, "template": pod_template()},
    }
    apply_object(apiserver, "/apis/apps/v1/namespaces/default/deployments/d", body)
    wait_for(lambda: "observedGeneration" in workload(apiserver, "Deployment", "d")["status"])
    status = workload(apiserver, "Deployment", "d")["status"]
    assert "readyReplicas" not in status
    assert status["unavailableReplicas"] == 1
    apiserver.controllers.release("Deployment", "default", "d")
    wait_for(lambda: workload(apiserver, "Deployment", "d")["status"].get("readyReplicas") == 1)


def test_module_serves_and_writes_kubeconfig(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig.yaml"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.apiserver", "--port", "0", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        config = yaml.safe_load(kubeconfig.read_text())
        assert config["clusters"][0]["cluster"]["server"] == url
        assert call(url, "GET", "/version").code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == 0
