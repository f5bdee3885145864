"""Values keys and image references, the two names the chart writer derives itself."""

from __future__ import annotations

import pytest

from kompile.errors import ConversionError
from kompile.output.chart import build_chart
from kompile.output.chartvalues import split_image, values_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("web", "web"),
        ("auth-api", "authApi"),
        ("web_front", "webFront"),
        ("api.v2", "apiV2"),
        ("MyApp", "myApp"),
        ("2fa", "_2fa"),
    ],
    ids=["plain", "dash", "underscore", "dot", "capitals", "digit-first"],
)
def test_values_key_is_template_safe(name: str, key: str) -> None:
    assert values_key(name) == key


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("mysql:5.7", ("mysql", "5.7", "")),
        ("nginx", ("nginx", "", "")),
        ("registry.example.com:5000/tools/app", ("registry.example.com:5000/tools/app", "", "")),
        ("registry.example.com:5000/app:2.1", ("registry.example.com:5000/app", "2.1", "")),
        ("redis@sha256:0123abcd", ("redis", "", "sha256:0123abcd")),
        ("redis:7@sha256:0123abcd", ("redis", "7", "sha256:0123abcd")),
    ],
    ids=["tag", "no-tag", "registry-port", "registry-port-tag", "digest", "tag-and-digest"],
)
def test_split_image(image: str, parts: tuple[str, str, str]) -> None:
    split = split_image(image)
    assert (split["repository"], split["tag"], split["digest"]) == parts


def deployment(service: str) -> dict[str, object]:
    labels = {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "p"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": service, "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": service, "image": "busybox"}]},
            },
        },
    }


def test_reserved_key_gets_suffix() -> None:
    files = build_chart("p", [deployment("persistence")], ["persistence"])
    assert "persistenceService:" in files["values.yaml"]
    assert ".Values.persistenceService.image" in files["templates/persistence-deployment.yaml"]


def test_colliding_keys_rejected() -> None:
    objects = [deployment("auth-api"), deployment("authapi")]
    with pytest.raises(ConversionError, match="'auth-api' and 'auth_api' both become"):
        build_chart("p", objects, ["auth-api", "auth_api"])


def test_colliding_secret_keys_rejected() -> None:
    secrets = [
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": {}}
        for name in ("a-1b", "a1b")
    ]
    with pytest.raises(ConversionError, match="'a-1b' and Secret 'a1b' both become"):
        build_chart("p", secrets, [])
