"""kompile apply against the API test double, or a real cluster when one is configured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kompile.cli import cli
from tests.apiserver.plugin import Cluster
from tests.cluster.helpers import LAMP, LAMP_TEXT, apply_as, get, kompile, write_project

LAMP_OBJECTS = [
    "secret/db-env",
    "secret/web-env",
    "persistentvolumeclaim/app",
    "persistentvolumeclaim/db",
    "service/db",
    "service/web",
    "deployment.apps/db",
    "deployment.apps/web",
]


def double_only(cluster: Cluster) -> None:
    if cluster.is_real:
        pytest.skip("needs the fault knobs of the API test double")


def lines_with(output: str, action: str) -> list[str]:
    return sorted(line.split()[0] for line in output.splitlines() if line.endswith(f" {action}"))


def test_apply_creates_in_kind_order(cluster: Cluster) -> None:
    result = kompile(cluster, "apply", "-q", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == LAMP_OBJECTS
    assert lines_with(result.stdout, "created") == sorted(LAMP_OBJECTS)
    deployment = get(cluster, "deployment", "web")
    assert (
        deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "my-lamp-stack:latest"
    )


def test_second_apply_changes_nothing(cluster: Cluster) -> None:
    double_only(cluster)
    assert cluster.server is not None
    # Controllers write status, which moves the resourceVersion without any apply.
    cluster.server.controllers.stop()
    assert kompile(cluster, "apply", "-q", "-f", str(LAMP)).exit_code == 0
    before = {
        name: get(cluster, *name.split("/"))["metadata"]["resourceVersion"] for name in LAMP_OBJECTS
    }
    result = kompile(cluster, "apply", "-q", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert lines_with(result.stdout, "unchanged") == sorted(LAMP_OBJECTS)
    after = {
        name: get(cluster, *name.split("/"))["metadata"]["resourceVersion"] for name in LAMP_OBJECTS
    }
    assert after == before


def test_changed_image_configures_one_object(cluster: Cluster, tmp_path: Path) -> None:
    assert kompile(cluster, "apply", "-q", "-f", str(LAMP)).exit_code == 0
    changed = write_project(
        tmp_path / "lamp-stack", LAMP_TEXT.replace("my-lamp-stack:latest", "my-lamp-stack:2.0")
    )
    result = kompile(cluster, "apply", "-q", "-f", str(changed))
    assert result.exit_code == 0, result.output
    assert lines_with(result.stdout, "configured") == ["deployment.apps/web"]
    image = get(cluster, "deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "my-lamp-stack:2.0"


def test_prune_removes_dropped_service(cluster: Cluster, tmp_path: Path) -> None:
    first = write_project(
        tmp_path / "shop",
        "services:\n"
        "  web:\n"
        "    image: nginx:1.27\n"
        "    ports: ['80:80']\n"
        "    environment: {API_TOKEN: t0k3n-value}\n"
        "  cache:\n"
        "    image: redis:7\n"
        "    volumes: [data:/data]\n"
        "volumes:\n"
        "  data: {}\n",
    )
    assert kompile(cluster, "apply", "-q", "-f", str(first)).exit_code == 0
    second = write_project(
        tmp_path / "shop", "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n"
    )
    result = kompile(cluster, "apply", "-q", "--prune", "-f", str(second))
    assert result.exit_code == 0, result.output
    assert lines_with(result.stdout, "pruned") == [
        "deployment.apps/cache",
        "secret/web-env",
        "service/cache",
    ]
    assert "persistentvolumeclaim/data kept" in result.stdout
    assert get(cluster, "deployment", "cache") is None
    assert get(cluster, "pvc", "data") is not None
    result = kompile(cluster, "apply", "-q", "--prune", "--prune-volumes", "-f", str(second))
    assert lines_with(result.stdout, "pruned") == ["persistentvolumeclaim/data"]
    assert get(cluster, "pvc", "data") is None


def test_prune_leaves_other_projects(cluster: Cluster, tmp_path: Path) -> None:
    other = write_project(tmp_path / "other", "services:\n  api:\n    image: nginx:1.27\n")
    assert kompile(cluster, "apply", "-q", "-f", str(other)).exit_code == 0
    result = kompile(cluster, "apply", "-q", "--prune", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert lines_with(result.stdout, "pruned") == []
    assert get(cluster, "deployment", "api") is not None


def test_conflict_names_field_and_manager(cluster: Cluster, tmp_path: Path) -> None:
    assert kompile(cluster, "apply", "-q", "-f", str(LAMP)).exit_code == 0
    intruder = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": cluster.namespace},
        "spec": {"replicas": 5},
    }
    apply_as(cluster, "intruder", intruder)
    result = kompile(cluster, "apply", "-q", "-f", str(LAMP))
    assert result.exit_code == 2
    assert ".spec.replicas" in result.stderr
    assert "intruder" in result.stderr
    assert "now 5" in result.stderr
    assert "--force-conflicts" in result.stderr
    assert get(cluster, "deployment", "web")["spec"]["replicas"] == 5
    forced = kompile(cluster, "apply", "-q", "--force-conflicts", "-f", str(LAMP))
    assert forced.exit_code == 0, forced.output
    live = get(cluster, "deployment", "web")
    assert live["spec"]["replicas"] == 1
    managers = {entry["manager"] for entry in live["metadata"]["managedFields"]}
    assert "kompile" in managers


def test_changed_selector_needs_recreate(cluster: Cluster, tmp_path: Path) -> None:
    out = tmp_path / "k8s"
    runner = CliRunner()
    assert runner.invoke(cli, ["convert", "-q", "-f", str(LAMP), "-o", str(out)]).exit_code == 0
    assert kompile(cluster, "apply", "-q", "-f", str(out)).exit_code == 0
    path = out / "web-deployment.yaml"
    deployment = yaml.safe_load(path.read_text())
    deployment["spec"]["selector"]["matchLabels"]["tier"] = "front"
    deployment["spec"]["template"]["metadata"]["labels"]["tier"] = "front"
    path.write_text(yaml.safe_dump(deployment))
    result = kompile(cluster, "apply", "-q", "-f", str(out))
    assert result.exit_code == 2
    assert "spec.selector" in result.stderr
    assert "--recreate" in result.stderr
    replaced = kompile(cluster, "apply", "-q", "--recreate", "-f", str(out))
    assert replaced.exit_code == 0, replaced.output
    assert lines_with(replaced.stdout, "replaced") == ["deployment.apps/web"]
    live = get(cluster, "deployment", "web")
    assert live["spec"]["selector"]["matchLabels"]["tier"] == "front"


def test_missing_namespace_is_an_error(cluster: Cluster) -> None:
    result = kompile(cluster, "apply", "-q", "-f", str(LAMP), namespace=f"{cluster.namespace}-x")
    assert result.exit_code == 2
    assert "not found" in result.stderr
    assert "--create-namespace" in result.stderr


def test_create_namespace_comes_first(cluster: Cluster) -> None:
    double_only(cluster)
    namespace = f"{cluster.namespace}-new"
    result = kompile(
        cluster, "apply", "-q", "--create-namespace", "-f", str(LAMP), namespace=namespace
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"namespace/{namespace} created"
    assert get(cluster, "deployment", "web", namespace=namespace) is not None


@pytest.mark.parametrize("mode", ["server", "client"])
def test_dry_run_stores_nothing(cluster: Cluster, mode: str) -> None:
    result = kompile(cluster, "apply", "-q", f"--dry-run={mode}", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert (
        len(lines_with(result.stdout, "(server dry run)" if mode == "server" else "(dry run)")) == 8
    )
    assert get(cluster, "deployment", "web") is None
    assert get(cluster, "secret", "db-env") is None


def test_dry_run_client_sends_no_writes(cluster: Cluster) -> None:
    double_only(cluster)
    assert cluster.server is not None
    cluster.server.requests.clear()
    assert kompile(cluster, "apply", "-q", "--dry-run=client", "-f", str(LAMP)).exit_code == 0
    methods = {record.method for record in cluster.server.requests.records}
    assert methods == {"GET"}


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429, "retry_after": 1},
        {"status": 503},
        {"status": 500},
        {"drop": True},
    ],
)
def test_apply_retries_transient_failures(cluster: Cluster, fault: dict[str, object]) -> None:
    double_only(cluster)
    assert cluster.server is not None
    cluster.server.fail_next(2, method="PATCH", path="/deployments/web$", **fault)
    result = kompile(cluster, "apply", "-q", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert cluster.server.requests.count("PATCH", "/deployments/web$") == 3
    assert get(cluster, "deployment", "web") is not None


def test_failed_apply_prunes_nothing(cluster: Cluster, tmp_path: Path) -> None:
    double_only(cluster)
    assert cluster.server is not None
    first = write_project(tmp_path / "lamp-stack", LAMP_TEXT)
    assert kompile(cluster, "apply", "-q", "-f", str(first)).exit_code == 0
    data = yaml.safe_load(LAMP_TEXT)
    del data["services"]["db"]
    del data["services"]["web"]["depends_on"]
    second = write_project(tmp_path / "lamp-stack", yaml.safe_dump(data))
    cluster.server.fail_next(10, method="PATCH", path="/services/web$", status=500)
    result = kompile(cluster, "apply", "-q", "--prune", "-f", str(second))
    assert result.exit_code == 2
    assert "service/web failed" in result.stderr
    assert "deployment.apps/web not applied" in result.stderr
    assert "nothing pruned" in result.stderr
    assert get(cluster, "deployment", "db") is not None


def test_wait_until_ready(cluster: Cluster) -> None:
    result = kompile(cluster, "apply", "-q", "--wait", "--timeout", "30", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert "deployment.apps/web 1/1 ready" in result.stderr


def test_wait_reports_unready_workload(cluster: Cluster) -> None:
    double_only(cluster)
    assert cluster.server is not None
    cluster.server.controllers.keep_unready("Deployment", cluster.namespace, "web")
    result = kompile(cluster, "apply", "-q", "--wait", "--timeout", "2", "-f", str(LAMP))
    assert result.exit_code == 2
    assert "deployment.apps/web failed: not ready after 2s" in result.stderr


def test_one_write_per_object(cluster: Cluster) -> None:
    double_only(cluster)
    assert cluster.server is not None
    cluster.server.requests.clear()
    assert kompile(cluster, "apply", "-q", "-f", str(LAMP)).exit_code == 0
    records = cluster.server.requests.records
    writes = [record for record in records if record.method != "GET"]
    assert len(writes) == len(LAMP_OBJECTS)
    assert all(record.content_type == "application/apply-patch+yaml" for record in writes)


def test_hundred_services_one_write_each(cluster: Cluster, tmp_path: Path) -> None:
    double_only(cluster)
    assert cluster.server is not None
    services = {f"svc{index}": {"image": "nginx:1.27", "ports": ["80"]} for index in range(100)}
    project = write_project(tmp_path / "big", yaml.safe_dump({"services": services}))
    cluster.server.requests.clear()
    result = kompile(cluster, "apply", "-q", "-f", str(project))
    assert result.exit_code == 0, result.output
    assert cluster.server.requests.count("PATCH") == 200
    assert cluster.server.requests.count("POST") == 0


def test_json_output(cluster: Cluster) -> None:
    result = kompile(cluster, "apply", "-q", "-o", "json", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["succeeded"] is True
    assert [item["action"] for item in document["objects"]] == ["created"] * 8
    assert document["objects"][0] == {
        "kind": "Secret",
        "apiVersion": "v1",
        "namespace": cluster.namespace,
        "name": "db-env",
        "action": "created",
    }


def test_unreachable_server_fails_cleanly(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "gone", "cluster": {"server": "http://127.0.0.1:9"}}],
                "users": [{"name": "u", "user": {}}],
                "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}],
                "current-context": "gone",
            }
        )
    )
    result = CliRunner().invoke(cli, ["apply", "--kubeconfig", str(config), "-q", "-f", str(LAMP)])
    assert result.exit_code == 2
    assert "cannot reach the API server at http://127.0.0.1:9" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_forbidden_kind_stops_apply(cluster: Cluster) -> None:
    double_only(cluster)
    assert cluster.server is not None
    cluster.server.fail_next(1, method="PATCH", path="/services/web$", status=403)
    result = kompile(cluster, "apply", "-q", "--prune", "-f", str(LAMP))
    assert result.exit_code == 2
    assert "service/web failed" in result.stderr
    assert "forbidden" in result.stderr
    assert "deployment.apps/web not applied" in result.stderr
    assert cluster.server.requests.count("PATCH", "/services/web$") == 1
    assert cluster.server.requests.count("DELETE") == 0


def test_apply_request_count_is_fixed(cluster: Cluster) -> None:
    double_only(cluster)
    assert cluster.server is not None
    for _ in range(2):
        cluster.server.requests.clear()
        assert kompile(cluster, "apply", "-q", "-f", str(LAMP)).exit_code == 0
        methods = [record.method for record in cluster.server.requests.records]
        # One GET of the namespace, one LIST per kind of the project (Secret,
        # PersistentVolumeClaim, Service, Deployment) and one PATCH per object.
        assert methods.count("GET") == 1 + 4
        assert methods.count("PATCH") == len(LAMP_OBJECTS)
        assert len(methods) == 1 + 4 + len(LAMP_OBJECTS)
