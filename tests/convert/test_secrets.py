"""Secret variables in the converted output: the three modes, the overrides and the notes.

Covers: ``--secrets secret|placeholder|external``, the option checks, ``x-kompile.secrets``
and ``x-kompile.not-secrets``, katenary's ``katenary.v3/secrets`` label,
``--no-detect-secrets``, the stderr notes and warnings, env order, object order, the
ExternalSecret shape and ``kompile config`` masking.
"""

from __future__ import annotations

import base64
import typing as t
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from kompile.cli import cli
from kompile.convert import extensions, keytable
from tests.convert import fakesecrets as fake
from tests.convert.externalsecret_shape import external_secret_errors

ROOT_PW = fake.PASSWORD + "-root"
USER_PW = fake.PASSWORD + "-user"
COMPOSE = f"""
name: shop
services:
  db:
    image: mysql:8.4
    environment:
      MYSQL_ROOT_PASSWORD: {ROOT_PW}
      MYSQL_DATABASE: shop
      MYSQL_PASSWORD: {USER_PW}
      MYSQL_USER: shop
"""


def convert(runner: CliRunner, folder: Path, text: str, *args: str) -> Result:
    (folder / "compose.yaml").write_text(text)
    return runner.invoke(cli, ["convert", "-f", str(folder / "compose.yaml"), *args])


def documents(result: Result) -> list[dict[str, t.Any]]:
    return list(yaml.safe_load_all(result.stdout))


def by_kind(result: Result, kind: str) -> list[dict[str, t.Any]]:
    return [doc for doc in documents(result) if doc["kind"] == kind]


def container_env(result: Result) -> list[dict[str, t.Any]]:
    deployment = by_kind(result, "Deployment")[0]
    env: list[dict[str, t.Any]] = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    return env


def leaks(text: str) -> bool:
    return ROOT_PW in text or USER_PW in text


def test_secret_mode_moves_values(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE)
    assert result.exit_code == 0
    [secret] = by_kind(result, "Secret")
    assert secret["metadata"]["name"] == "db-env"
    assert secret["type"] == "Opaque"
    assert sorted(secret["data"]) == ["MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD"]
    decoded = base64.b64decode(secret["data"]["MYSQL_ROOT_PASSWORD"]).decode()
    matches = decoded == ROOT_PW
    assert matches
    assert "stringData" not in secret


def test_secret_mode_keeps_env_order(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE)
    env = container_env(result)
    names = [item["name"] for item in env]
    # The order is the reader's, which sorts variables as Docker Compose's config does.
    assert names == ["MYSQL_DATABASE", "MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD", "MYSQL_USER"]
    assert env[2]["valueFrom"] == {"secretKeyRef": {"name": "db-env", "key": "MYSQL_ROOT_PASSWORD"}}
    assert env[0] == {"name": "MYSQL_DATABASE", "value": "shop"}


def test_secret_mode_reports_names_only(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE)
    expected = "db: 2 variables moved to Secret db-env: MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD"
    reported = expected in result.stderr.splitlines()
    leaked = leaks(result.stderr)
    assert reported
    assert not leaked


def test_secret_values_only_in_secret(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE)
    others = [doc for doc in documents(result) if doc["kind"] != "Secret"]
    leaked = leaks(yaml.safe_dump_all(others))
    assert not leaked


def test_placeholder_mode_empty_values(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE, "--secrets", "placeholder")
    assert result.exit_code == 0
    [secret] = by_kind(result, "Secret")
    keys = sorted(secret["stringData"])
    empty = all(value == "" for value in secret["stringData"].values())
    leaked_out, leaked_err = leaks(result.stdout), leaks(result.stderr)
    assert keys == ["MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD"]
    assert empty
    assert "data" not in secret
    assert not leaked_out
    assert not leaked_err


def test_placeholder_mode_warns_keys(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE, "--secrets", "placeholder")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    expected = [
        "warning: service 'db', environment: Secret db-env has empty placeholder values; "
        "fill in MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD before applying"
    ]
    matches = warnings == expected
    assert matches


def test_placeholder_mode_strict_fails(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE, "--secrets", "placeholder", "--strict")
    assert result.exit_code == 2
    named = "placeholder" in result.stderr
    assert named


def test_external_mode_output(runner: CliRunner, tmp_path: Path) -> None:
    args = ("--secrets", "external", "--secret-store", "vault")
    result = convert(runner, tmp_path, COMPOSE, *args, "--secret-store-kind", "ClusterSecretStore")
    assert result.exit_code == 0
    secret_count = len(by_kind(result, "Secret"))
    assert secret_count == 0
    [external] = by_kind(result, "ExternalSecret")
    assert external_secret_errors(external) == []
    spec = external["spec"]
    assert spec["secretStoreRef"] == {"name": "vault", "kind": "ClusterSecretStore"}
    assert spec["target"] == {"name": "db-env", "creationPolicy": "Owner"}
    expected = [
        {"secretKey": "MYSQL_PASSWORD", "remoteRef": {"key": "shop/db/MYSQL_PASSWORD"}},
        {"secretKey": "MYSQL_ROOT_PASSWORD", "remoteRef": {"key": "shop/db/MYSQL_ROOT_PASSWORD"}},
    ]
    matches = spec["data"] == expected
    assert matches


