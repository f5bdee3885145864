"""Loading whole projects: the reading half of reported faults, warnings and errors.

Covers ports and image tags built from ``.env``, two env files with one base name, env
file comments, profiles, later files that add top-level sections, host addresses in
ports and the three tmpfs forms. It also covers unknown-key warnings and one-line errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kompile.cli import cli
from kompile.compose.loader import LoadOptions, load_project
from kompile.compose.model import Project
from kompile.diagnostics import Diagnostics
from kompile.errors import ComposeError, StrictModeError

B01_COMPOSE = """services:
  api:
    image: example/api:${API_TAG:-latest}
    ports: ["${API_PORT}:${API_PORT}"]
    environment:
      REQUIRED: ${MUST_SET:?set MUST_SET first}
"""


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def load(
    folder: Path,
    environ: dict[str, str] | None = None,
    diagnostics: Diagnostics | None = None,
    **options: object,
) -> Project:
    load_options = LoadOptions(working_dir=folder, environ=environ or {}, **options)  # type: ignore[arg-type]
    return load_project(load_options, diagnostics or Diagnostics())


def test_ports_and_tag_from_dotenv(tmp_path: Path) -> None:
    write(tmp_path, {".env": "API_PORT=7070\nAPI_TAG=2.4\n", "compose.yaml": B01_COMPOSE})
    api = load(tmp_path, {"MUST_SET": "x"}).services["api"]
    assert api["image"] == "example/api:2.4"
    assert api["ports"] == [
        {"mode": "ingress", "target": 7070, "published": "7070", "protocol": "tcp"}
    ]
    assert api["environment"] == {"REQUIRED": "x"}


def test_missing_required_variable_names_it(tmp_path: Path) -> None:
    write(tmp_path, {".env": "API_PORT=7070\n", "compose.yaml": B01_COMPOSE})
    with pytest.raises(ComposeError) as caught:
        load(tmp_path)
    message = caught.value.message
    assert "MUST_SET" in message
    assert "set MUST_SET first" in message
    assert "compose.yaml:6:7" in message
    assert "services.api.environment.REQUIRED" in message


def test_env_file_option_replaces_dotenv(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".env": "API_PORT=7070\nAPI_TAG=2.4\n",
            "other.env": "API_PORT=8080\nMUST_SET=y\n",
            "compose.yaml": B01_COMPOSE,
        },
    )
    api = load(tmp_path, env_files=["other.env"]).services["api"]
    assert api["image"] == "example/api:latest"
    assert api["ports"][0]["target"] == 8080


def test_two_env_files_same_base_name(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a/app.env": "LEVEL=debug\nONLY_A=1\n",
            "b/app.env": "LEVEL=warn\nONLY_B=2\n",
            "compose.yaml": (
                "services:\n  web:\n    image: nginx:1.27\n"
                "    env_file: [./a/app.env, ./b/app.env]\n"
                "    environment:\n      OVERRIDE: from-compose\n"
            ),
        },
    )
    web = load(tmp_path).services["web"]
    assert web["environment"] == {
        "LEVEL": "warn",
        "ONLY_A": "1",
        "ONLY_B": "2",
        "OVERRIDE": "from-compose",
    }


def test_env_file_comment_lines_are_not_variables(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "worker.env": "# queue settings\nQUEUE_URL=amqp://mq:5672/?heartbeat=30\n",
            "compose.yaml": "services:\n  worker:\n    image: busybox\n    env_file: worker.env\n",
        },
    )
    assert load(tmp_path).services["worker"]["environment"] == {
        "QUEUE_URL": "amqp://mq:5672/?heartbeat=30"
    }


PROFILES = """services:
  cache:
    image: redis:7
    profiles: [dev, ci]
  adminer:
    image: adminer:4
    profiles: [debug]
