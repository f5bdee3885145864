"""Ports to Services: names, protocols, host addresses, hostPort, types, aliases, no ports."""

from __future__ import annotations

import re
from pathlib import Path

from tests.convert.helpers import convert

PORT_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def test_tcp_udp_same_port_names(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  dns:
    image: example/dns:1
    ports: ["53:53", "53:53/udp", "8053:8053"]
""",
    )
    assert result.exit_code == 0, result.stderr
    ports = result.find("Service", "dns")["spec"]["ports"]
    names = [port["name"] for port in ports]
    assert len(names) == len(set(names))
    assert {(port["port"], port["protocol"]) for port in ports} == {
        (53, "TCP"),
        (53, "UDP"),
        (8053, "TCP"),
    }
    for name in names:
        assert PORT_NAME.match(name), name
        assert len(name) <= 15, name
    assert "udp-53" in names
    assert "tcp-53" in names


def test_host_addresses_warn_once_per_specific_address(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  admin:
    image: example/admin:1
    ports:
      - "127.0.0.1:9000:9000"
      - "[::1]:9443:9443"
      - "0.0.0.0:8080:80/tcp"
""",
    )
    assert result.exit_code == 0, result.stderr
    pairs = {(p["port"], p["targetPort"]) for p in result.find("Service", "admin")["spec"]["ports"]}
    assert {(9000, 9000), (9443, 9443), (8080, 80)} <= pairs
    host_warnings = [line for line in result.warnings() if "host_ip" in line]
    assert len(host_warnings) == 2
    assert "service 'admin', ports[0].host_ip" in host_warnings[0]
    assert "service 'admin', ports[1].host_ip" in host_warnings[1]
    assert "127.0.0.1" not in result.stderr


def test_only_host_mode_ports_get_host_port(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  internal:
    image: example/internal:1
    expose: ["8080"]
  edge:
    image: example/edge:1
    ports:
      - "80:8080"
      - {target: 9100, published: "9100", mode: host}
""",
    )
    assert result.exit_code == 0, result.stderr
    assert "hostPort" not in str(result.container("internal"))
    internal_ports = result.find("Service", "internal")["spec"]["ports"]
    assert [(p["port"], p["targetPort"]) for p in internal_ports] == [(8080, 8080)]
    assert "clusterIP" not in result.find("Service", "internal")["spec"]
    edge_ports = result.container("edge")["ports"]
    assert [port.get("hostPort") for port in edge_ports] == [None, 9100]
    edge_service = result.find("Service", "edge")["spec"]["ports"]
    assert (80, 8080) in [(p["port"], p["targetPort"]) for p in edge_service]


RENDERER = """
services:
  api:
    image: example/api:1
    environment: {RENDERER_URL: "http://renderer:3000"}
  renderer:
    image: example/renderer:1
"""


def test_service_without_ports_is_headless_with_hint(tmp_path: Path) -> None:
    result = convert(tmp_path, RENDERER)
    assert result.exit_code == 0, result.stderr
    spec = result.find("Service", "renderer")["spec"]
    assert spec["clusterIP"] == "None"
    assert "ports" not in spec
    hints = [line for line in result.warnings() if "service 'renderer'" in line]
    assert len(hints) == 1
    assert "no ports" in hints[0]
    assert 'expose: ["3000"]' in hints[0]


def test_expose_gives_cluster_ip_port(tmp_path: Path) -> None:
    result = convert(
        tmp_path, RENDERER.replace("renderer:1\n", 'renderer:1\n    expose: ["3000"]\n')
    )
    assert result.exit_code == 0, result.stderr
    spec = result.find("Service", "renderer")["spec"]
    assert "clusterIP" not in spec
    assert [port["port"] for port in spec["ports"]] == [3000]
    assert not [line for line in result.warnings() if "service 'renderer'" in line]


def test_service_type_flag_skips_unpublished(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  shop: {image: "example/shop:3", ports: ["443:8443"]}
  cache: {image: "redis:7", expose: ["6379"]}
""",
        "--service-type",
        "loadbalancer",
    )
    assert result.exit_code == 0, result.stderr
    assert result.find("Service", "shop")["spec"]["type"] == "LoadBalancer"
    assert "type" not in result.find("Service", "cache")["spec"]


def test_kompose_node_port_label(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    labels:
      kompose.service.type: nodeport
      kompose.service.nodeport.port: "30080"
""",
    )
    assert result.exit_code == 0, result.stderr
    spec = result.find("Service", "web")["spec"]
    assert spec["type"] == "NodePort"
    assert spec["ports"][0]["nodePort"] == 30080


def test_node_port_out_of_range_fails(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    x-kompile:
      service: {type: NodePort, nodePort: 80}
""",
    )
    assert result.exit_code == 2
    assert "x-kompile.service.nodePort" in result.stderr
    assert "30000 to 32767" in result.stderr


def test_aliases_select_same_pods(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  db:
    image: postgres:16
    expose: ["5432"]
    networks:
      back: {aliases: [database]}
networks: {back: {}}
""",
    )
    assert result.exit_code == 0, result.stderr
    alias = result.find("Service", "database")["spec"]
    assert alias["selector"] == result.find("Service", "db")["spec"]["selector"]
    assert [port["port"] for port in alias["ports"]] == [5432]