def test_external_mode_no_values(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE, "--secrets", "external", "--secret-store", "aws")
    leaked_out, leaked_err = leaks(result.stdout), leaks(result.stderr)
    assert not leaked_out
    assert not leaked_err


def test_external_mode_env_refers_target(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE, "--secrets", "external", "--secret-store", "aws")
    reference = container_env(result)[2]["valueFrom"]["secretKeyRef"]
    assert reference == {"name": "db-env", "key": "MYSQL_ROOT_PASSWORD"}


def test_external_mode_lists_remote_keys(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE, "--secrets", "external", "--secret-store", "aws")
    lines = result.stderr.splitlines()
    moved = "db: 2 variables moved to ExternalSecret db-env: MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD"
    keys = (
        "db: create these keys in SecretStore aws: "
        "shop/db/MYSQL_PASSWORD, shop/db/MYSQL_ROOT_PASSWORD"
    )
    reported_moved = moved in lines
    reported_keys = keys in lines
    assert reported_moved
    assert reported_keys


def test_external_secret_after_secret(runner: CliRunner, tmp_path: Path) -> None:
    args = ("--secrets", "external", "--secret-store", "aws")
    result = convert(runner, tmp_path, COMPOSE, *args)
    kinds = [doc["kind"] for doc in documents(result)]
    assert kinds.index("ExternalSecret") < kinds.index("Deployment")
    assert kinds[0] == "ExternalSecret"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--secrets", "external"), "needs the name of a secret store"),
        (("--secret-store", "vault"), "--secret-store is only used with --secrets external"),
        (
            ("--secret-store-kind", "ClusterSecretStore"),
            "--secret-store-kind is only used with --secrets external",
        ),
        (("--secrets", "vault"), "Invalid value for '--secrets'"),
        (("--secret-store-kind", "Store"), "Invalid value for '--secret-store-kind'"),
    ],
    ids=[
        "external-without-store",
        "store-without-external",
        "kind-without-external",
        "bad-mode",
        "bad-kind",
    ],
)
def test_secret_option_errors(
    args: tuple[str, ...], message: str, runner: CliRunner, tmp_path: Path
) -> None:
    result = convert(runner, tmp_path, COMPOSE, *args)
    assert result.exit_code == 2
    named = message in result.stderr
    empty = result.stdout == ""
    assert named
    assert empty


def test_no_detect_keeps_plain_values(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, COMPOSE, "--no-detect-secrets")
    secret_count = len(by_kind(result, "Secret"))
    plain = container_env(result)[2] == {"name": "MYSQL_ROOT_PASSWORD", "value": ROOT_PW}
    assert secret_count == 0
    assert plain


OVERRIDES = f"""
services:
  app:
    image: example/app:1
    environment:
      LICENSE_SEAT: seat-42
      DB_PASSWORD: {USER_PW}
      DEBUG_TOKEN: not-really-a-secret
    x-kompile:
      secrets: [LICENSE_SEAT]
      not-secrets: [DEBUG_TOKEN]
"""


def secret_keys(result: Result) -> list[str]:
    [secret] = by_kind(result, "Secret")
    return sorted(secret["data"])


def test_overrides_force_and_exempt(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, OVERRIDES)
    assert result.exit_code == 0
    assert secret_keys(result) == ["DB_PASSWORD", "LICENSE_SEAT"]


def test_forced_names_survive_no_detect(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, OVERRIDES, "--no-detect-secrets")
    assert secret_keys(result) == ["LICENSE_SEAT"]


def test_override_unknown_name_warns(runner: CliRunner, tmp_path: Path) -> None:
    text = OVERRIDES.replace("[LICENSE_SEAT]", "[LICENSE_SEAT, LICENCE_SEAT]")
    result = convert(runner, tmp_path, text)
    assert result.exit_code == 0
    expected = (
        "warning: service 'app', x-kompile.secrets: LICENCE_SEAT not in the service's environment"
    )
    warned = expected in result.stderr.splitlines()
    assert warned


def test_override_in_both_lists_fails(runner: CliRunner, tmp_path: Path) -> None:
    text = OVERRIDES.replace("[DEBUG_TOKEN]", "[DEBUG_TOKEN, LICENSE_SEAT]")
    result = convert(runner, tmp_path, text)
    assert result.exit_code == 2
    named = "LICENSE_SEAT listed both as secret and as not secret" in result.stderr
    assert named


