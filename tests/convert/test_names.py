"""Names and keys that Kubernetes rejects although the JSON schema accepts them.

Covers Service names that do not start with a letter, environment variable names,
annotation keys from compose labels and annotations, port 0, one published port mapped
twice, and Services with very many ports.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kompile.convert.names import is_annotation_key, is_env_var_name
from kompile.convert.services import MAX_SERVICE_PORTS
from tests.convert.helpers import convert


@pytest.mark.parametrize("name", ["1web", "123", "9-lives"])
def test_service_name_starting_with_digit(name: str, tmp_path: Path) -> None:
    compose = f"services:\n  '{name}':\n    image: nginx\n    ports: ['80:80']\n"
    result = convert(tmp_path, compose)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "compose.yaml:2:3" in lines[0]
    assert f"becomes Service {name!r}" in lines[0]
    assert "must start with a letter" in lines[0]


def test_service_name_with_digit_inside(tmp_path: Path) -> None:
    result = convert(tmp_path, "services:\n  web1:\n    image: nginx\n")
    assert result.exit_code == 0, result.stderr
    assert result.find("Service", "web1")["kind"] == "Service"


ENV_NAMES = {
    "GOOD": True,
    "lower.dotted-name": True,
    "_private": True,
    "": False,
    "A B": False,
    "1ST": False,
    "KEY=VALUE": False,
}


@pytest.mark.parametrize("name", sorted(ENV_NAMES))
def test_env_var_name_rule(name: str) -> None:
    assert is_env_var_name(name) is ENV_NAMES[name]


def test_invalid_env_names_left_out(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    environment:\n"
        "      - GOOD=1\n      - '=hidden-value'\n      - 'A B=2'\n"
    )
    result = convert(tmp_path, compose)
    assert result.exit_code == 0, result.stderr
    env = result.container("web")["env"]
    assert [item["name"] for item in env] == ["GOOD"]
    warnings = result.warnings()
    assert len(warnings) == 2, warnings
    assert "variable name '' is not valid" in warnings[0]
    assert "variable name 'A B' is not valid" in warnings[1]
    assert "hidden-value" not in result.stderr


ANNOTATION_KEYS = {
    "description": True,
    "com.example.team/owner": True,
    "example.com/a_b.c": True,
    "a" * 63: True,
    "a" * 64: False,
    "bad key!": False,
    "a/b/c": False,
    "Example.com/x": False,
    "-leading": False,
    "trailing.": False,
    "prefix/": False,
    "": False,
}


@pytest.mark.parametrize("key", sorted(ANNOTATION_KEYS))
def test_annotation_key_rule(key: str) -> None:
    assert is_annotation_key(key) is ANNOTATION_KEYS[key]


def test_invalid_label_keys_left_out(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    labels:\n"
        "      com.example.team: web\n      'bad key!': x\n"
        "    annotations:\n      'a/b/c': y\n      note: z\n"
    )
    result = convert(tmp_path, compose)
    assert result.exit_code == 0, result.stderr
    deployment = result.find("Deployment", "web")
    assert deployment["metadata"]["annotations"] == {"com.example.team": "web"}
    template = deployment["spec"]["template"]["metadata"]["annotations"]
    assert template == {"com.example.team": "web", "note": "z"}
    warnings = result.warnings()
    assert len(warnings) == 2, warnings
    assert "annotations: 'a/b/c' is not a valid Kubernetes annotation key" in warnings[0]
    assert "labels: 'bad key!' is not a valid Kubernetes annotation key" in warnings[1]


@pytest.mark.parametrize("port", ["'0'", "'80:0'"])
def test_target_port_zero_rejected(port: str, tmp_path: Path) -> None:
    result = convert(tmp_path, f"services:\n  web:\n    image: nginx\n    ports: [{port}]\n")
    assert result.exit_code == 2
    assert "has no target port" in result.stderr


def test_expose_port_zero_left_out(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    image: nginx\n    expose: ['0', '80']\n"
    result = convert(tmp_path, compose)
    assert result.exit_code == 0, result.stderr
    ports = result.container("web")["ports"]
    assert [item["containerPort"] for item in ports] == [80]


def test_published_port_mapped_twice(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    image: nginx\n    ports: ['80:80', '80:8080']\n"
    result = convert(tmp_path, compose)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "services.web.ports[1]" in lines[0]
    assert "'80:80' and '80:8080' both publish port 80/tcp" in lines[0]


def test_same_port_other_protocol_allowed(tmp_path: Path) -> None:
    compose = "services:\n  dns:\n    image: dns\n    ports: ['53:53', '53:5353/udp']\n"
    result = convert(tmp_path, compose)
    assert result.exit_code == 0, result.stderr
    ports = result.find("Service", "dns")["spec"]["ports"]
    assert {(item["port"], item["protocol"]) for item in ports} >= {(53, "TCP"), (53, "UDP")}


def test_many_ports_warn_once(tmp_path: Path) -> None:
    last = 10000 + MAX_SERVICE_PORTS
    compose = f"services:\n  media:\n    image: media\n    ports: ['10000-{last}:10000-{last}']\n"
    result = convert(tmp_path, compose)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.warnings() if "ports" in line]
    assert len(warnings) == 1, warnings
    assert f"gets {MAX_SERVICE_PORTS + 1} ports" in warnings[0]


def test_port_limit_not_reached(tmp_path: Path) -> None:
    last = 10000 + MAX_SERVICE_PORTS - 1
    compose = f"services:\n  media:\n    image: media\n    ports: ['10000-{last}:10000-{last}']\n"
    result = convert(tmp_path, compose)
    assert result.exit_code == 0, result.stderr
    assert result.warnings() == []
