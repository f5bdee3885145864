"""The double over raw HTTP (urllib): discovery, CRUD, apply, patches, dry runs, defaults,
validation, selectors, deletion, watches and the Status shapes of errors.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.apiserver.rawhttp import APPLY, JSON_PATCH, MERGE, STRATEGIC, Reply, call
from tests.apiserver.server import ApiServer

DEPLOYMENTS = "/apis/apps/v1/namespaces/demo/deployments"


def deployment(
    replicas: int | None = 2, image: str = "nginx:1.27", **labels: str
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]
            },
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", **labels}},
        "spec": spec,
    }


@pytest.fixture
def server(apiserver: ApiServer) -> ApiServer:
    apiserver.create_namespace("demo")
    return apiserver


def apply(server: ApiServer, body: dict[str, Any], manager: str = "kompile", **query: str) -> Reply:
    params = "&".join([f"fieldManager={manager}", *(f"{k}={v}" for k, v in query.items())])
    name = body["metadata"]["name"]
    return call(server.url, "PATCH", f"{DEPLOYMENTS}/{name}?{params}", body, APPLY)


def managers(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["manager"]: entry for entry in obj["metadata"]["managedFields"]}


# Discovery and OpenAPI


def test_discovery_documents(server: ApiServer) -> None:
    assert call(server.url, "GET", "/version").body["minor"] == "32"
    assert call(server.url, "GET", "/api").body["versions"] == ["v1"]
    groups = {g["name"]: g for g in call(server.url, "GET", "/apis").body["groups"]}
    for name in ("apps", "batch", "networking.k8s.io", "autoscaling", "external-secrets.io"):
        assert name in groups
    assert groups["autoscaling"]["preferredVersion"] == {
        "groupVersion": "autoscaling/v2",
        "version": "v2",
    }
    core = {r["name"]: r for r in call(server.url, "GET", "/api/v1").body["resources"]}
    for name in ("namespaces", "configmaps", "secrets", "services", "persistentvolumeclaims"):
        assert name in core
    assert core["namespaces"]["namespaced"] is False
    assert core["services"]["shortNames"] == ["svc"]
    apps = {r["name"]: r for r in call(server.url, "GET", "/apis/apps/v1").body["resources"]}
    assert apps["deployments"]["verbs"] == [
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ]
    assert "deployments/status" in apps
    assert "deployments/scale" in apps
    external = call(server.url, "GET", "/apis/external-secrets.io/v1").body["resources"]
    assert external[0]["kind"] == "ExternalSecret"


def test_openapi_v3_and_missing_v2(server: ApiServer) -> None:
    index = call(server.url, "GET", "/openapi/v3").body["paths"]
    url = index["apis/apps/v1"]["serverRelativeURL"]
    document = call(server.url, "GET", url).body
    patch = document["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"]["kind"] == "Deployment"
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    assert call(server.url, "GET", "/openapi/v2").code == 404


def test_unknown_path_is_not_found(server: ApiServer) -> None:
    reply = call(server.url, "GET", "/apis/nothing/v1/things")
    assert reply.code == 404
    assert reply.body["kind"] == "Status"
    assert reply.body["reason"] == "NotFound"


# CRUD


def test_create_get_list_with_selectors(server: ApiServer) -> None:
    base = "/api/v1/namespaces/demo/configmaps"
    for name, tier in (("a", "front"), ("b", "back"), ("c", "")):
        labels = {"tier": tier} if tier else {}
        body = {"metadata": {"name": name, "labels": labels}, "data": {"k": name}}
        assert call(server.url, "POST", base, body).code == 201
    got = call(server.url, "GET", f"{base}/a").body
    assert got["kind"] == "ConfigMap"
    assert got["metadata"]["uid"]
    assert "generation" not in got["metadata"]

    def names(query: str) -> list[str]:
        listing = call(server.url, "GET", f"{base}?{query}").body
        return [item["metadata"]["name"] for item in listing["items"]]

    assert names("labelSelector=tier%3Dfront") == ["a"]
    assert names("labelSelector=tier%21%3Dfront") == ["b", "c"]
    assert names("labelSelector=tier") == ["a", "b"]
    assert names("labelSelector=%21tier") == ["c"]
    assert names("labelSelector=tier+in+%28front%2Cback%29") == ["a", "b"]
    assert names("labelSelector=tier+notin+%28front%29") == ["b", "c"]
    assert names("fieldSelector=metadata.name%3Db") == ["b"]
    listing = call(server.url, "GET", base).body
    assert listing["kind"] == "ConfigMapList"
    assert int(listing["metadata"]["resourceVersion"]) >= int(got["metadata"]["resourceVersion"])


def test_create_existing_is_already_exists(server: ApiServer) -> None:
    body = {"metadata": {"name": "x"}}
    call(server.url, "POST", "/api/v1/namespaces/demo/configmaps", body)
    reply = call(server.url, "POST", "/api/v1/namespaces/demo/configmaps", body)
    assert reply.code == 409
    assert reply.body["reason"] == "AlreadyExists"
    assert reply.body["message"] == 'configmaps "x" already exists'


def test_missing_namespace_is_not_found(server: ApiServer) -> None:
    body = {"metadata": {"name": "x"}}
    reply = call(server.url, "POST", "/api/v1/namespaces/absent/configmaps", body)
    assert reply.code == 404
    assert reply.body["message"] == 'namespaces "absent" not found'
    assert reply.body["details"] == {"name": "absent", "kind": "namespaces"}


def test_get_missing_status_shape(server: ApiServer) -> None:
    reply = call(server.url, "GET", f"{DEPLOYMENTS}/absent")
    assert reply.code == 404
    assert reply.body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'deployments.apps "absent" not found',
        "reason": "NotFound",
        "details": {"name": "absent", "group": "apps", "kind": "deployments"},
        "code": 404,
    }


def test_put_with_stale_version_conflicts(server: ApiServer) -> None:
    created = call(server.url, "POST", DEPLOYMENTS, deployment()).body
    stale = dict(created, metadata={**created["metadata"], "resourceVersion": "1"})
    reply = call(server.url, "PUT", f"{DEPLOYMENTS}/web", stale)
    assert reply.code == 409
    assert reply.body["reason"] == "Conflict"
    assert "the object has been modified" in reply.body["message"]
    fresh = dict(created)
    fresh["spec"] = {**created["spec"], "replicas": 4}
    updated = call(server.url, "PUT", f"{DEPLOYMENTS}/web", fresh)
    assert updated.code == 200
    assert updated.body["metadata"]["generation"] == 2
    assert updated.body["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]


def test_invalid_names_are_rejected(server: ApiServer) -> None:
    body = {"metadata": {"name": "Bad_Name"}}
    reply = call(server.url, "POST", "/api/v1/namespaces/demo/configmaps", body)
    assert reply.code == 422
    assert reply.body["reason"] == "Invalid"
    assert reply.body["details"]["causes"][0]["field"] == "metadata.name"
    assert "RFC 1123 subdomain" in reply.body["message"]
    service = {"metadata": {"name": "1web"}, "spec": {"ports": [{"port": 80}]}}
    reply = call(server.url, "POST", "/api/v1/namespaces/demo/services", service)
    assert reply.code == 422
    assert "DNS-1035 label" in reply.body["message"]


# Server-side apply


def test_apply_creates_then_noop_keeps_version(server: ApiServer) -> None:
    # A status write of the simulated controller would move the resourceVersion too.
    server.controllers.stop()
    created = apply(server, deployment())
    assert created.code == 201
    entry = managers(created.body)["kompile"]
    assert entry["operation"] == "Apply"
    assert entry["fieldsV1"]["f:spec"]["f:replicas"] == {}
    assert "f:strategy" not in entry["fieldsV1"]["f:spec"]
    port_key = 'k:{"containerPort":80,"protocol":"TCP"}'
    container = entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert port_key in container['k:{"name":"web"}']["f:ports"]
    current = call(server.url, "GET", f"{DEPLOYMENTS}/web").body
    again = apply(server, deployment())
    assert again.code == 200
    assert again.body["metadata"]["resourceVersion"] == current["metadata"]["resourceVersion"]
    assert again.body["metadata"]["managedFields"] == current["metadata"]["managedFields"]


def test_apply_conflict_status_and_force(server: ApiServer) -> None:
    apply(server, deployment(replicas=2))
    reply = apply(server, deployment(replicas=5), manager="intruder", force="false")
    assert reply.code == 409
    assert reply.body["message"] == (
        'Apply failed with 1 conflict: conflict with "kompile": .spec.replicas'
    )
    assert reply.body["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "kompile"',
            "field": ".spec.replicas",
        }
    ]
    forced = apply(server, deployment(replicas=5), manager="intruder", force="true")
    assert forced.code == 200
    owners = managers(forced.body)
    assert "f:replicas" in owners["intruder"]["fieldsV1"]["f:spec"]
    assert "f:replicas" not in owners["kompile"]["fieldsV1"]["f:spec"]


def test_apply_same_value_is_shared(server: ApiServer) -> None:
    apply(server, deployment(replicas=2))
    shared = apply(server, deployment(replicas=2), manager="other")
    assert shared.code == 200
    owners = managers(shared.body)
    assert "f:replicas" in owners["other"]["fieldsV1"]["f:spec"]
    assert "f:replicas" in owners["kompile"]["fieldsV1"]["f:spec"]


def test_apply_removes_dropped_fields(server: ApiServer) -> None:
    apply(server, deployment(replicas=3, tier="front"))
    dropped = apply(server, deployment(replicas=None))
    assert dropped.code == 200
    assert dropped.body["spec"]["replicas"] == 1
    assert dropped.body["metadata"]["labels"] == {"app": "web"}


def test_apply_merges_containers_by_name(server: ApiServer) -> None:
    apply(server, deployment())
    sidecar = deployment()
    sidecar["spec"]["template"]["spec"]["containers"] = [{"name": "log", "image": "busybox"}]
    merged = apply(server, sidecar, manager="sidecar")
    assert merged.code == 200
    containers = merged.body["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["web", "log"]
    assert containers[1]["imagePullPolicy"] == "Always"


def test_apply_requires_field_manager(server: ApiServer) -> None:
    reply = call(server.url, "PATCH", f"{DEPLOYMENTS}/web", deployment(), APPLY)
    assert reply.code == 422
    assert reply.body["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
        "is required for apply patch"
    )
    assert reply.body["details"]["causes"][0]["reason"] == "FieldValueRequired"


def test_apply_yaml_body_and_strict_validation(server: ApiServer) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata:\n  a: '1'\nbogus: 1\n"
    path = "/api/v1/namespaces/demo/configmaps/conf?fieldManager=kompile"
    strict = call(server.url, "PATCH", path + "&fieldValidation=Strict", text.encode(), APPLY)
    assert strict.code == 400
    assert ".bogus: field not declared in schema" in strict.body["message"]
    warned = call(server.url, "PATCH", path, text.encode(), APPLY)
    assert warned.code == 201
    assert warned.headers["Warning"] == '299 - "unknown field \\"bogus\\""'
    assert "bogus" not in warned.body


def test_dry_run_stores_nothing(server: ApiServer) -> None:
    created = apply(server, deployment(), dryRun="All")
    assert created.code == 201
    assert created.body["spec"]["strategy"]["type"] == "RollingUpdate"
    assert "resourceVersion" not in created.body["metadata"]
    assert call(server.url, "GET", f"{DEPLOYMENTS}/web").code == 404
    real = apply(server, deployment()).body
    changed = apply(server, deployment(image="nginx:1.28"), dryRun="All")
    assert changed.body["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert changed.body["metadata"]["resourceVersion"] == real["metadata"]["resourceVersion"]
    stored = call(server.url, "GET", f"{DEPLOYMENTS}/web").body
    assert stored["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    deleted = call(server.url, "DELETE", f"{DEPLOYMENTS}/web?dryRun=All")
    assert deleted.code == 200
    assert call(server.url, "GET", f"{DEPLOYMENTS}/web").code == 200


# Patches


def test_merge_and_strategic_patches(server: ApiServer) -> None:
    apply(server, deployment())
    merged = call(server.url, "PATCH", f"{DEPLOYMENTS}/web", {"spec": {"replicas": 7}}, MERGE)
    assert merged.code == 200
    assert merged.body["spec"]["replicas"] == 7
    assert managers(merged.body)["rawhttp"]["operation"] == "Update"
    patch = {
        "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.29"}]}}}
    }
    strategic = call(server.url, "PATCH", f"{DEPLOYMENTS}/web", patch, STRATEGIC)
    container = strategic.body["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "nginx:1.29"
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    json_patch = [{"op": "replace", "path": "/spec/replicas", "value": 3}]
    patched = call(server.url, "PATCH", f"{DEPLOYMENTS}/web", json_patch, JSON_PATCH)
    assert patched.body["spec"]["replicas"] == 3
    forced = call(server.url, "PATCH", f"{DEPLOYMENTS}/web?force=true", {}, MERGE)
    assert forced.code == 422
    assert "force: Forbidden: may not be specified for non-apply patch" in forced.body["message"]


def test_update_takes_ownership_then_apply_conflicts(server: ApiServer) -> None:
    apply(server, deployment(replicas=2))
    call(server.url, "PATCH", f"{DEPLOYMENTS}/web/scale", {"spec": {"replicas": 4}}, MERGE)
    reply = apply(server, deployment(replicas=3))
    assert reply.code == 409
    assert 'conflict with "rawhttp" with subresource "scale" using apps/v1' in reply.body["message"]


# Defaults and immutable fields


def test_service_defaults_and_immutable_cluster_ip(server: ApiServer) -> None:
    base = "/api/v1/namespaces/demo/services"
    body = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
    }
    created = call(server.url, "PATCH", f"{base}/web?fieldManager=kompile", body, APPLY).body
    spec = created["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["clusterIP"].startswith("10.")
    assert spec["ipFamilies"] == ["IPv4"]
    assert spec["ipFamilyPolicy"] == "SingleStack"
    assert "generation" not in created["metadata"]
    headless = dict(body, spec={**body["spec"], "clusterIP": "None"})
    reply = call(server.url, "PATCH", f"{base}/web?fieldManager=kompile", headless, APPLY)
    assert reply.code == 422
    assert reply.body["details"]["causes"][0]["field"] == "spec.clusterIPs[0]"
    assert "may not change once set" in reply.body["message"]


def test_deployment_selector_is_immutable(server: ApiServer) -> None:
    apply(server, deployment())
    changed = deployment()
    changed["spec"]["selector"]["matchLabels"]["tier"] = "front"
    changed["spec"]["template"]["metadata"]["labels"]["tier"] = "front"
    reply = apply(server, changed)
    assert reply.code == 422
    assert reply.body["message"].startswith('Deployment.apps "web" is invalid: spec.selector:')
    assert reply.body["details"]["kind"] == "Deployment"
    assert reply.body["details"]["causes"][0]["field"] == "spec.selector"


def test_claim_spec_is_immutable_except_growth(server: ApiServer) -> None:
    base = "/api/v1/namespaces/demo/persistentvolumeclaims"

    def claim(size: str, mode: str = "ReadWriteOnce") -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data"},
            "spec": {"accessModes": [mode], "resources": {"requests": {"storage": size}}},
        }

    created = call(server.url, "PATCH", f"{base}/data?fieldManager=k", claim("1Gi"), APPLY).body
    assert created["spec"]["volumeMode"] == "Filesystem"
    assert created["status"] == {"phase": "Pending"}
    assert created["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    changed = call(
        server.url, "PATCH", f"{base}/data?fieldManager=k", claim("1Gi", "ReadWriteMany"), APPLY
    )
    assert changed.code == 422
    assert changed.body["details"]["causes"][0]["reason"] == "FieldValueForbidden"
    assert "spec is immutable after creation" in changed.body["message"]


def test_job_template_is_immutable(server: ApiServer) -> None:
    base = "/apis/batch/v1/namespaces/demo/jobs"

    def job(image: str) -> dict[str, Any]:
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "migrate"},
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "migrate", "image": image}],
                    }
                }
            },
        }

    created = call(server.url, "PATCH", f"{base}/migrate?fieldManager=k", job("app:1"), APPLY)
    assert created.code == 201
    spec = created.body["spec"]
    assert spec["backoffLimit"] == 6
    assert spec["completions"] == 1
    uid = created.body["metadata"]["uid"]
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    changed = call(server.url, "PATCH", f"{base}/migrate?fieldManager=k", job("app:2"), APPLY)
    assert changed.code == 422
    assert changed.body["details"]["causes"][0]["field"] == "spec.template"


# Deletion


def test_delete_returns_success_status(server: ApiServer) -> None:
    created = apply(server, deployment()).body
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"}
    reply = call(server.url, "DELETE", f"{DEPLOYMENTS}/web", body)
    assert reply.code == 200
    assert reply.body["metadata"]["deletionTimestamp"]
    assert reply.body["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert call(server.url, "GET", f"{DEPLOYMENTS}/web").code == 404
    apply(server, deployment())
    background = call(server.url, "DELETE", f"{DEPLOYMENTS}/web?propagationPolicy=Background")
    assert background.body["status"] == "Success"
    assert background.body["details"]["kind"] == "deployments"
    assert background.body["details"]["uid"] != created["metadata"]["uid"]
    assert call(server.url, "DELETE", f"{DEPLOYMENTS}/web").code == 404


def owner_reference(owner: dict[str, Any]) -> dict[str, Any]:
    """Return an ownerReference to the Deployment ``owner``."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
    }


