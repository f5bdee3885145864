"""apply and diff against a misbehaving API server: nothing lost, nothing half-reported.

The API test double's knobs break the cluster in the ways real ones break: 500 and 503
storms longer than kompile's retries, throttling with Retry-After, dropped connections,
responses slower than ``--request-timeout``, a field conflict in the middle of an apply,
401 and 403 responses. In every case:

- apply retries only what a retry can outlive, and at most `DEFAULT_ATTEMPTS` times;
- it reports each object as applied, failed or not applied, exits 2, and never prunes;
- a clean rerun afterwards applies everything;
- diff exits 2 with nothing on stdout, so no partial diff passes for a complete one.

The retry sleeps are recorded instead of slept, so no test waits for a backoff.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from kompile.cluster import client
from tests.apiserver.plugin import Cluster
from tests.apiserver.server import ApiServer
from tests.cluster.helpers import LAMP, LAMP_TEXT, apply_as, get, kompile, write_project

ATTEMPTS = client.DEFAULT_ATTEMPTS
LAMP_IN_ORDER = [
    ("Secret", "db-env"),
    ("Secret", "web-env"),
    ("PersistentVolumeClaim", "app"),
    ("PersistentVolumeClaim", "db"),
    ("Service", "db"),
    ("Service", "web"),
    ("Deployment", "db"),
    ("Deployment", "web"),
]


@pytest.fixture
def server(cluster: Cluster) -> ApiServer:
    if cluster.server is None:
        pytest.skip("needs the fault knobs of the API test double")
    return cluster.server


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the retry delays of the cluster client instead of sleeping them."""
    recorded: list[float] = []
    # Only the client's view of the time module changes; the server still sleeps.
    monkeypatch.setattr(client, "time", SimpleNamespace(sleep=recorded.append))
    return recorded


def apply_json(cluster: Cluster, *args: str) -> tuple[int, dict[str, t.Any], str]:
    """Run ``kompile apply -o json`` and return its exit code, report and stderr."""
    result = kompile(cluster, "apply", "-q", "-o", "json", *args)
    return result.exit_code, json.loads(result.stdout), result.stderr


def error_of(report: dict[str, t.Any], kind: str, name: str) -> str:
    for item in report["objects"]:
        if (item["kind"], item["name"]) == (kind, name):
            return str(item.get("error", ""))
    raise AssertionError(f"{kind}/{name} is not in the report")


def actions(report: dict[str, t.Any]) -> dict[tuple[str, str], str]:
    found = {(item["kind"], item["name"]): item["action"] for item in report["objects"]}
    found.update({(item["kind"], item["name"]): "not applied" for item in report["notApplied"]})
    return found


def pruning_project(tmp_path: Path) -> Path:
    """Return the LAMP stack without its db service, after applying the full stack."""
    data = yaml.safe_load(LAMP_TEXT)
    del data["services"]["db"]
    del data["services"]["web"]["depends_on"]
    return write_project(tmp_path / "lamp-stack", yaml.safe_dump(data))


def applied_full_stack(cluster: Cluster, tmp_path: Path) -> None:
    project = write_project(tmp_path / "lamp-stack", LAMP_TEXT)
    result = kompile(cluster, "apply", "-q", "-f", str(project))
    assert result.exit_code == 0, result.output


def armed_after_full_stack(
    cluster: Cluster, server: ApiServer, tmp_path: Path, **fault: t.Any
) -> Path:
    """Apply the full stack, clear the request log, arm ``fault`` and return the
    project without db, whose prune would delete db's objects."""
    applied_full_stack(cluster, tmp_path)
    server.requests.clear()
    server.fail_next(50, **fault)
    return pruning_project(tmp_path)


def test_server_error_storm_stops_at_retry_bound(
    cluster: Cluster, server: ApiServer, sleeps: list[float]
) -> None:
    server.fail_next(50, method="PATCH", path="/secrets/web-env$", status=503)
    code, report, stderr = apply_json(cluster, "-f", str(LAMP))
    assert code == 2
    assert server.requests.count("PATCH", "/secrets/web-env$") == ATTEMPTS
    assert len(sleeps) == ATTEMPTS - 1
    assert actions(report) == {
        ("Secret", "db-env"): "created",
        ("Secret", "web-env"): "failed",
        **{key: "not applied" for key in LAMP_IN_ORDER[2:]},
    }
    assert report["succeeded"] is False
    assert "secret/web-env" in stderr
    assert get(cluster, "secret", "db-env") is not None
    assert get(cluster, "persistentvolumeclaim", "app") is None