"""


def test_no_active_service_lists_profiles(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": PROFILES})
    with pytest.raises(ComposeError, match=r"available: ci, debug, dev"):
        load(tmp_path)


@pytest.mark.parametrize(
    ("profiles", "environ", "expected"),
    [
        (["dev"], {}, ["cache"]),
        (["dev", "debug"], {}, ["adminer", "cache"]),
        ([], {"COMPOSE_PROFILES": "debug"}, ["adminer"]),
    ],
)
def test_profiles_select_services(
    tmp_path: Path, profiles: list[str], environ: dict[str, str], expected: list[str]
) -> None:
    write(tmp_path, {"compose.yaml": PROFILES})
    project = load(tmp_path, environ, profiles=profiles)
    assert sorted(project.services) == expected


def test_config_prints_project_without_active_services(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": PROFILES})
    result = CliRunner().invoke(
        cli, ["config", "--format", "json", "-f", str(tmp_path / "compose.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["services"] == {}


def test_later_files_add_top_level_sections(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "base.yaml": "services:\n  db:\n    image: postgres:16\n"
            "    environment: {POSTGRES_DB: app}\n",
            "prod.yaml": "services:\n  db:\n    volumes: [pgdata:/var/lib/postgresql/data]\n"
            "    secrets: [pgpass]\nvolumes: {pgdata: {}}\n"
            "secrets: {pgpass: {file: ./pgpass.txt}}\n",
        },
    )
    files = [str(tmp_path / "base.yaml"), str(tmp_path / "prod.yaml")]
    project = load(tmp_path, files=files)
    assert project.volumes == {"pgdata": {"name": f"{project.name}_pgdata"}}
    assert project.secrets["pgpass"]["file"] == str(tmp_path / "pgpass.txt")
    assert project.services["db"]["secrets"] == [
        {"source": "pgpass", "target": "/run/secrets/pgpass"}
    ]


def test_explicit_file_skips_override(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx:1\n",
            "compose.override.yaml": "services:\n  web:\n    image: nginx:2\n",
        },
    )
    assert load(tmp_path).services["web"]["image"] == "nginx:2"
    explicit = load(tmp_path, files=[str(tmp_path / "compose.yaml")])
    assert explicit.services["web"]["image"] == "nginx:1"


def test_host_addresses_in_ports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  admin:\n    image: example/admin:1\n    ports:\n"
            '      - "127.0.0.1:9000:9000"\n      - "[::1]:9443:9443"\n'
            '      - "0.0.0.0:8080:80/tcp"\n      - "::1:9444:9444"\n'
        },
    )
    ports = load(tmp_path).services["admin"]["ports"]
    assert [(p.get("host_ip"), p["published"], p["target"]) for p in ports] == [
        ("127.0.0.1", "9000", 9000),
        ("::1", "9443", 9443),
        ("0.0.0.0", "8080", 80),
        ("::1", "9444", 9444),
    ]


def test_unsplittable_port_names_service_and_entry(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": 'services:\n  admin:\n    image: a\n    ports: ["a:b:c:d"]\n'})
    with pytest.raises(ComposeError) as caught:
        load(tmp_path)
    assert "services.admin.ports[0]" in caught.value.message
    assert "'a:b:c:d'" in caught.value.message


def test_tmpfs_string_list_and_long_forms(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  a: {image: example/a, tmpfs: /run}\n  b:\n"
            '    image: example/b\n    tmpfs: ["/tmp:size=64m,mode=1777"]\n'
            "    volumes:\n      - {type: tmpfs, target: /cache, tmpfs: {size: 10485760}}\n"
        },
    )
    services = load(tmp_path).services
    assert services["a"]["tmpfs"] == ["/run"]
    assert services["b"]["tmpfs"] == ["/tmp:size=64m,mode=1777"]
    assert services["b"]["volumes"] == [
        {"type": "tmpfs", "target": "/cache", "tmpfs": {"size": "10485760"}}
    ]


def test_unknown_service_key_warns_with_hint(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    imgae: typo\n"})
    diagnostics = Diagnostics()
    project = load(tmp_path, diagnostics=diagnostics)
    assert "imgae" not in project.services["web"]
    assert len(diagnostics.warnings) == 1
    assert "did you mean 'image'?" in str(diagnostics.warnings[0])
    assert "services.web.imgae" in str(diagnostics.warnings[0])


def test_unknown_service_key_fails_when_strict(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    imgae: typo\n"})
    with pytest.raises(StrictModeError, match="imgae"):
        load(tmp_path, diagnostics=Diagnostics(strict=True))


def test_service_x_keys_stay_on_model(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "x-kompile: {namespace: shop}\nservices:\n  web:\n"
            "    image: nginx\n    x-kompile: {kind: StatefulSet}\n"
        },
    )
    project = load(tmp_path)
    assert project.services["web"]["x-kompile"] == {"kind": "StatefulSet"}
    assert project.extensions == {"x-kompile": {"namespace": "shop"}}


def test_cli_error_is_one_line_without_value(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx\n    environment:\n"
            "      PASSWORD: hunter2-${TOKEN:?set TOKEN}\n"
        },
    )
    result = CliRunner().invoke(cli, ["config", "-f", str(tmp_path / "compose.yaml")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "services.web.environment.PASSWORD" in lines[0]
    assert "hunter2" not in result.output


def test_config_yaml_and_json_agree(tmp_path: Path) -> None:
    import yaml

    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    command: a $$b\n"})
    file = str(tmp_path / "compose.yaml")
    as_json = CliRunner().invoke(cli, ["config", "--format", "json", "-f", file])
    as_yaml = CliRunner().invoke(cli, ["config", "--format", "yaml", "-f", file])
    assert as_json.exit_code == 0
    assert as_yaml.exit_code == 0
    assert json.loads(as_json.output) == yaml.safe_load(as_yaml.output)
    assert json.loads(as_json.output)["services"]["web"]["command"] == ["a", "$$b"]
