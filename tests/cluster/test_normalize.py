"""Projection of live objects onto kompile's objects: server defaults never count as changes."""

from __future__ import annotations

import copy
import typing as t
from pathlib import Path

from kompile.cluster.normalize import project_onto
from tests.apiserver.plugin import Cluster
from tests.cluster.helpers import kompile, write_project

CLAIM_TEMPLATE: dict[str, t.Any] = {
    "metadata": {"name": "data"},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
}
STATEFUL_PROJECT = """\
services:
  db:
    image: postgres:16
    volumes:
      - data:/var/lib/postgresql/data
    x-kompile: {workload: statefulset}
volumes:
  data:
"""


def defaulted_claim(template: dict[str, t.Any]) -> dict[str, t.Any]:
    """Return a volumeClaimTemplate as the server stores it, with its defaults."""
    stored = copy.deepcopy(template)
    stored.update(apiVersion="v1", kind="PersistentVolumeClaim", status={"phase": "Pending"})
    stored["metadata"]["creationTimestamp"] = None
    stored["spec"]["volumeMode"] = "Filesystem"
    return stored


def test_unkeyed_items_lose_server_defaults() -> None:
    desired = {"spec": {"volumeClaimTemplates": [CLAIM_TEMPLATE]}}
    live = {"spec": {"volumeClaimTemplates": [defaulted_claim(CLAIM_TEMPLATE)]}}
    assert project_onto(live, desired) == desired


def test_unkeyed_items_keep_changed_values() -> None:
    desired = {"spec": {"volumeClaimTemplates": [CLAIM_TEMPLATE]}}
    changed = defaulted_claim(CLAIM_TEMPLATE)
    changed["spec"]["resources"]["requests"]["storage"] = "2Gi"
    projected = project_onto({"spec": {"volumeClaimTemplates": [changed]}}, desired)
    requests = projected["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]
    assert requests == {"storage": "2Gi"}


def test_unkeyed_list_of_other_length_stays_whole() -> None:
    desired = {"spec": {"volumeClaimTemplates": [CLAIM_TEMPLATE]}}
    stored = [defaulted_claim(CLAIM_TEMPLATE), defaulted_claim(CLAIM_TEMPLATE)]
    projected = project_onto({"spec": {"volumeClaimTemplates": stored}}, desired)
    assert projected["spec"]["volumeClaimTemplates"] == stored


def test_scalar_lists_are_compared_whole() -> None:
    desired = {"args": ["serve", "--port", "80"]}
    assert project_onto({"args": ["serve", "--port", "81"]}, desired) == {
        "args": ["serve", "--port", "81"]
    }


def test_local_diff_clean_after_statefulset_apply(cluster: Cluster, tmp_path: Path) -> None:
    compose = write_project(tmp_path / "stateful", STATEFUL_PROJECT)
    applied = kompile(cluster, "apply", "-q", "-f", str(compose))
    assert applied.exit_code == 0, applied.output
    result = kompile(cluster, "diff", "--local", "-q", "-f", str(compose))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "no changes"