def test_rerun_after_storm_applies_everything(
    cluster: Cluster, server: ApiServer, sleeps: list[float]
) -> None:
    server.fail_next(50, method="PATCH", path="/services/web$", status=500)
    assert kompile(cluster, "apply", "-q", "-f", str(LAMP)).exit_code == 2
    server.faults.clear()
    code, report, _ = apply_json(cluster, "-f", str(LAMP))
    assert code == 0
    assert set(actions(report)) == set(LAMP_IN_ORDER)
    assert actions(report)[("Deployment", "web")] == "created"
    assert actions(report)[("Secret", "db-env")] == "unchanged"


def test_storm_during_live_listing_applies_nothing(
    cluster: Cluster, server: ApiServer, sleeps: list[float], tmp_path: Path
) -> None:
    project = armed_after_full_stack(
        cluster, server, tmp_path, method="GET", path="/deployments$", status=503
    )
    result = kompile(cluster, "apply", "-q", "--prune", "-f", str(project))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert server.requests.count("GET", "/deployments$") == ATTEMPTS
    assert server.requests.count("PATCH") == 0
    assert server.requests.count("DELETE") == 0
    assert get(cluster, "deployment", "db") is not None


def test_throttling_waits_retry_after(
    cluster: Cluster, server: ApiServer, sleeps: list[float]
) -> None:
    server.fail_next(2, method="PATCH", path="/deployments/db$", status=429, retry_after=7)
    code, report, _ = apply_json(cluster, "-f", str(LAMP))
    assert code == 0
    assert sleeps == [7.0, 7.0]
    assert actions(report)[("Deployment", "db")] == "created"


def test_throttling_retry_after_is_capped(
    cluster: Cluster, server: ApiServer, sleeps: list[float]
) -> None:
    server.fail_next(1, method="PATCH", path="/deployments/db$", status=429, retry_after=3600)
    code, _, _ = apply_json(cluster, "-f", str(LAMP))
    assert code == 0
    assert sleeps == [client.MAX_RETRY_AFTER]


def test_throttling_storm_fails_the_object(
    cluster: Cluster, server: ApiServer, sleeps: list[float]
) -> None:
    server.fail_next(50, method="PATCH", path="/deployments/db$", status=429, retry_after=1)
    code, report, stderr = apply_json(cluster, "-f", str(LAMP))
    assert code == 2
    assert server.requests.count("PATCH", "/deployments/db$") == ATTEMPTS
    assert actions(report)[("Deployment", "db")] == "failed"
    assert actions(report)[("Deployment", "web")] == "created"
    assert "429" in error_of(report, "Deployment", "db")
    assert "deployment.apps/db" in stderr


def test_dropped_connections_beyond_retries(
    cluster: Cluster, server: ApiServer, sleeps: list[float], tmp_path: Path
) -> None:
    project = armed_after_full_stack(
        cluster, server, tmp_path, method="PATCH", path="/persistentvolumeclaims/app$", drop=True
    )
    result = kompile(cluster, "apply", "-q", "--prune", "-f", str(project))
    assert result.exit_code == 2
    assert server.requests.count("PATCH", "/persistentvolumeclaims/app$") == ATTEMPTS
    assert "persistentvolumeclaim/app failed" in result.stderr
    assert "cannot reach the API server" in result.stderr
    assert "deployment.apps/web not applied" in result.stderr
    assert server.requests.count("DELETE") == 0
    assert get(cluster, "deployment", "db") is not None


