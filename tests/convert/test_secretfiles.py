"""Compose secrets and configs mounted as single files, never as directories."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.convert.helpers import convert

SECRETS = """
services:
  api:
    image: example/api:1
    secrets:
      - db_password
      - source: tls_key
        target: /etc/api/tls.key
        mode: 0400
      - partner_token
secrets:
  db_password: {file: ./secrets/db_password.txt}
  tls_key: {file: ./secrets/server.key}
  partner_token: {external: true}
"""
PASSWORD = "unit-test-password-value"


def write_secrets(project: Path) -> None:
    (project / "secrets").mkdir(parents=True)
    (project / "secrets" / "db_password.txt").write_text(PASSWORD)
    (project / "secrets" / "server.key").write_text("unit-test-key-value")


def test_secrets_mount_as_files_at_unique_paths(tmp_path: Path) -> None:
    write_secrets(tmp_path)
    result = convert(tmp_path, SECRETS)
    assert result.exit_code == 0, result.stderr
    mounts = result.container("api")["volumeMounts"]
    paths = [mount["mountPath"] for mount in mounts]
    assert paths == ["/run/secrets/db_password", "/etc/api/tls.key", "/run/secrets/partner_token"]
    for mount in mounts:
        assert mount["subPath"], mount
    volumes = {volume["name"]: volume for volume in result.pod("api")["volumes"]}
    assert volumes["tls-key"]["secret"]["items"][0]["mode"] == 0o400


def test_secret_objects_and_external_reference(tmp_path: Path) -> None:
    write_secrets(tmp_path)
    result = convert(tmp_path, SECRETS)
    assert result.exit_code == 0, result.stderr
    data = result.find("Secret", "db-password")["data"]["db_password"]
    assert base64.b64decode(data).decode() == PASSWORD
    assert result.find("Secret", "tls-key")
    assert [s["metadata"]["name"] for s in result.kinds("Secret")] == ["db-password", "tls-key"]
    external = [line for line in result.warnings() if "partner_token" in line]
    assert len(external) == 1
    assert "must exist" in external[0]
    assert PASSWORD not in result.stderr


def test_secret_from_environment(tmp_path: Path) -> None:
    compose = """
services:
  api: {image: "example/api:1", secrets: [token]}
secrets:
  token: {environment: KOMPILE_TEST_TOKEN}
"""
    result = convert(tmp_path, compose, env={"KOMPILE_TEST_TOKEN": "from-env"})
    assert result.exit_code == 0, result.stderr
    data = result.find("Secret", "token")["data"]["token"]
    assert base64.b64decode(data).decode() == "from-env"
    missing = convert(tmp_path / "b", compose, env={"KOMPILE_TEST_TOKEN": None})  # type: ignore[dict-item]
    assert missing.exit_code == 2
    assert "KOMPILE_TEST_TOKEN is not set" in missing.stderr


def test_configs_each_source(tmp_path: Path) -> None:
    (tmp_path / "site.conf").write_text("listen 80;\n")
    result = convert(
        tmp_path,
        """
services:
  web:
    image: nginx:1.27
    configs:
      - source: site
        target: /etc/nginx/conf.d/site.conf
      - motd
      - settings
configs:
  site: {file: ./site.conf}
  motd: {content: "hello\\n"}
  settings: {environment: KOMPILE_TEST_SETTINGS}
""",
        env={"KOMPILE_TEST_SETTINGS": "{}"},
    )
    assert result.exit_code == 0, result.stderr
    assert result.find("ConfigMap", "site")["data"] == {"site": "listen 80;\n"}
    assert result.find("ConfigMap", "motd")["data"] == {"motd": "hello\n"}
    assert result.find("ConfigMap", "settings")["data"] == {"settings": "{}"}
    paths = [mount["mountPath"] for mount in result.container("web")["volumeMounts"]]
    assert paths == ["/etc/nginx/conf.d/site.conf", "/motd", "/settings"]
