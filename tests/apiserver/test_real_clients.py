"""Real clients against the double: kubectl and Helm must behave as against a cluster.

Covers kubectl get, apply --server-side (create, no-op, change, conflict, forced
conflict), diff (exit 0 and 1), get -o yaml with server defaults, delete; and a Helm install
and uninstall through helm-sdkpy (see `tests.chart.helm`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.apiserver.plugin import Kubectl
from tests.apiserver.server import ApiServer
from tests.chart import helm

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      containers:
        - name: web
          image: {image}
          ports:
            - containerPort: 80
              protocol: TCP
"""

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n"

HELM_CHART_DIR = Path(__file__).parent / "charts" / "web"


def write_deployment(folder: Path, replicas: int = 2, image: str = "nginx:1.27") -> Path:
    path = folder / f"web-{replicas}-{image.replace(':', '-').replace('/', '-')}.yaml"
    path.write_text(DEPLOYMENT.format(replicas=replicas, image=image))
    return path


@pytest.fixture
def demo(kubectl: Kubectl, tmp_path: Path) -> Path:
    """Create namespace `demo` with kubectl and apply the web Deployment as `kompile`."""
    namespace = tmp_path / "namespace.yaml"
    namespace.write_text(NAMESPACE)
    created = kubectl("apply", "--server-side", "--field-manager=kompile", "-f", str(namespace))
    assert created.returncode == 0, created.stderr
    manifest = write_deployment(tmp_path)
    applied = kubectl("apply", "--server-side", "--field-manager=kompile", "-f", str(manifest))
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.strip() == "deployment.apps/web serverside-applied"
    return manifest


