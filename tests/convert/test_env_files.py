"""env_file: the container environment equals Docker Compose's, whatever carries it.

The compose reader resolves ``env_file`` into ``environment`` as ``docker compose config``
does. The conversion may carry variables in ``env`` (plain or from a Secret) or in
ConfigMaps through ``envFrom``. Either way the effective environment must be the one
Docker Compose computes, and every ConfigMap name must be a valid, distinct name.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.convert.helpers import Converted, convert

DOCKER_COMPOSE = shutil.which("docker-compose", path=str(Path(sys.executable).parent))
SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def effective_environment(result: Converted, service: str) -> dict[str, str]:
    """Return the container environment: envFrom in order, then env over them."""
    container = result.container(service)
    environment: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        environment.update(result.find("ConfigMap", source["configMapRef"]["name"])["data"])
    for item in container.get("env") or []:
        if "value" in item:
            environment[item["name"]] = item["value"]
        else:
            reference = item["valueFrom"]["secretKeyRef"]
            data = result.find("Secret", reference["name"])["data"][reference["key"]]
            environment[item["name"]] = base64.b64decode(data).decode()
    return environment


def compose_environment(project: Path, service: str) -> dict[str, str]:
    assert DOCKER_COMPOSE is not None
    output = subprocess.run(
        [DOCKER_COMPOSE, "-f", str(project / "compose.yaml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(output)["services"][service]["environment"])


def test_two_env_files_with_same_name(tmp_path: Path) -> None:
    for folder, text in (("a", "LEVEL=debug\nONLY_A=1\n"), ("b", "LEVEL=warn\nONLY_B=2\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "app.env").write_text(text)
    compose = """
services:
  web:
    image: nginx:1.27
    env_file: [./a/app.env, ./b/app.env]
    environment:
      OVERRIDE: from-compose
"""
    (tmp_path / "compose.yaml").write_text(compose)
    first = convert(tmp_path, compose)
    assert first.exit_code == 0, first.stderr
    expected = compose_environment(tmp_path, "web")
    assert expected["LEVEL"] == "warn"
    assert effective_environment(first, "web") == expected
    second = convert(tmp_path, compose)
    assert second.objects == first.objects


def test_env_file_paths_give_valid_names(tmp_path: Path) -> None:
    nested = tmp_path / ".settings/.production/very/deeply/nested/directory/structure/for/config"
    nested.mkdir(parents=True)
    (nested / ".env").write_text("MODE=production\n")
    (tmp_path / "src/app").mkdir(parents=True)
    (tmp_path / "src/app/.env.local").write_text("PORT=3000\n")
    compose = """
services:
  frontend:
    image: node:22-alpine
    env_file:
      - ./src/app/.env.local
      - ./.settings/.production/very/deeply/nested/directory/structure/for/config/.env
"""
    (tmp_path / "compose.yaml").write_text(compose)
    result = convert(tmp_path, compose)
    assert result.exit_code == 0, result.stderr
    assert effective_environment(result, "frontend") == compose_environment(tmp_path, "frontend")
    names = [obj["metadata"]["name"] for obj in result.kinds("ConfigMap")]
    assert len(names) == len(set(names))
    for name in names:
        assert len(name) <= 63, name
        assert SUBDOMAIN.match(name), name