def test_slow_server_times_out(cluster: Cluster, server: ApiServer) -> None:
    # kompile runs in a child process, because the double's request threads print errors
    # about the connections kompile closed, and in-process they would join its stderr.
    server.faults.latency = 1.0
    command = [
        sys.executable,
        "-m",
        "kompile",
        "apply",
        "-q",
        "--kubeconfig",
        str(cluster.kubeconfig),
        "-n",
        cluster.namespace,
        "--request-timeout",
        "0.2",
        "-f",
        str(LAMP),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    server.faults.latency = 0.0
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "timed out" in lines[0]
    assert get(cluster, "deployment", "web") is None


def test_request_timeout_must_be_positive(cluster: Cluster) -> None:
    result = kompile(cluster, "apply", "--request-timeout", "0", "-f", str(LAMP))
    assert result.exit_code == 2
    assert "--request-timeout" in result.stderr


def test_conflict_mid_apply_prunes_nothing(
    cluster: Cluster, server: ApiServer, tmp_path: Path
) -> None:
    applied_full_stack(cluster, tmp_path)

    intruder = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "web",
            "namespace": cluster.namespace,
            "labels": {"app.kubernetes.io/name": "someone-else"},
        },
    }
    apply_as(cluster, "intruder", intruder)

    server.requests.clear()
    code, report, stderr = apply_json(cluster, "--prune", "-f", str(pruning_project(tmp_path)))
    assert code == 2
    assert actions(report)[("Service", "web")] == "failed"
    assert actions(report)[("Deployment", "web")] == "not applied"
    assert "intruder" in error_of(report, "Service", "web")
    assert "service/web" in stderr
    assert server.requests.count("DELETE") == 0
    assert get(cluster, "deployment", "db") is not None
    assert get(cluster, "service", "db") is not None


def test_forbidden_kind_is_not_retried(
    cluster: Cluster, server: ApiServer, sleeps: list[float], tmp_path: Path
) -> None:
    project = armed_after_full_stack(
        cluster, server, tmp_path, method="PATCH", path="/persistentvolumeclaims/", status=403
    )
    code, report, stderr = apply_json(cluster, "--prune", "-f", str(project))
    assert code == 2
    assert server.requests.count("PATCH", "/persistentvolumeclaims/") == 1
    assert sleeps == []
    assert actions(report)[("PersistentVolumeClaim", "app")] == "failed"
    assert actions(report)[("Deployment", "web")] == "not applied"
    assert "forbidden" in error_of(report, "PersistentVolumeClaim", "app")
    assert "persistentvolumeclaim/app" in stderr
    assert server.requests.count("DELETE") == 0


def test_unauthorized_is_one_line(cluster: Cluster, server: ApiServer, sleeps: list[float]) -> None:
    server.fail_next(50, path="/", status=401)
    result = kompile(cluster, "apply", "-q", "-f", str(LAMP))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Unauthorized" in lines[0]
    assert sleeps == []


def test_failed_prune_delete_stops_pruning(
    cluster: Cluster, server: ApiServer, sleeps: list[float], tmp_path: Path
) -> None:
    project = armed_after_full_stack(
        cluster, server, tmp_path, method="DELETE", path="/deployments/db$", status=503
    )
    code, report, stderr = apply_json(cluster, "--prune", "-f", str(project))
    assert code == 2
    assert actions(report)[("Deployment", "db")] == "failed"
    assert {(item["kind"], item["name"]) for item in report["kept"]} == {
        ("Service", "db"),
        ("Secret", "db-env"),
        ("PersistentVolumeClaim", "db"),
    }
    assert server.requests.count("DELETE") == ATTEMPTS
    assert get(cluster, "service", "db") is not None
    assert "deployment.apps/db" in stderr
    assert get(cluster, "deployment", "db") is not None


@pytest.mark.parametrize(
    "fault",
    [
        {"method": "PATCH", "path": "/deployments/web$", "status": 503},
        {"method": "PATCH", "path": "/deployments/web$", "status": 429},
        {"method": "PATCH", "path": "/deployments/web$", "drop": True},
        {"method": "PATCH", "path": "/services/", "status": 403},
        {"method": "GET", "path": "/secrets$", "status": 500},
        {"path": "/", "status": 401},
    ],
    ids=["503-storm", "429-storm", "dropped", "403-kind", "500-list", "401"],
)
def test_diff_prints_no_partial_diff(
    cluster: Cluster,
    server: ApiServer,
    sleeps: list[float],
    tmp_path: Path,
    fault: dict[str, t.Any],
) -> None:
    applied_full_stack(cluster, tmp_path)
    changed = write_project(
        tmp_path / "lamp-stack", LAMP_TEXT.replace("my-lamp-stack:latest", "my-lamp-stack:2.0")
    )
    server.fail_next(50, **fault)
    for output in ("text", "json"):
        result = kompile(cluster, "diff", "-q", "-o", output, "-f", str(changed))
        assert result.exit_code == 2, output
        assert result.stdout == "", output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_diff_times_out_cleanly(cluster: Cluster, server: ApiServer, sleeps: list[float]) -> None:
    server.faults.latency = 1.0
    result = kompile(cluster, "diff", "-q", "--request-timeout", "0.2", "-f", str(LAMP))
    server.faults.latency = 0.0
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "timed out" in result.stderr