def resource_version(kubectl: Kubectl) -> str:
    result = kubectl(
        "get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.resourceVersion}"
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_kubectl_get_lists_objects(kubectl: Kubectl, demo: Path) -> None:
    result = kubectl("get", "deployments", "-n", "demo")
    assert result.returncode == 0, result.stderr
    assert "web" in result.stdout
    missing = kubectl("get", "deployment", "absent", "-n", "demo")
    assert missing.returncode == 1
    assert 'deployments.apps "absent" not found' in missing.stderr


def test_kubectl_apply_noop_keeps_version(kubectl: Kubectl, demo: Path) -> None:
    before = resource_version(kubectl)
    again = kubectl("apply", "--server-side", "--field-manager=kompile", "-f", str(demo))
    assert again.returncode == 0, again.stderr
    assert resource_version(kubectl) == before


def test_kubectl_apply_change_bumps_generation(
    kubectl: Kubectl, demo: Path, tmp_path: Path
) -> None:
    changed = write_deployment(tmp_path, image="nginx:1.28")
    result = kubectl("apply", "--server-side", "--field-manager=kompile", "-f", str(changed))
    assert result.returncode == 0, result.stderr
    shown = kubectl(
        "get",
        "deploy",
        "web",
        "-n",
        "demo",
        "-o",
        "jsonpath={.metadata.generation} {.spec.template.spec.containers[0].image}",
    )
    assert shown.stdout == "2 nginx:1.28"


def test_kubectl_apply_conflict_and_force(kubectl: Kubectl, demo: Path, tmp_path: Path) -> None:
    scaled = write_deployment(tmp_path, replicas=5)
    conflict = kubectl("apply", "--server-side", "--field-manager=intruder", "-f", str(scaled))
    assert conflict.returncode == 1
    assert 'Apply failed with 1 conflict: conflict with "kompile": .spec.replicas' in (
        conflict.stderr
    )
    forced = kubectl(
        "apply",
        "--server-side",
        "--field-manager=intruder",
        "--force-conflicts",
        "-f",
        str(scaled),
    )
    assert forced.returncode == 0, forced.stderr
    shown = kubectl("get", "deploy", "web", "-n", "demo", "-o", "json", "--show-managed-fields")
    entries = json.loads(shown.stdout)["metadata"]["managedFields"]
    owners = {entry["manager"]: entry for entry in entries}
    assert "intruder" in owners
    assert "f:replicas" not in owners["kompile"]["fieldsV1"]["f:spec"]
    assert json.loads(shown.stdout)["spec"]["replicas"] == 5


def test_kubectl_diff_exit_codes(kubectl: Kubectl, demo: Path, tmp_path: Path) -> None:
    before = resource_version(kubectl)
    same = kubectl("diff", "--server-side", "--field-manager=kompile", "-f", str(demo))
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout == ""
    changed = write_deployment(tmp_path, image="nginx:1.28")
    different = kubectl("diff", "--server-side", "--field-manager=kompile", "-f", str(changed))
    assert different.returncode == 1, different.stderr
    assert "-      - image: nginx:1.27" in different.stdout
    assert "+      - image: nginx:1.28" in different.stdout
    assert "resourceVersion" not in different.stdout
    assert "generation" in different.stdout
    assert resource_version(kubectl) == before


def test_kubectl_get_yaml_shows_defaults(kubectl: Kubectl, demo: Path) -> None:
    result = kubectl("get", "deploy", "web", "-n", "demo", "-o", "yaml")
    assert result.returncode == 0, result.stderr
    deployment = yaml.safe_load(result.stdout)
    spec = deployment["spec"]
    assert spec["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": "25%"}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    container = spec["template"]["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst"
    assert "managedFields" not in deployment["metadata"]


def test_kubectl_delete_removes_object(kubectl: Kubectl, demo: Path) -> None:
    deleted = kubectl("delete", "-f", str(demo))
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == 'deployment.apps "web" deleted'
    gone = kubectl("get", "deploy", "web", "-n", "demo")
    assert gone.returncode == 1
    assert "NotFound" in gone.stderr


def test_kubectl_apply_into_missing_namespace(kubectl: Kubectl, tmp_path: Path) -> None:
    manifest = write_deployment(tmp_path)
    result = kubectl("apply", "--server-side", "--field-manager=kompile", "-f", str(manifest))
    assert result.returncode == 1
    assert 'namespaces "demo" not found' in result.stderr


def test_kubectl_immutable_selector_rejected(kubectl: Kubectl, demo: Path, tmp_path: Path) -> None:
    text = (
        demo.read_text()
        .replace(
            "    matchLabels:\n      app.kubernetes.io/name: web",
            "    matchLabels:\n      app.kubernetes.io/name: web\n      tier: front",
        )
        .replace(
            "      labels:\n        app.kubernetes.io/name: web\n    spec:",
            "      labels:\n        app.kubernetes.io/name: web\n        tier: front\n    spec:",
        )
    )
    changed = tmp_path / "selector.yaml"
    changed.write_text(text)
    result = kubectl("apply", "--server-side", "--field-manager=kompile", "-f", str(changed))
    assert result.returncode == 1
    assert 'The Deployment "web" is invalid: spec.selector: Invalid value' in result.stderr
    assert "field is immutable" in result.stderr


# Helm


def test_helm_install_and_uninstall(
    apiserver: ApiServer, kubeconfig: Path, helm_python: Path
) -> None:
    apiserver.create_namespace("demo")
    release = helm.Release("web", "demo", HELM_CHART_DIR, {"replicas": 2})
    assert helm.install(helm_python, kubeconfig, [release], wait=True) == [""]
    with apiserver.store.lock:
        names = {
            (obj["kind"], obj["metadata"]["name"])
            for obj in apiserver.store.all_objects()
            if obj["metadata"].get("namespace") == "demo"
        }
    assert ("Deployment", "web") in names
    assert ("Service", "web") in names
    assert any(
        kind == "Secret" and name.startswith("sh.helm.release.v1.web") for kind, name in names
    )
    assert helm.uninstall(helm_python, kubeconfig, [release], wait=True) == [""]
    with apiserver.store.lock:
        left = [
            obj["metadata"]["name"]
            for obj in apiserver.store.all_objects()
            if obj["metadata"].get("namespace") == "demo"
        ]
    assert left == []