def test_override_wrong_type_fails(runner: CliRunner, tmp_path: Path) -> None:
    result = convert(runner, tmp_path, OVERRIDES.replace("[LICENSE_SEAT]", "LICENSE_SEAT"))
    assert result.exit_code == 2
    named = "services.app.x-kompile.secrets: must be a list of variable names" in result.stderr
    located = "compose.yaml:" in result.stderr
    assert named
    assert located


@pytest.mark.parametrize(
    "labels",
    [
        'labels:\n      katenary.v3/secrets: "- LICENSE_SEAT\\n- OTHER"',
        "labels:\n      katenary.v3/secrets: '[LICENSE_SEAT, OTHER]'",
        'labels: ["katenary.v3/secrets=LICENSE_SEAT, OTHER"]',
    ],
    ids=["yaml-block", "yaml-flow", "list-labels"],
)
def test_katenary_label_forces(labels: str, runner: CliRunner, tmp_path: Path) -> None:
    text = f"""
services:
  app:
    image: example/app:1
    {labels}
    environment:
      LICENSE_SEAT: seat-42
      OTHER: plain
"""
    result = convert(runner, tmp_path, text, "-q")
    assert result.exit_code == 0
    assert secret_keys(result) == ["LICENSE_SEAT", "OTHER"]


def test_katenary_label_bad_value_fails(runner: CliRunner, tmp_path: Path) -> None:
    text = """
services:
  app:
    image: example/app:1
    labels:
      katenary.v3/secrets: "{a: b}"
    environment:
      A: b
"""
    result = convert(runner, tmp_path, text)
    assert result.exit_code == 2
    named = "katenary.v3/secrets: must be a list of variable names" in result.stderr
    assert named


def test_unset_variable_stays_out(runner: CliRunner, tmp_path: Path) -> None:
    text = "services:\n  app:\n    image: a\n    environment: [DB_PASSWORD]\n"
    result = convert(runner, tmp_path, text)
    secret_count = len(by_kind(result, "Secret"))
    assert result.exit_code == 0
    assert secret_count == 0


def test_value_detection_moves_url(runner: CliRunner, tmp_path: Path) -> None:
    url = f"postgres://shop:{USER_PW}@db/shop"
    text = f"services:\n  app:\n    image: a\n    environment:\n      DATABASE_URL: {url}\n"
    result = convert(runner, tmp_path, text)
    leaked = leaks(result.stderr)
    assert secret_keys(result) == ["DATABASE_URL"]
    assert not leaked


def test_config_masks_secret_values(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    result = runner.invoke(cli, ["config", "-f", str(tmp_path / "compose.yaml")])
    assert result.exit_code == 0
    leaked = leaks(result.stdout)
    environment = yaml.safe_load(result.stdout)["services"]["db"]["environment"]
    masked = environment["MYSQL_ROOT_PASSWORD"] == "********"
    assert not leaked
    assert masked
    assert environment["MYSQL_DATABASE"] == "shop"


def test_service_keys_registered() -> None:
    assert "secrets" in extensions.SERVICE_KEYS
    assert "not-secrets" in extensions.SERVICE_KEYS


def test_environment_row_in_table() -> None:
    keys = [row.key for row in keytable.key_mappings()]
    assert "services.*.environment" in keys


GOLDEN = Path(__file__).resolve().parents[2] / "golden"


def test_golden_external_secrets_valid() -> None:
    found = [
        doc
        for path in sorted(GOLDEN.glob("*/manifests.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc["kind"] == "ExternalSecret"
    ]
    assert len(found) >= 2
    for doc in found:
        assert external_secret_errors(doc) == []


def test_shape_check_finds_errors() -> None:
    bad = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "Bad_Name"},
        "spec": {
            "refreshInterval": "hourly",
            "secretStoreRef": {"name": "vault", "kind": "Vault"},
            "target": {"name": "db-env", "creationPolicy": "Always"},
            "data": [{"secretKey": "A", "remoteRef": {"path": "x"}}],
            "extra": True,
        },
    }
    errors = external_secret_errors(bad)
    assert len(errors) == 7
    assert ".metadata.name: does not match" in errors[0]
    assert ".spec.refreshInterval: does not match" in errors[1]
    assert ".spec.secretStoreRef.kind: not one of ['ClusterSecretStore', 'SecretStore']" in errors
    assert ".spec.target.creationPolicy: not one of ['Merge', 'None', 'Orphan', 'Owner']" in errors
    assert ".spec.data[0].remoteRef: missing key" in errors
    assert ".spec.data[0].remoteRef: unknown field path" in errors
    assert ".spec: unknown field extra" in errors
