"""The consistency checker finds each kind of cross-object fault it promises to find."""

from __future__ import annotations

import copy
import typing as t

import pytest

from tests.consistency import consistency_errors

SELECTOR = {"app.kubernetes.io/name": "web"}


def valid_objects() -> list[dict[str, t.Any]]:
    pod = {
        "containers": [
            {
                "name": "web",
                "image": "nginx",
                "volumeMounts": [{"name": "conf", "mountPath": "/etc/conf"}],
                "envFrom": [{"secretRef": {"name": "web-env"}}],
            }
        ],
        "volumes": [{"name": "conf", "configMap": {"name": "web-conf"}}],
    }
    return [
        {"kind": "ConfigMap", "metadata": {"name": "web-conf"}},
        {"kind": "Secret", "metadata": {"name": "web-env"}},
        {"kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": SELECTOR}},
        {
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"template": {"metadata": {"labels": dict(SELECTOR)}, "spec": pod}},
        },
    ]


def container(objects: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], objects[3]["spec"]["template"]["spec"]["containers"][0])


def break_selector(objects: list[dict[str, t.Any]]) -> None:
    objects[2]["spec"]["selector"] = {"app.kubernetes.io/name": "other"}


def break_mount(objects: list[dict[str, t.Any]]) -> None:
    container(objects)["volumeMounts"][0]["name"] = "missing"


def drop_config_map(objects: list[dict[str, t.Any]]) -> None:
    del objects[0]


def drop_secret(objects: list[dict[str, t.Any]]) -> None:
    del objects[1]


def duplicate_service(objects: list[dict[str, t.Any]]) -> None:
    objects.append(copy.deepcopy(objects[2]))


def invalid_name(objects: list[dict[str, t.Any]]) -> None:
    objects[2]["metadata"]["name"] = "Web_1"


def shared_mount_path(objects: list[dict[str, t.Any]]) -> None:
    container(objects)["volumeMounts"].append({"name": "conf", "mountPath": "/etc/conf"})


FAULTS = {
    "selector matches nothing": (break_selector, "matches no pod template"),
    "mount without volume": (break_mount, "has no volume"),
    "config map missing": (drop_config_map, "ConfigMap/web-conf is neither"),
    "secret missing": (drop_secret, "Secret/web-env is neither"),
    "duplicate object": (duplicate_service, "share this kind and name"),
    "invalid name": (invalid_name, "not a valid DNS-1123 name"),
    "shared mount path": (shared_mount_path, "share the path"),
}


def test_valid_objects_pass() -> None:
    assert consistency_errors(valid_objects()) == []


@pytest.mark.parametrize(("fault", "expected"), FAULTS.values(), ids=list(FAULTS))
def test_fault_is_reported(
    fault: t.Callable[[list[dict[str, t.Any]]], None], expected: str
) -> None:
    objects = valid_objects()
    fault(objects)
    errors = consistency_errors(objects)
    assert len(errors) == 1, errors
    assert expected in errors[0]


def test_external_reference_passes() -> None:
    objects = valid_objects()
    drop_config_map(objects)
    assert consistency_errors(objects, {("ConfigMap", "web-conf")}) == []
