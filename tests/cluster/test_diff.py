"""kompile diff against the API test double, or a real cluster when one is configured."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kompile.cli import cli
from tests.apiserver.plugin import Cluster
from tests.cluster.helpers import LAMP, LAMP_TEXT, kompile, write_project

SECRET_VALUES = ("my-secret-pw", "my-pw", "n3w-s3cret-pw")


def applied(cluster: Cluster) -> None:
    result = kompile(cluster, "apply", "-q", "-f", str(LAMP))
    assert result.exit_code == 0, result.output


def variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in LAMP_TEXT
    return write_project(tmp_path / "lamp-stack", LAMP_TEXT.replace(old, new))


def summary_rows(output: str) -> dict[str, str]:
    rows = {}
    for line in output.splitlines()[1:]:
        name, action, *_ = line.split()
        rows[name] = action
    return rows


def assert_no_secret(text: str) -> None:
    for value in SECRET_VALUES:
        encoded = base64.b64encode(value.encode()).decode()
        assert value not in text
        assert encoded not in text


def test_no_changes_right_after_apply(cluster: Cluster) -> None:
    applied(cluster)
    result = kompile(cluster, "diff", "-q", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert result.stdout == "no changes\n"


def test_changed_image_is_the_only_hunk(cluster: Cluster, tmp_path: Path) -> None:
    applied(cluster)
    project = variant(tmp_path, "my-lamp-stack:latest", "my-lamp-stack:2.0")
    result = kompile(cluster, "diff", "-q", "-f", str(project))
    assert result.exit_code == 1, result.output
    changed = [
        line.strip()
        for line in result.stdout.splitlines()
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == ["-        image: my-lamp-stack:latest", "+        image: my-lamp-stack:2.0"]
    table = result.stdout[result.stdout.index("OBJECT") :]
    assert summary_rows(table) == {"deployment.apps/web": "update"}


def test_changed_secret_is_masked(cluster: Cluster, tmp_path: Path) -> None:
    applied(cluster)
    project = variant(tmp_path, "my-secret-pw", "n3w-s3cret-pw")
    for extra in ([], ["--summary"], ["-o", "json"]):
        result = kompile(cluster, "diff", "-q", *extra, "-f", str(project))
        assert result.exit_code == 1, result.output
        assert_no_secret(result.stdout + result.stderr)
        assert "MYSQL_ROOT_PASSWORD" in result.stdout
    text = kompile(cluster, "diff", "-q", "-f", str(project)).stdout
    assert "-  MYSQL_ROOT_PASSWORD: '*** (before)'" in text
    assert "+  MYSQL_ROOT_PASSWORD: '*** (after)'" in text
    assert "  MYSQL_PASSWORD: '***'" in text


def test_added_variable_shows(cluster: Cluster, tmp_path: Path) -> None:
    applied(cluster)
    project = variant(tmp_path, "    depends_on:\n", "      LOG_LEVEL: debug\n    depends_on:\n")
    result = kompile(cluster, "diff", "-q", "-o", "json", "-f", str(project))
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    paths = {
        (item["name"], field["path"]) for item in document["objects"] for field in item["fields"]
    }
    assert paths
    assert all(path.startswith("spec.template.spec.containers[") for _, path in paths)
    assert any("env[LOG_LEVEL]" in path for _, path in paths)


def test_drift_by_another_manager(cluster: Cluster) -> None:
    applied(cluster)
    scaled = cluster.kubectl("scale", "deployment/web", "--replicas=3", "-n", cluster.namespace)
    assert scaled.returncode == 0, scaled.stderr
    image = cluster.kubectl(
        "set", "image", "deployment/web", "web=my-lamp-stack:old", "-n", cluster.namespace
    )
    assert image.returncode == 0, image.stderr
    result = kompile(cluster, "diff", "-q", "-o", "json", "-f", str(LAMP))
    assert result.exit_code == 1, result.output
    objects = json.loads(result.stdout)["objects"]
    assert [item["name"] for item in objects] == ["web"]
    fields = {field["path"]: field for field in objects[0]["fields"]}
    assert fields["spec.replicas"]["live"] == 3
    assert fields["spec.replicas"]["desired"] == 1
    assert fields["spec.template.spec.containers[web].image"]["live"] == "my-lamp-stack:old"


def test_foreign_annotation_is_ignored(cluster: Cluster) -> None:
    applied(cluster)
    annotated = cluster.kubectl("annotate", "deployment/web", "team=ops", "-n", cluster.namespace)
    assert annotated.returncode == 0, annotated.stderr
    result = kompile(cluster, "diff", "-q", "-f", str(LAMP))
    assert result.exit_code == 0, result.output


def test_removed_service_is_a_deletion(cluster: Cluster, tmp_path: Path) -> None:
    applied(cluster)
    data = yaml.safe_load(LAMP_TEXT)
    del data["services"]["db"]
    del data["services"]["web"]["depends_on"]
    project = write_project(tmp_path / "lamp-stack", yaml.safe_dump(data))
    result = kompile(cluster, "diff", "-q", "--summary", "-f", str(project))
    assert result.exit_code == 1, result.output
    rows = summary_rows(result.stdout)
    assert rows["deployment.apps/db"] == "delete"
    assert rows["service/db"] == "delete"
    assert rows["persistentvolumeclaim/db"] == "delete"
    assert "protected" in result.stdout
    assert_no_secret(result.stdout)


def test_missing_namespace_means_creates(cluster: Cluster) -> None:
    result = kompile(
        cluster, "diff", "-q", "--summary", "-f", str(LAMP), namespace=f"{cluster.namespace}-none"
    )
    assert result.exit_code == 1, result.output
    assert set(summary_rows(result.stdout).values()) == {"create"}
    assert len(summary_rows(result.stdout)) == 8


def test_exit_zero_option(cluster: Cluster) -> None:
    result = kompile(cluster, "diff", "-q", "--exit-zero", "-f", str(LAMP))
    assert result.exit_code == 0, result.output
    assert "create" in result.stdout


def test_server_error_exits_two(cluster: Cluster) -> None:
    if cluster.server is None:
        pytest.skip("needs the fault knobs of the API test double")
    applied(cluster)
    cluster.server.fail_next(10, method="PATCH", path="/deployments/web$", status=500)
    result = kompile(cluster, "diff", "-q", "-f", str(LAMP))
    assert result.exit_code == 2
    assert "deployment.apps/web" in result.stderr


def test_unknown_option_exits_two(cluster: Cluster) -> None:
    result = kompile(cluster, "diff", "--no-such-flag")
    assert result.exit_code == 2


def test_agrees_with_kubectl_diff(cluster: Cluster, tmp_path: Path) -> None:
    applied(cluster)
    project = variant(tmp_path, "my-lamp-stack:latest", "my-lamp-stack:2.0")
    out = tmp_path / "k8s"
    converted = CliRunner().invoke(
        cli, ["convert", "-q", "-f", str(project), "-n", cluster.namespace, "-o", str(out)]
    )
    assert converted.exit_code == 0, converted.output
    theirs = cluster.kubectl("diff", "--server-side", "--field-manager=kompile", "-f", str(out))
    assert theirs.returncode == 1, theirs.stderr
    # kubectl names each differing object in a "+++ .../apps.v1.Deployment.NS.NAME" line.
    differing = [line for line in theirs.stdout.splitlines() if line.startswith("+++ ")]
    ours = kompile(cluster, "diff", "-q", "--summary", "-f", str(project))
    assert ours.exit_code == 1
    assert set(summary_rows(ours.stdout)) == {"deployment.apps/web"}
    assert len(differing) == 1
    assert f"apps.v1.Deployment.{cluster.namespace}.web" in differing[0]


def test_forbidden_list_exits_two(cluster: Cluster) -> None:
    if cluster.server is None:
        pytest.skip("needs the fault knobs of the API test double")
    cluster.server.fail_next(1, method="GET", path="/deployments$", status=403)
    result = kompile(cluster, "diff", "-q", "-f", str(LAMP))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "forbidden" in result.stderr
    assert "deployments" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# The namespaced kinds that kompile manages, which diff lists to find deleted objects.
LISTED_KINDS = 14
LAMP_OBJECT_COUNT = 8


def requests_of_diff(cluster: Cluster) -> list[tuple[str, str]]:
    if cluster.server is None:
        pytest.skip("needs the request log of the API test double")
    cluster.server.requests.clear()
    kompile(cluster, "diff", "-q", "-f", str(LAMP))
    return [(record.method, record.query) for record in cluster.server.requests.records]


def test_diff_of_new_project_only_lists(cluster: Cluster) -> None:
    requests = requests_of_diff(cluster)
    assert len(requests) == LISTED_KINDS
    assert all(method == "GET" for method, _ in requests)


def test_diff_requests_per_object(cluster: Cluster) -> None:
    applied(cluster)
    requests = requests_of_diff(cluster)
    lists = [query for method, query in requests if method == "GET"]
    dry_runs = [query for method, query in requests if method == "PATCH"]
    assert len(lists) == LISTED_KINDS
    assert len(dry_runs) == LAMP_OBJECT_COUNT
    assert all("dryRun=All" in query for query in dry_runs)
    assert len(requests) == LISTED_KINDS + LAMP_OBJECT_COUNT