def test_delete_collects_dependents(server: ApiServer) -> None:
    reference = owner_reference(apply(server, deployment()).body)
    for name in ("kept", "collected"):
        body = {"metadata": {"name": name, "ownerReferences": [reference]}}
        call(server.url, "POST", "/api/v1/namespaces/demo/configmaps", body)
    call(server.url, "DELETE", f"{DEPLOYMENTS}/web?propagationPolicy=Background")
    assert call(server.url, "GET", "/api/v1/namespaces/demo/configmaps/collected").code == 404


def test_delete_orphans_and_spares_others(server: ApiServer) -> None:
    reference = owner_reference(apply(server, deployment()).body)
    other = {**reference, "name": "other", "uid": "9d0c4f8e-0000-4000-8000-000000000001"}
    configmaps = "/api/v1/namespaces/demo/configmaps"
    owned = {"orphan": [reference], "shared": [reference, other], "unrelated": [other]}
    versions = {}
    for name, references in owned.items():
        body = {"metadata": {"name": name, "ownerReferences": references}}
        versions[name] = call(server.url, "POST", configmaps, body).body["metadata"]
    call(server.url, "DELETE", f"{DEPLOYMENTS}/web?propagationPolicy=Orphan")
    orphan = call(server.url, "GET", f"{configmaps}/orphan").body["metadata"]
    assert "ownerReferences" not in orphan
    shared = call(server.url, "GET", f"{configmaps}/shared").body["metadata"]
    assert shared["ownerReferences"] == [other]
    unrelated = call(server.url, "GET", f"{configmaps}/unrelated").body["metadata"]
    assert unrelated["resourceVersion"] == versions["unrelated"]["resourceVersion"]


# Watch


def test_watch_streams_changes(server: ApiServer) -> None:
    apply(server, deployment())
    listing = call(server.url, "GET", DEPLOYMENTS).body
    version = listing["metadata"]["resourceVersion"]
    call(server.url, "PATCH", f"{DEPLOYMENTS}/web", {"spec": {"replicas": 9}}, MERGE)
    url = f"{server.url}{DEPLOYMENTS}?watch=true&resourceVersion={version}&timeoutSeconds=1"
    with urllib.request.urlopen(url, timeout=10) as response:
        events = [json.loads(line) for line in response.read().splitlines()]
    replicas = [e["object"]["spec"]["replicas"] for e in events if e["type"] == "MODIFIED"]
    assert 9 in replicas
