"""Secrets outside ``environment``: command-line words and ConfigMap entries.

Covers: warnings for secret-looking words in ``command`` and ``entrypoint``, found by
value format, in ``--name=value`` options or after a secret option. References and plain
flags get no warning. The ConfigMap guard raises on an entry equal to a secret value and
warns on an entry that contains one.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from click.testing import CliRunner

from kompile.cli import cli
from kompile.compose.loader import LoadOptions, load_project
from kompile.convert import secrets
from kompile.convert.context import Context, ConvertOptions
from kompile.diagnostics import Diagnostics
from kompile.errors import ConversionError
from tests.convert import fakesecrets as fake

PW = fake.PASSWORD


def warnings_for(runner: CliRunner, tmp_path: Path, key: str, words: list[str]) -> list[str]:
    quoted = ", ".join(f"'{word}'" for word in words)
    text = f"services:\n  app:\n    image: example/app:1\n    {key}: [{quoted}]\n"
    (tmp_path / "compose.yaml").write_text(text)
    result = runner.invoke(cli, ["convert", "-f", str(tmp_path / "compose.yaml")])
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    leaked = any(PW in line for line in lines)
    assert not leaked
    warnings = [line for line in lines if line.startswith("warning: service 'app', ")]
    return [line.split(", ", 1)[1].split(":")[0] for line in warnings]


# Words name the fake values as {pw} and {token}, so a failing case never shows them.
@pytest.mark.parametrize(
    ("key", "words", "places"),
    [
        ("command", ["redis-server", "--requirepass", "{pw}"], ["command[2]"]),
        ("command", ["app", "--password", "{pw}", "--verbose"], ["command[2]"]),
        ("entrypoint", ["app", "--db-password={pw}"], ["entrypoint[1]"]),
        ("command", ["app", "--db=postgres://app:{pw}@db/app"], ["command[1]"]),
        ("command", ["app", "{token}"], ["command[1]"]),
        ("command", ["app", "--password", "$(DB_PASSWORD)"], []),
        ("command", ["app", "--token-ttl", "3600", "--debug", "true"], []),
        ("command", ["app", "--password-file", "/run/secrets/pw"], []),
    ],
    ids=[
        "redis-requirepass",
        "option-then-value",
        "option-equals",
        "url-password",
        "token-format",
        "reference",
        "settings",
        "password-file",
    ],
)
def test_command_secret_warnings(
    key: str, words: list[str], places: list[str], runner: CliRunner, tmp_path: Path
) -> None:
    values = {"{pw}": PW, "{token}": fake.GITHUB_TOKEN}
    filled = []
    for word in words:
        for marker, value in values.items():
            word = word.replace(marker, value)
        filled.append(word)
    found = warnings_for(runner, tmp_path, key, filled)
    assert found == places


def context_for(tmp_path: Path, text: str) -> Context:
    (tmp_path / "compose.yaml").write_text(text)
    diagnostics = Diagnostics()
    project = load_project(LoadOptions(files=[str(tmp_path / "compose.yaml")]), diagnostics)
    return Context(project, ConvertOptions(), diagnostics)


COMPOSE = f"services:\n  db:\n    image: mysql\n    environment:\n      DB_PASSWORD: {PW}\n"


def config_map(data: dict[str, str]) -> dict[str, t.Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "db"}, "data": data}


def test_config_map_copy_raises(tmp_path: Path) -> None:
    context = context_for(tmp_path, COMPOSE)
    with pytest.raises(ConversionError) as caught:
        secrets.check_config_maps(context, [config_map({"DB_PASSWORD": PW})])
    message = str(caught.value.message)
    named = "ConfigMap db key DB_PASSWORD contains the value of the secret variable" in message
    leaked = PW in message
    assert named
    assert not leaked


def test_config_map_content_warns(tmp_path: Path) -> None:
    context = context_for(tmp_path, COMPOSE)
    secrets.check_config_maps(context, [config_map({"app.ini": f"[db]\npassword = {PW}\n"})])
    warnings = [str(warning) for warning in context.diagnostics.warnings]
    leaked = any(PW in warning for warning in warnings)
    assert len(warnings) == 1
    assert "mount that file from a Secret instead" in warnings[0]
    assert not leaked


def test_config_map_plain_passes(tmp_path: Path) -> None:
    context = context_for(tmp_path, COMPOSE)
    secrets.check_config_maps(context, [config_map({"app.ini": "[db]\nhost = db\n"})])
    assert context.diagnostics.warnings == []
