"""The -n/--namespace value: a DNS-1123 label, used verbatim, rejected otherwise.

Covers convert (with and without --create-namespace), apply and diff, which reject the
value before they read a kubeconfig, and the namespace that a kubeconfig context names.
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kompile.cli import cli
from kompile.cli_cluster import target_namespace
from kompile.errors import ConversionError

WEB = "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n"
INVALID = {
    "space-and-capitals": "Bad NS",
    "underscore": "bad_ns",
    "leading-dash": "-ns",
    "trailing-dash": "ns-",
    "dot": "team.ns",
    "too-long": "n" * 64,
    "empty": "",
}


@pytest.fixture
def compose_file(tmp_path: Path) -> Path:
    path = tmp_path / "compose.yaml"
    path.write_text(WEB)
    return path


@pytest.mark.parametrize("case", sorted(INVALID))
def test_convert_rejects_invalid_namespace(
    case: str, runner: CliRunner, compose_file: Path
) -> None:
    value = INVALID[case]
    args = ["convert", "-f", str(compose_file), "-n", value, "--create-namespace"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"invalid namespace {value!r}" in lines[0]
    assert "DNS-1123 label" in lines[0]


@pytest.mark.parametrize("command", ["apply", "diff"])
def test_cluster_commands_reject_invalid_namespace(
    command: str, runner: CliRunner, compose_file: Path, tmp_path: Path
) -> None:
    # The kubeconfig does not exist: the namespace is checked before it would be read.
    kubeconfig = str(tmp_path / "absent-kubeconfig")
    args = [command, "-f", str(compose_file), "-n", "Bad NS", "--kubeconfig", kubeconfig]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "invalid namespace 'Bad NS'" in lines[0]


def test_valid_namespace_used_verbatim(runner: CliRunner, compose_file: Path) -> None:
    name = "a" * 63
    args = ["convert", "-q", "-f", str(compose_file), "-n", name, "--create-namespace"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    documents = list(yaml.safe_load_all(result.stdout))
    namespace = [doc for doc in documents if doc["kind"] == "Namespace"]
    assert len(namespace) == 1
    assert namespace[0]["metadata"]["name"] == name
    others = [doc for doc in documents if doc["kind"] != "Namespace"]
    assert others
    for doc in others:
        assert doc["metadata"]["namespace"] == name


def test_context_namespace_is_checked() -> None:
    cluster = types.SimpleNamespace(namespace="Team NS")
    with pytest.raises(ConversionError) as error:
        target_namespace(None, cluster)  # type: ignore[arg-type]
    assert "from the kubeconfig context" in str(error.value)


def test_option_wins_over_context() -> None:
    cluster = types.SimpleNamespace(namespace="Team NS")
    assert target_namespace("team", cluster) == "team"  # type: ignore[arg-type]
