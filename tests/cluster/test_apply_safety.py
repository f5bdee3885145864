"""apply and diff touch only the namespace and the objects that a run manages."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kompile.cli import cli
from tests.apiserver.plugin import Cluster
from tests.cluster.helpers import LAMP, get, kompile


def converted(tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "k8s"
    result = CliRunner().invoke(cli, ["convert", "-q", "-f", str(LAMP), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


def test_prune_keeps_other_namespaces(cluster: Cluster) -> None:
    if cluster.server is None:
        pytest.skip("creates namespaces, which a shared real cluster should not get")
    first, second = f"{cluster.namespace}-a", f"{cluster.namespace}-b"
    for namespace in (first, second):
        result = kompile(
            cluster, "apply", "-q", "--create-namespace", "-f", str(LAMP), namespace=namespace
        )
        assert result.exit_code == 0, result.output
    result = kompile(
        cluster, "apply", "-q", "--create-namespace", "--prune", "-f", str(LAMP), namespace=second
    )
    assert result.exit_code == 0, result.output
    assert "pruned" not in result.stdout
    assert get(cluster, "deployment", "web", namespace=first) is not None
    assert get(cluster, "namespace", first, namespace=first) is not None


def test_manifests_keep_their_namespace(cluster: Cluster, tmp_path: Path) -> None:
    out = converted(tmp_path, "-n", cluster.namespace)
    result = CliRunner().invoke(
        cli, ["apply", "--kubeconfig", str(cluster.kubeconfig), "-q", "-f", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert get(cluster, "deployment", "web") is not None
    again = CliRunner().invoke(
        cli, ["diff", "--kubeconfig", str(cluster.kubeconfig), "-q", "-f", str(out)]
    )
    assert again.exit_code == 0, again.output


def test_manifests_reject_other_namespace(cluster: Cluster, tmp_path: Path) -> None:
    out = converted(tmp_path, "-n", "elsewhere")
    result = kompile(cluster, "apply", "-q", "--prune", "-f", str(out))
    assert result.exit_code == 2
    assert "namespace elsewhere" in result.stderr
    assert "pruned" not in result.stdout


def test_manifests_create_namespace(cluster: Cluster, tmp_path: Path) -> None:
    if cluster.server is None:
        pytest.skip("creates a namespace, which a shared real cluster should not get")
    namespace = f"{cluster.namespace}-m"
    out = converted(tmp_path, "-n", namespace)
    result = kompile(
        cluster, "apply", "-q", "--create-namespace", "-f", str(out), namespace=namespace
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"namespace/{namespace} created"


def test_existing_object_without_labels_is_configured(cluster: Cluster, tmp_path: Path) -> None:
    out = converted(tmp_path, "-n", cluster.namespace)
    service = yaml.safe_load((out / "web-service.yaml").read_text())
    del service["metadata"]["labels"]
    created = cluster.kubectl("create", "-f", "-", input=json.dumps(service))
    assert created.returncode == 0, created.stderr
    refused = kompile(cluster, "apply", "-q", "-f", str(LAMP))
    assert refused.exit_code == 2
    assert "service/web failed: exists and belongs to another tool" in refused.stderr
    result = kompile(cluster, "apply", "-q", "--adopt", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert "service/web configured" in result.stdout.splitlines()


def test_placeholder_secret_not_overwritten(cluster: Cluster) -> None:
    assert (
        kompile(cluster, "apply", "-q", "--secrets", "placeholder", "-f", str(LAMP)).exit_code == 0
    )
    patch = {"stringData": {"MYSQL_PASSWORD": "filled-in-by-hand"}}
    patched = cluster.kubectl(
        "patch", "secret", "db-env", "-n", cluster.namespace, "-p", json.dumps(patch)
    )
    assert patched.returncode == 0, patched.stderr
    result = kompile(cluster, "apply", "-q", "--secrets", "placeholder", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert "secret/db-env kept" in result.stderr
    data = get(cluster, "secret", "db-env")["data"]
    assert data["MYSQL_PASSWORD"] != ""
    diff = kompile(cluster, "diff", "-q", "--secrets", "placeholder", "-f", str(LAMP))
    assert diff.exit_code == 0, diff.output


def test_diff_conflict_and_immutable_field(cluster: Cluster, tmp_path: Path) -> None:
    out = converted(tmp_path, "-n", cluster.namespace)
    applied = cluster.kubectl("apply", "-f", str(out / "web-deployment.yaml"))
    assert applied.returncode == 0, applied.stderr
    path = out / "web-deployment.yaml"
    deployment = yaml.safe_load(path.read_text())
    deployment["spec"]["selector"]["matchLabels"]["tier"] = "front"
    deployment["spec"]["template"]["metadata"]["labels"]["tier"] = "front"
    path.write_text(yaml.safe_dump(deployment))
    result = kompile(cluster, "diff", "-q", "--summary", "-f", str(path))
    assert result.exit_code == 1, result.output
    assert "deployment.apps/web  replace" in result.stdout
    assert "immutable" in result.stdout


def serve_forever(reply: bytes) -> Iterator[int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def answer() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    try:
        yield port
    finally:
        listener.close()


@pytest.fixture(params=[b"not json", b"[]", b"null"], ids=["text", "list", "null"])
def bogus_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    body = request.param
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
    reply = reply % len(body) + b"Connection: close\r\n\r\n" + body
    for port in serve_forever(reply):
        config = tmp_path / "kubeconfig"
        config.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
                    "users": [{"name": "u", "user": {}}],
                    "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
                    "current-context": "c",
                }
            )
        )
        yield config


@pytest.mark.parametrize("command", ["apply", "diff"])
def test_bogus_server_fails_cleanly(bogus_server: Path, command: str) -> None:
    args = [command, "--kubeconfig", str(bogus_server), "-n", "shop", "-q", "-f", str(LAMP)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "internal error" not in result.stderr
    assert "created" not in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")


def test_malformed_kubeconfig_fails_cleanly(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text("clusters: [\n")
    result = CliRunner().invoke(cli, ["diff", "--kubeconfig", str(config), "-f", str(LAMP)])
    assert result.exit_code == 2
    assert "cannot load the cluster configuration" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "option", [["--timeout", "-5"], ["--timeout", "nan"], ["--field-manager", ""]]
)
def test_invalid_apply_options(option: list[str]) -> None:
    result = CliRunner().invoke(cli, ["apply", *option, "-f", str(LAMP)])
    assert result.exit_code == 2


def test_other_project_objects_not_taken(cluster: Cluster, tmp_path: Path) -> None:
    assert kompile(cluster, "apply", "-q", "-f", str(LAMP)).exit_code == 0
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "compose.yaml").write_text(LAMP.read_text())
    diff = kompile(cluster, "diff", "-q", "--summary", "-f", str(copy / "compose.yaml"))
    assert diff.exit_code == 1, diff.output
    assert "belongs to kompile project lamp-stack" in diff.stdout
    assert " create " not in diff.stdout
    result = kompile(cluster, "apply", "-q", "-f", str(copy / "compose.yaml"))
    assert result.exit_code == 2
    assert "exists and belongs to kompile project lamp-stack" in result.stderr
    assert "0 applied" in result.stderr
    labels = get(cluster, "service", "web")["metadata"]["labels"]
    assert labels["app.kubernetes.io/part-of"] == "lamp-stack"
