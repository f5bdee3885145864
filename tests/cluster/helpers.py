"""Running kompile's cluster commands against the test cluster, and reading it back."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

from click.testing import CliRunner, Result

from kompile.cli import cli
from tests.apiserver.plugin import Cluster

LAMP = Path(__file__).resolve().parents[2] / "golden" / "lamp-stack" / "compose.yaml"


def kompile(cluster: Cluster, *args: str, namespace: str | None = None) -> Result:
    """Run a kompile command with the cluster's kubeconfig and namespace."""
    command, *rest = args
    options = ["--kubeconfig", str(cluster.kubeconfig), "-n", namespace or cluster.namespace]
    return CliRunner().invoke(cli, [command, *options, *rest])


def get(cluster: Cluster, kind: str, name: str, namespace: str | None = None) -> t.Any:
    """Return one live object as a dict, or None when it does not exist."""
    result = cluster.kubectl(
        "get",
        kind,
        name,
        "-n",
        namespace or cluster.namespace,
        "-o",
        "json",
        "--show-managed-fields",
    )
    if result.returncode != 0:
        assert "NotFound" in result.stderr, result.stderr
        return None
    return json.loads(result.stdout)


def write_project(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "compose.yaml"
    path.write_text(text)
    return path


LAMP_TEXT = LAMP.read_text()


def apply_as(cluster: Cluster, manager: str, obj: dict[str, t.Any]) -> None:
    """Server-side apply ``obj`` with kubectl as field manager ``manager``, taking conflicts."""
    taken = cluster.kubectl(
        "apply",
        "--server-side",
        "--force-conflicts",
        f"--field-manager={manager}",
        "-f",
        "-",
        input=json.dumps(obj),
    )
    assert taken.returncode == 0, taken.stderr
